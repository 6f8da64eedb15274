using System.Text;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>A process found in /proc: its pid, its name (comm) and its command line.</summary>
internal sealed record RunProcess(int Pid, string Name, string CommandLine)
{
    public override string ToString() => $"{Pid} {Name}: {CommandLine}";
}

/// <summary>
/// The processes that belong to one launch: every process whose command line or environment names one of the run's
/// markers (the profile name unique to the test, the sandbox id). That covers the launcher, llama-server (--alias),
/// the relay's bridge socket (path with the sandbox id), bwrap (--setenv) and claude and the socat inside (environment).
/// </summary>
internal static class RunProcesses
{
    public static IReadOnlyList<RunProcess> Find(params string[] markers)
    {
        var needles = markers.Where(m => m.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
        var found = new List<RunProcess>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmdline = File.ReadAllBytes(Path.Combine(dir, "cmdline"));
                var environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (!needles.Any(n => cmdline.AsSpan().IndexOf(n) >= 0 || environ.AsSpan().IndexOf(n) >= 0)) continue;
                var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                // Our own private tmux server keeps the argv that started it; it is not part of the launch.
                if (name.StartsWith("tmux", StringComparison.Ordinal)) continue;
                found.Add(new RunProcess(pid, name, Encoding.UTF8.GetString(cmdline).Replace('\0', ' ').Trim()));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Polls until none is left, or returns what is still there after <paramref name="timeout"/>.</summary>
    public static async Task<IReadOnlyList<RunProcess>> WaitUntilGoneAsync(TimeSpan timeout, params string[] markers)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = Find(markers);
            if (left.Count == 0 || DateTime.UtcNow > deadline) return left;
            await Task.Delay(200);
        }
    }

    /// <summary>Test cleanup after a failure: kills what a failed run left, by pid.</summary>
    public static void Kill(IEnumerable<RunProcess> processes)
    {
        foreach (var process in processes)
        {
            try { System.Diagnostics.Process.GetProcessById(process.Pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }
}
