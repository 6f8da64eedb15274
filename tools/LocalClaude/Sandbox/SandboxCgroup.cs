using System.Globalization;

namespace LocalClaude.Sandbox;

/// <summary>
/// The memory cgroup that bounds one session as a whole (every process of every command together): v2 where the
/// caller's cgroup or the root delegates the memory controller, else v1's memory hierarchy. Created by the host
/// before anything runs; the launcher (as the caller, before dropping privileges) re-creates it if a stale sweep
/// took it while empty, writes the limits and joins it, so bwrap and everything inside inherit it. Nothing inside can
/// leave it: /sys is not mounted there, and the sandbox uid has no capabilities and owns none of its files.
/// </summary>
internal sealed record SandboxCgroup(string Path, string Version, IReadOnlyList<(string File, string Value)> Settings)
{
    public const string NamePrefix = "localclaude-";
    private const string Root = "/sys/fs/cgroup";

    /// <summary>The launcher's argument: <c>FILE=VALUE</c> pairs, written in order (v1: memsw after the limit it may not undercut).</summary>
    public string SettingsArgument => string.Join(' ', Settings.Select(s => $"{s.File}={s.Value}"));

    /// <summary>Creates the session's cgroup and writes its limits, or returns null where no cgroup is writable (rlimits only then).</summary>
    public static SandboxCgroup? TryCreate(string sessionId, SandboxLimits limits)
    {
        var bytes = limits.MaxSandboxMemoryBytes.ToString(CultureInfo.InvariantCulture);
        foreach (var (parent, version) in Candidates())
        {
            if (parent.Contains(':') || parent.Contains(' ') || parent.Contains('\n')) continue; // the launcher splits on these
            // The memory bound first; the rest where this kernel has it (v1: memsw after the limit it may not undercut).
            (string File, string Value)[] wanted = version == "v2"
                ? [("memory.max", bytes), ("memory.swap.max", "0"), ("pids.max", limits.MaxProcesses.ToString(CultureInfo.InvariantCulture))]
                // memsw: without it, swap would hold what the limit pushes out of memory.
                : [("memory.limit_in_bytes", bytes), ("memory.memsw.limit_in_bytes", bytes)];
            RemoveStale(parent);
            var path = System.IO.Path.Combine(parent, NamePrefix + sessionId);
            try
            {
                Directory.CreateDirectory(path);
                var settings = wanted.Where((s, i) => i == 0 || File.Exists(System.IO.Path.Combine(path, s.File))).ToArray();
                foreach (var (file, value) in settings) File.WriteAllText(System.IO.Path.Combine(path, file), value);
                return new SandboxCgroup(path, version, settings);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Rmdir(path);
            }
        }
        return null;
    }

    /// <summary>Where a session's cgroup may go: the caller's own (delegated) cgroup first, then the root.</summary>
    private static IEnumerable<(string Parent, string Version)> Candidates()
    {
        string[] own;
        try { own = File.ReadAllLines("/proc/self/cgroup"); }
        catch (IOException) { yield break; }
        if (File.Exists(System.IO.Path.Combine(Root, "cgroup.controllers")))
        {
            // v2: a cgroup with processes cannot hand controllers to children, except the root; so only where memory is already delegated.
            var path = own.FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
            if (path is not null && path != "/" && SubtreeHasMemory(Root + path)) yield return (Root + path, "v2");
            if (SubtreeHasMemory(Root)) yield return (Root, "v2");
            yield break;
        }
        var memory = System.IO.Path.Combine(Root, "memory");
        if (!File.Exists(System.IO.Path.Combine(memory, "memory.limit_in_bytes"))) yield break;
        // v1: under the caller's own memory cgroup, so whatever bounds the caller still bounds the sandbox.
        var mine = own.Select(l => l.Split(':', 3)).FirstOrDefault(p => p.Length == 3 && p[1].Split(',').Contains("memory"))?[2];
        yield return (mine is null or "/" ? memory : memory + mine, "v1");
    }

    private static bool SubtreeHasMemory(string dir)
    {
        try { return File.ReadAllText(System.IO.Path.Combine(dir, "cgroup.subtree_control")).Split(' ', '\n').Contains("memory"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Leftovers of crashed runs: every empty localclaude-* cgroup (rmdir refuses one with processes, and a live session's launcher re-creates its own).</summary>
    private static void RemoveStale(string parent)
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(parent, NamePrefix + "*"))
                if (!HasProcesses(dir)) Rmdir(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool HasProcesses(string dir)
    {
        try { return File.ReadAllText(System.IO.Path.Combine(dir, "cgroup.procs")).Trim().Length > 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return true; }
    }

    private static bool Rmdir(string dir)
    {
        try { Directory.Delete(dir, recursive: false); return true; }
        catch (DirectoryNotFoundException) { return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Removes the cgroup once its processes are gone (exiting ones take a moment); false if it stays.</summary>
    public async Task<bool> RemoveAsync()
    {
        for (var round = 0; round < 50; round++)
        {
            if (!HasProcesses(Path) && Rmdir(Path)) return true;
            await Task.Delay(100);
        }
        return false;
    }

    public bool Exists => Directory.Exists(Path);

    /// <summary>Processes the kernel's OOM killer ended because the whole sandbox reached its memory bound.</summary>
    public long OomKills()
    {
        var file = Version == "v2" ? "memory.events" : "memory.oom_control";
        try
        {
            var line = File.ReadLines(System.IO.Path.Combine(Path, file)).FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["oom_kill ".Length..], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }
}
