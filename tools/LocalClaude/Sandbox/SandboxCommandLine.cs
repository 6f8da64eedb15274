using System.Globalization;

namespace LocalClaude.Sandbox;

/// <summary>Everything the argv of one sandboxed command depends on.</summary>
internal sealed record SandboxPlan(
    SandboxToolPaths Tools, bool DropPrivileges, int Uid, int Gid, SandboxSpec Spec, SandboxLayout Layout, string SessionId,
    SandboxCgroup? Cgroup);

/// <summary>
/// Builds the argv:
/// <c>env -i [unshare --mount] bash LAUNCHER [setpriv …] bwrap … -- /bin/sh /run/localclaude/init.sh COMMAND ARGS</c>.
/// The launcher (host side, as the caller) fills the staging mount points in a private mount namespace, closes every
/// inherited descriptor above 2, and execs; setpriv drops to the sandbox uid with no capabilities; bwrap builds the
/// namespaces and mounts as that uid.
/// </summary>
internal static class SandboxCommandLine
{
    public const string SessionMarker = "LOCALCLAUDE_SANDBOX_ID";
    private const string HostPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // $1: mount tool, $2: seccomp program file, $3: "job" (interactive) or "exec", $4-$8: limits (tasks, data KiB,
    // file KiB, CPU s soft and hard), $9: the session's cgroup ("" for none), $10: its FILE=VALUE settings, $11: number
    // of (source, staging point) pairs, then the pairs, then the command.
    private const string SeccompDescriptor = "3";
    private const string Launcher = $$"""
        set -e
        mount_tool=$1; seccomp=$2; mode=$3; tasks=$4; data=$5; fsize=$6; cpu=$7; cpu_hard=$8; cgroup=$9; cgroup_settings=${10}; pairs=${11}; shift 11
        if [ -n "$cgroup" ]; then
          # Everything from here on (bwrap and all inside) in the session's cgroup: memory bounded for the whole sandbox.
          # Re-created if a stale sweep took it while empty; a failure ends the launch (set -e) rather than run unbounded.
          mkdir -p -- "$cgroup"
          for setting in $cgroup_settings; do echo "${setting#*=}" > "$cgroup/${setting%%=*}"; done
          echo $$ > "$cgroup/cgroup.procs"
        fi
        while [ "$pairs" -gt 0 ]; do "$mount_tool" --bind -- "$1" "$2"; shift 2; pairs=$((pairs - 1)); done
        # An inherited descriptor (an open directory above all) would be a way out of the mount namespace.
        for fd in /proc/self/fd/*; do
          fd=${fd##*/}
          case $fd in 0|1|2) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
        done
        # Hard limits before dropping privileges: nothing inside can raise them. Soft first (a hard one below the soft fails).
        ulimit -S -u "$tasks" -d "$data" -f "$fsize" -t "$cpu"
        ulimit -H -u "$tasks" -d "$data" -f "$fsize" -t "$cpu_hard"
        # bwrap reads the seccomp program from this descriptor (--seccomp) and closes it.
        exec {{SeccompDescriptor}}<"$seccomp"
        if [ "$mode" = job ]; then
          # Shared terminal: the sandbox becomes its own foreground process group (job control), so kill(0, …) inside
          # reaches only the sandbox, and this shell takes the terminal back when it ends.
          set +e -m
          "$@"
          exit $?
        fi
        exec "$@"
        """;

    // Host /etc files the tools inside need (TLS roots, time zone, alternatives symlinks); never passwd, shadow or resolv.conf.
    private static readonly string[] HostEtc =
    [
        "/etc/ssl", "/etc/ca-certificates", "/etc/alternatives", "/etc/localtime", "/etc/timezone", "/etc/ld.so.cache",
        "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/os-release", "/etc/terminfo", "/etc/services", "/etc/protocols",
    ];

