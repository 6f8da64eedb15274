using System.Globalization;
using System.Text;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>One process as the host sees it in /proc.</summary>
internal sealed record HostProcess(int Pid, int ParentPid, int ProcessGroup, int Session, string Name, char State, string CommandLine)
{
    public override string ToString() => $"{Pid} (ppid {ParentPid}, pgrp {ProcessGroup}, sid {Session}) {Name}: {CommandLine}";
}

/// <summary>The host's process table, read from /proc (host-side evidence: pids, groups, sessions, tracers, limits).</summary>
internal static class HostProcesses
{
    public static IReadOnlyList<HostProcess> Snapshot()
    {
        var found = new List<HostProcess>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var cmdline = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))).Replace('\0', ' ').Trim();
                found.Add(new HostProcess(pid, Int(fields[1]), Int(fields[2]), Int(fields[3]), name, fields[0][0], cmdline));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    public static IReadOnlyList<HostProcess> DescendantsOf(IReadOnlyList<HostProcess> table, int pid)
    {
        var result = new List<HostProcess>();
        var parents = new HashSet<int> { pid };
        bool grew;
        do
        {
            grew = false;
            foreach (var p in table)
                if (!parents.Contains(p.Pid) && parents.Contains(p.ParentPid)) { parents.Add(p.Pid); result.Add(p); grew = true; }
        } while (grew);
        return result;
    }

    /// <summary>The launcher of a run: the topmost process whose command line names the run's unique script.</summary>
    public static HostProcess? Launcher(IReadOnlyList<HostProcess> table, string script)
    {
        var named = table.Where(p => p.CommandLine.Contains(script, StringComparison.Ordinal) && p.CommandLine.Contains("launch", StringComparison.Ordinal)
            && p.Name != "bwrap").ToArray();
        var pids = named.Select(p => p.Pid).ToHashSet();
        return named.FirstOrDefault(p => !pids.Contains(p.ParentPid));
    }

    /// <summary>
    /// The attack script as the host sees it: the launcher's descendant under bwrap whose command line names the
    /// script's file (inside, its folder has another path; a shebang script's comm is its file name).
    /// </summary>
    public static HostProcess? SandboxScript(IReadOnlyList<HostProcess> table, HostProcess? launcher, string script)
    {
        if (launcher is null) return null;
        var name = Path.GetFileName(script);
        var bwrap = DescendantsOf(table, launcher.Pid).FirstOrDefault(p => p.Name == "bwrap");
        return bwrap is null ? null : DescendantsOf(table, bwrap.Pid).FirstOrDefault(p => p.Name != "bwrap" && p.CommandLine.Contains(name, StringComparison.Ordinal));
    }

    /// <summary>The value of one line of /proc/PID/status (TracerPid, Seccomp, ...), or null.</summary>
    public static string? Status(int pid, string key)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal))?[(key.Length + 1)..].Trim();
        }
        catch (IOException) { return null; }
    }

    /// <summary>The soft limit of one row of /proc/PID/limits ("Max processes", ...): null when unlimited or unknown.</summary>
    public static long? Limit(int pid, string row)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/limits").FirstOrDefault(l => l.StartsWith(row, StringComparison.Ordinal));
            var soft = line?[row.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return soft is null or "unlimited" ? null : long.Parse(soft, CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
    }

    /// <summary>A cgroup v2 control file (memory.max, pids.max, cpu.max) of the process's cgroup or its ancestors, the tightest one that is set.</summary>
    public static IReadOnlyList<string> CgroupValues(int pid, string file)
    {
        var values = new List<string>();
        try
        {
            var path = File.ReadLines($"/proc/{pid}/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
            for (var dir = path; !string.IsNullOrEmpty(dir) && dir != "/"; dir = Path.GetDirectoryName(dir))
            {
                var control = Path.Combine("/sys/fs/cgroup" + dir, file);
                if (File.Exists(control)) values.Add($"{dir}/{file}={File.ReadAllText(control).Trim()}");
            }
        }
        catch (IOException) { }
        return values;
    }

    /// <summary>The launcher's descendants that run outside the sandbox (bwrap itself included, nothing under it).</summary>
    public static IReadOnlyList<HostProcess> LauncherSide(IReadOnlyList<HostProcess> table, HostProcess launcher)
    {
        var sandboxed = table.Where(p => p.Name == "bwrap").SelectMany(b => DescendantsOf(table, b.Pid)).Select(p => p.Pid).ToHashSet();
        return DescendantsOf(table, launcher.Pid).Where(p => !sandboxed.Contains(p.Pid)).ToArray();
    }

    /// <summary>Resident memory (MiB) of the launcher's own processes: itself and its descendants outside the sandbox (not under bwrap).</summary>
    public static long LauncherResidentMiB(IReadOnlyList<HostProcess> table, HostProcess launcher)
    {
        var sandboxed = table.Where(p => p.Name == "bwrap").SelectMany(b => DescendantsOf(table, b.Pid).Append(b)).Select(p => p.Pid).ToHashSet();
        return DescendantsOf(table, launcher.Pid).Append(launcher).Where(p => !sandboxed.Contains(p.Pid))
            .Sum(p => long.TryParse(Status(p.Pid, "VmRSS")?.Split(' ')[0], CultureInfo.InvariantCulture, out var kib) ? kib / 1024 : 0);
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException) { return false; }
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
