using System.Globalization;
using System.Text;
using LocalClaude.Server;

namespace LocalClaude.Launcher;

/// <summary>A llama-server process already running with exactly a profile's arguments.</summary>
public sealed record RunningLlamaServer(int Pid, int Port)
{
    public Uri BaseUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}"));
}

/// <summary>
/// Finds a running llama-server a launch can share: the same binary with the same arguments as the profile's launch
/// (only the port may differ), listening on loopback, healthy, and not owned by another launch session (which stops
/// its server when its own Claude Code exits). Servers from <c>serve</c>, tests or the user's shell qualify; nothing
/// needs to be registered, since <c>/proc</c> already says what runs.
/// </summary>
public static class LlamaServerDiscovery
{
    /// <summary>Set in the environment of the servers a launch session starts (their own process options, not ours).</summary>
    public const string OwnerVariable = "LOCALCLAUDE_SERVER_OWNER";

    public static async Task<RunningLlamaServer?> FindReusableAsync(LlamaServerLaunch launch, CancellationToken cancellationToken)
    {
        foreach (var candidate in Candidates(launch))
            if (await IsHealthyAsync(candidate, cancellationToken)) return candidate;
        return null;
    }

    /// <summary>Processes whose argv matches the profile's launch (any port) and that no launch session owns.</summary>
    public static IReadOnlyList<RunningLlamaServer> Candidates(LlamaServerLaunch launch)
    {
        var found = new List<RunningLlamaServer>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            string[] argv;
            try { argv = File.ReadAllText(Path.Combine(dir, "cmdline")).TrimEnd('\0').Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (argv.Length < 2 || argv[0] != launch.Binary) continue;
            if (PortOf(argv) is not { } port || launch.Host != "127.0.0.1") continue;
            if (!argv.Skip(1).SequenceEqual(launch.Arguments(port), StringComparer.Ordinal)) continue;
            if (OwnedByLaunchSession(pid)) continue;
            found.Add(new RunningLlamaServer(pid, port));
        }
        return found.OrderBy(s => s.Pid).ToArray();
    }

    private static int? PortOf(string[] argv)
    {
        var at = Array.IndexOf(argv, "--port");
        return at > 0 && at + 1 < argv.Length && int.TryParse(argv[at + 1], CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    // Cannot tell: do not share it.
    private static bool OwnedByLaunchSession(int pid) =>
        Infrastructure.ProcessTable.EnvironmentContains(pid, Encoding.ASCII.GetBytes(OwnerVariable + "=")) ?? true;

    private static async Task<bool> IsHealthyAsync(RunningLlamaServer server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(server.BaseUrl, "/health"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { return false; }
    }
}