    private static readonly string[] TopLevelSystemDirs = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    public static IReadOnlyList<string> Build(SandboxPlan plan, string command, IReadOnlyList<string> arguments)
    {
        var argv = new List<string> { "/usr/bin/env", "-i", HostPath };
        var staged = plan.Layout.Binds.Where(b => b.Source != b.HostPath).ToArray();
        if (plan.DropPrivileges)
            argv.AddRange([plan.Tools.Unshare!, "--mount", "--propagation", "private", "--"]);
        // In job mode the launcher shell stays as bwrap's parent: it must die with ours, as bwrap (--die-with-parent) would.
        if (plan.Spec.Interactive && plan.Tools.Setpriv is { } setpriv) argv.AddRange([setpriv, "--pdeathsig", "KILL", "--"]);
        argv.AddRange(["/bin/bash", "--noprofile", "--norc", "-c", Launcher, "localclaude-sandbox"]);
        argv.Add(plan.Tools.Mount ?? "mount");
        argv.Add(SeccompFilterPath(plan.Layout));
        argv.Add(plan.Spec.Interactive ? "job" : "exec");
        var limits = plan.Spec.Limits;
        argv.AddRange(new long[] { limits.MaxProcesses, limits.MaxMemoryBytes / 1024, limits.MaxFileBytes / 1024, limits.MaxCpuSeconds, limits.MaxCpuSeconds + SandboxLimits.CpuGraceSeconds }
            .Select(v => v.ToString(CultureInfo.InvariantCulture)));
        argv.AddRange([plan.Cgroup?.Path ?? "", plan.Cgroup?.SettingsArgument ?? ""]);
        argv.Add(staged.Length.ToString(CultureInfo.InvariantCulture));
        foreach (var bind in staged) argv.AddRange([bind.HostPath, bind.Source]);

        // bwrap starts with the parent-death signal already set (setpriv sets it after changing ids, just before exec):
        // its own --die-with-parent comes a moment later, and a parent killed in that moment left it running.
        if (plan.DropPrivileges)
        {
            var inv = CultureInfo.InvariantCulture;
            argv.AddRange([
                plan.Tools.Setpriv!, string.Create(inv, $"--reuid={plan.Uid}"), string.Create(inv, $"--regid={plan.Gid}"),
                "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--pdeathsig", "KILL", "--",
            ]);
        }
        else if (plan.Tools.Setpriv is { } setprivForBwrap) argv.AddRange([setprivForBwrap, "--pdeathsig", "KILL", "--"]);
        argv.AddRange(BwrapArguments(plan));
        argv.AddRange(["--", "/bin/sh", SandboxLayout.InitInside, command]);
        argv.AddRange(arguments);
        return argv;
    }

    private static IEnumerable<string> BwrapArguments(SandboxPlan plan)
    {
        var spec = plan.Spec;
        var size = spec.TmpfsBytes.ToString(CultureInfo.InvariantCulture);
        var a = new List<string>
        {
            plan.Tools.Bwrap!,
            "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--cap-drop", "ALL",
            "--hostname", "localclaude-sandbox", "--seccomp", SeccompDescriptor,
        };
        // Headless: a session of its own (no controlling terminal at all). Interactive: the caller's terminal stays the
        // controlling one, so the seccomp filter denies TIOCSTI/TIOCLINUX and the launcher gives it its own process group.
        if (!spec.Interactive) a.Add("--new-session");

        a.AddRange(["--ro-bind", "/usr", "/usr"]);
        foreach (var dir in TopLevelSystemDirs)
        {
            var info = new DirectoryInfo(dir);
            if (info.LinkTarget is { } target) a.AddRange(["--symlink", target, dir]);
            else if (info.Exists) a.AddRange(["--ro-bind", dir, dir]);
        }
        foreach (var etc in HostEtc) a.AddRange(["--ro-bind-try", etc, etc]);

        a.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        // Private, size-limited memory folders; /dev itself read-only so it cannot be filled either.
        a.AddRange(["--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]);
        a.AddRange(["--size", size, "--tmpfs", "/tmp"]);

        foreach (var bind in plan.Layout.Binds.Concat(plan.Layout.DenyBinds))
            a.AddRange([bind.ReadOnly ? "--ro-bind" : "--bind", bind.Source, bind.InsidePath]);
        a.AddRange(["--ro-bind", plan.Layout.MountDirectory, SandboxLayout.MountInside]);
        foreach (var name in SandboxLayout.GeneratedEtcFiles)
            a.AddRange(["--symlink", $"{SandboxLayout.MountInside}/{name}", $"/etc/{name}"]);
        a.AddRange(["--remount-ro", "/"]);

        a.Add("--clearenv");
        foreach (var (name, value) in Environment(plan)) a.AddRange(["--setenv", name, value]);
        a.AddRange(["--chdir", spec.WorkDirectoryInside]);
        return a;
    }

    /// <summary>Where the compiled <see cref="SeccompFilter"/> lies in the session's runtime folder (read by the launcher as the caller).</summary>
    public static string SeccompFilterPath(SandboxLayout layout) => Path.Combine(layout.Root, "seccomp.bpf");

    public static IReadOnlyDictionary<string, string> Environment(SandboxPlan plan)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = SandboxSpec.HomeInside,
            ["USER"] = "sbx",
            ["LOGNAME"] = "sbx",
            ["SHELL"] = "/bin/bash",
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
            ["TMPDIR"] = "/tmp",
            ["TERM"] = plan.Spec.Interactive ? "xterm-256color" : "dumb",
        };
        foreach (var (name, value) in plan.Spec.Environment) env[name] = value;
        // Last, so the spec cannot hide it: lets Dispose find processes started outside our control (tmux).
        env[SessionMarker] = plan.SessionId;
        return env;
    }
}
