namespace LocalClaude.Infrastructure;

/// <summary>A process seen in /proc.</summary>
public sealed record ProcessEntry(int Pid, int ParentPid, string CommandLine);

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
                // The command name in stat is parenthesised and may contain spaces: fields resume after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                list.Add(new ProcessEntry(pid, int.Parse(fields[1]), cmdline));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        }
        return list;
    }

    public static IReadOnlyList<ProcessEntry> Matching(string commandLineFragment) =>
        Snapshot().Where(p => p.CommandLine.Contains(commandLineFragment, StringComparison.Ordinal)).ToList();

    public static IReadOnlyList<ProcessEntry> ChildrenOf(int pid) =>
        Snapshot().Where(p => p.ParentPid == pid).ToList();
}
