using System.Globalization;

namespace LocalClaude.Infrastructure;

/// <summary>A process seen in /proc; a zombie has exited and only waits to be reaped.</summary>
public sealed record ProcessEntry(int Pid, int ParentPid, string CommandLine, int GroupId = 0, bool Zombie = false);

/// <summary>Reads /proc: used to prove that no child outlives a run.</summary>
public static class ProcessTable
{
    public static IReadOnlyList<ProcessEntry> Snapshot()
    {
        var list = new List<ProcessEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // The command name in stat is parenthesised and may contain spaces: fields resume after the last ')'
                // (state, ppid, pgrp, ...).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                list.Add(new ProcessEntry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), cmdline,
                    int.Parse(fields[2], CultureInfo.InvariantCulture), fields[0] == "Z"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        }
        return list;
    }

    public static IReadOnlyList<ProcessEntry> Matching(string commandLineFragment) =>
        Snapshot().Where(p => p.CommandLine.Contains(commandLineFragment, StringComparison.Ordinal)).ToList();

    public static IReadOnlyList<ProcessEntry> ChildrenOf(int pid) =>
        Snapshot().Where(p => p.ParentPid == pid).ToList();

    /// <summary>Whether the process's environment holds <paramref name="entry"/> (bytes, e.g. <c>NAME=</c>); null when it cannot be read.</summary>
    public static bool? EnvironmentContains(int pid, ReadOnlySpan<byte> entry)
    {
        try { return File.ReadAllBytes($"/proc/{pid}/environ").AsSpan().IndexOf(entry) >= 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
