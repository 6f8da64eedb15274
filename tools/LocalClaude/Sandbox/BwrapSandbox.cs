using System.Globalization;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;

namespace LocalClaude.Sandbox;

/// <summary>
/// Runs commands (the real Claude Code) under bubblewrap so that they write only to one work dir and their own HOME,
/// see none of the host's config or credentials, reach only 127.0.0.1:PORT (through <see cref="PortBridge"/>), and run
/// without capabilities as an unprivileged host uid. It refuses (<see cref="SandboxUnavailableException"/>) rather
/// than run anything unsandboxed when a tool is missing or a probe shows a guarantee is not enforced.
/// </summary>
public sealed partial class BwrapSandbox(BwrapSandboxOptions? options = null)
{
    private readonly BwrapSandboxOptions _options = options ?? new BwrapSandboxOptions();
    private readonly SemaphoreSlim _probeGate = new(1, 1);
    private SandboxProbe? _probe;

    public BwrapSandboxOptions Options => _options;

    /// <summary>Finds the tools and, if they are there, builds a throwaway sandbox to check every guarantee it relies on. Cached.</summary>
    public async Task<SandboxProbe> ProbeAsync(CancellationToken cancellationToken = default)
    {
        await _probeGate.WaitAsync(cancellationToken);
        try { return _probe ??= await ProbeCoreAsync(cancellationToken); }
        finally { _probeGate.Release(); }
    }

    /// <summary>Checks the spec, hands the work dir and HOME to the sandbox uid, starts the bridge, and returns the session.</summary>
    public async Task<SandboxSession> StartAsync(SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        var probe = await ProbeAsync(cancellationToken);
        probe.EnsureUsable(withNetwork: spec.ModelServerPort is not null);
        return await StartCoreAsync(spec, probe, cancellationToken);
    }

    private async Task<SandboxSession> StartCoreAsync(SandboxSpec spec, SandboxProbe probe, CancellationToken cancellationToken)
    {
        var (work, home, readOnly) = Validate(spec);
        var caller = HostIdentity.Current();
        var id = Guid.NewGuid().ToString("N")[..12];
        // Before anything runs inside: what layer 2 of the deny list compares with when the sandbox has ended.
        var denied = new[]
        {
            WriteDenyList.Take(work, WriteDenyList.ForWorkDirectory(spec.DenyWrite)),
            WriteDenyList.Take(home, WriteDenyList.ForHome(spec.DenyWrite)),
        };
        var layout = SandboxLayout.Create(_options.RuntimeRoot, id, spec, work, home, readOnly,
            probe.Tools.Socat, probe.SandboxUid, probe.SandboxGid, stage: caller.IsRoot, denied);
        // The sandbox-wide memory bound where a cgroup can be made; the spec's limits then say which one applies.
        var cgroup = SandboxCgroup.TryCreate(id, spec.Limits);
        spec = spec with { Limits = spec.Limits with { SandboxWideBy = cgroup is null ? null : "cgroup " + cgroup.Version } };
        var plan = new SandboxPlan(probe.Tools, caller.IsRoot, probe.SandboxUid, probe.SandboxGid, spec, layout, id, cgroup);
        PortBridge? bridge = null;
        var handedOver = false;
        try
        {
            File.WriteAllBytes(SandboxCommandLine.SeccompFilterPath(layout), SeccompFilter.Compile());
            if (caller.IsRoot)
            {
                handedOver = true;
                await Ownership.GiveAsync([work, home], probe.SandboxUid, probe.SandboxGid, cancellationToken);
            }
            if (spec.ModelServerPort is { } port)
                bridge = await PortBridge.StartAsync(layout.SocketPath, port,
                    caller.IsRoot ? (probe.SandboxUid, probe.SandboxGid) : null, layout.BridgeLog, cancellationToken);
            return new SandboxSession(plan, bridge, caller.IsRoot ? caller : null);
        }
        catch
        {
            if (bridge is not null) await bridge.DisposeAsync();
            if (handedOver) await Ownership.GiveAsync([work, home], caller.Uid, caller.Gid, CancellationToken.None);
            layout.Delete();
            if (cgroup is not null) await cgroup.RemoveAsync();
            throw;
        }
    }

    private async Task<SandboxProbe> ProbeCoreAsync(CancellationToken cancellationToken)
    {
        var search = _options.SearchPath ?? ToolLocator.DefaultSearchPath;
        var tools = new SandboxToolPaths(
            ToolLocator.Find(_options.Bwrap, search), ToolLocator.Find(_options.Socat, search),
            ToolLocator.Find(_options.Setpriv, search), ToolLocator.Find(_options.Unshare, search),
            ToolLocator.Find(_options.Mount, search));
        var caller = HostIdentity.Current();
        var problems = new List<SandboxProblem>();
        void Missing(string component, string name, string why, string package, bool onlyForNetwork = false) =>
            problems.Add(new SandboxProblem(component, $"'{name}' was not found in {search}; {why}.", $"apt-get install -y {package}", onlyForNetwork));

        if (tools.Bwrap is null) Missing("bubblewrap", _options.Bwrap, "it builds the sandbox", "bubblewrap");
        if (tools.Socat is null) Missing("socat", _options.Socat, "it bridges the one allowed model-server port", "socat", onlyForNetwork: true);
        if (tools.Setpriv is null) Missing("setpriv", _options.Setpriv, "it drops root to the unprivileged sandbox uid and ties an interactive sandbox to its parent", "util-linux");
        var (uid, gid) = caller.IsRoot ? (_options.SandboxUid, _options.SandboxGid) : (caller.Uid, caller.Gid);
        if (caller.IsRoot)
        {
            // As root, bwrap alone leaves the command host uid 0 (able to write any root-owned file bound in): drop first.
            if (tools.Unshare is null) Missing("unshare", _options.Unshare, "it stages the binds in a private mount namespace", "util-linux");
            if (tools.Mount is null) Missing("mount", _options.Mount, "it stages the binds in a private mount namespace", "mount");
            if (uid <= 0 || gid <= 0)
                problems.Add(new SandboxProblem("identity", $"sandbox uid/gid {uid}/{gid} is root.", "set BwrapSandboxOptions.SandboxUid/SandboxGid to an unused id"));
            if (UntraversableAncestor(_options.RuntimeRoot) is { } closed)
                problems.Add(new SandboxProblem("runtime folder", $"'{closed}' (above RuntimeRoot '{_options.RuntimeRoot}') cannot be traversed by other users, so the sandbox uid cannot reach its mount points.",
                    "set BwrapSandboxOptions.RuntimeRoot to a world-traversable folder such as /tmp"));
            foreach (var account in new[] { HostIdentity.AccountUsing(uid), HostIdentity.AccountUsing(gid) }.OfType<string>().Distinct())
                problems.Add(new SandboxProblem("identity", $"sandbox id {uid}/{gid} belongs to an existing account ({account}).", "set BwrapSandboxOptions.SandboxUid/SandboxGid to an unused id"));
        }
        if (!SeccompFilter.SupportedHost)
            problems.Add(new SandboxProblem("seccomp", $"the sandbox's seccomp filter is written for the x86_64 syscall table; this host is {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}.",
                "run on an x86_64 host (the filter would kill every syscall of another architecture)"));
        var probe = new SandboxProbe { Tools = tools, CallerIsRoot = caller.IsRoot, SandboxUid = uid, SandboxGid = gid, Problems = problems };
        if (!probe.CanRun(withNetwork: false)) return probe;
        problems.AddRange(await CheckGuaranteesAsync(probe, cancellationToken));
        return probe with { Problems = problems.ToArray() };
    }

    // What the throwaway sandbox reports about itself; each line is checked against the guarantee it backs.
    private const string ProbeScript = """
        echo "uid=$(id -u)"
        grep -E '^(CapEff|CapPrm|NoNewPrivs|Seccomp):' /proc/self/status
        echo "limits=$(grep -E '^Max (processes|data size|file size|cpu time) ' /proc/self/limits | awk '{print $(NF-1)}' | tr '\n' /)"
        touch /localclaude-probe 2>/dev/null && echo "writable=/"
        touch /usr/localclaude-probe 2>/dev/null && echo "writable=/usr"
        unshare -U true 2>/dev/null && echo "userns=allowed"
        echo "interfaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
        touch ./probe && echo "work=writable"
        """;

    private async Task<IReadOnlyList<SandboxProblem>> CheckGuaranteesAsync(SandboxProbe probe, CancellationToken cancellationToken)
    {
        var problems = new List<SandboxProblem>();
        void Fail(string message, string? fix = null) => problems.Add(new SandboxProblem("guarantee", message, fix));
        var scratch = Directory.CreateTempSubdirectory("localclaude-sbx-probe-").FullName;
        var spec = new SandboxSpec { WorkDirectory = Path.Combine(scratch, "work"), HomeDirectory = Path.Combine(scratch, "home") };
        Directory.CreateDirectory(spec.WorkDirectory);
        Directory.CreateDirectory(spec.HomeDirectory);
        try
        {
            CommandResult result;
            int? hostOwner;
            await using (var session = await StartCoreAsync(spec, probe, cancellationToken))
            {
                result = await session.RunShellAsync(ProbeScript, TimeSpan.FromSeconds(30), cancellationToken);
                // Checked on the host before Dispose gives the folder back: who really owns what the sandbox wrote.
                var written = Path.Combine(spec.WorkDirectory, "probe");
                hostOwner = File.Exists(written) ? await FileOwnerAsync(written, cancellationToken) : null;
            }
            var lines = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries);
            string? Value(string key) => lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?[key.Length..].Trim();

            if (Value("uid=") is null)
            {
                Fail($"bwrap could not build the sandbox as uid {probe.SandboxUid} (exit {result.ExitCode}): {result.StandardError.Trim()}",
                    "allow unprivileged user namespaces: sysctl -w user.max_user_namespaces=15000 " +
                    "(and kernel.unprivileged_userns_clone=1 where it exists; kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04+)");
                return problems;
            }
            var expectedUid = probe.SandboxUid.ToString(CultureInfo.InvariantCulture);
            if (Value("uid=") != expectedUid) Fail($"the sandbox runs as uid {Value("uid=")}, not {expectedUid}.");
            if (probe.CallerIsRoot && hostOwner != probe.SandboxUid)
                Fail($"a file written inside is owned by host uid {hostOwner?.ToString(CultureInfo.InvariantCulture) ?? "(none written)"}, not the sandbox uid {expectedUid}.");
            if (Value("CapEff:") is not "0000000000000000" || Value("CapPrm:") is not "0000000000000000")
                Fail($"processes inside keep capabilities (CapEff {Value("CapEff:")}, CapPrm {Value("CapPrm:")}).");
            if (Value("NoNewPrivs:") != "1") Fail("no_new_privs is not set inside, so setuid binaries could raise privileges.");
            if (Value("Seccomp:") != "2") Fail($"the seccomp filter is not active inside (Seccomp: {Value("Seccomp:")}).");
            var limits = spec.Limits;
            var expectedLimits = string.Create(CultureInfo.InvariantCulture,
                $"{limits.MaxCpuSeconds + SandboxLimits.CpuGraceSeconds}/{limits.MaxFileBytes / 1024 * 1024}/{limits.MaxMemoryBytes / 1024 * 1024}/{limits.MaxProcesses}/");
            if (Value("limits=") != expectedLimits) Fail($"the hard resource limits inside are {Value("limits=")}, not {expectedLimits} (CPU s/file bytes/data bytes/tasks).");
            foreach (var path in lines.Where(l => l.StartsWith("writable=", StringComparison.Ordinal)))
                Fail($"the sandbox could write to {path["writable=".Length..]}.");
            if (lines.Contains("userns=allowed")) Fail("a new user namespace could be created inside (a way to regain capabilities).");
            if (Value("interfaces=") is { } interfaces && interfaces != "lo")
                Fail($"network interfaces other than lo are visible inside: {interfaces}.");
            if (!lines.Contains("work=writable")) Fail($"the work dir was not writable inside: {result.StandardError.Trim()}");
        }
        catch (Exception e) when (e is ExternalCommandException or InvalidOperationException or IOException)
        {
            Fail($"the probe sandbox failed: {e.Message}");
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return problems;
    }

    /// <summary>The first folder on the way to <paramref name="path"/> (or the path itself) without execute permission for others.</summary>
    private static string? UntraversableAncestor(string path)
    {
        var current = Path.GetFullPath(path);
        while (!Directory.Exists(current)) current = Path.GetDirectoryName(current) ?? "/";
        for (var dir = current; dir is not null; dir = Path.GetDirectoryName(dir))
            if ((File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0) return dir;
        return null;
    }

    private static async Task<int?> FileOwnerAsync(string path, CancellationToken cancellationToken)
    {
        var status = await ExternalCommand.RunAsync("stat", ["-c", "%u", "--", path],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(10), ThrowOnFailure = false }, cancellationToken);
        return int.TryParse(status.StandardOutput.Trim(), CultureInfo.InvariantCulture, out var uid) ? uid : null;
    }

    private static (string Work, string Home, IReadOnlyList<ReadOnlyBind> ReadOnly) Validate(SandboxSpec spec)
    {
        var work = RealDirectory(spec.WorkDirectory, "work dir");
        var home = RealDirectory(spec.HomeDirectory, "sandbox HOME");
        // Both are chowned recursively to the sandbox uid and written from inside: never a reserved folder (one list, ReservedPaths).
        var reserved = ReservedPaths.ForSandbox(LocalClaudeHome.Default(), ReservedPaths.UserHome());
        foreach (var (path, what) in new[] { (work, "work dir"), (home, "sandbox HOME") })
            if (reserved.WritableFolderConflict(path) is { } conflict)
                throw new ArgumentException(conflict.Describe(what) + "; the sandbox could change it. Use a folder of its own.");
        if (RealPath.Overlap(work, home)) throw new ArgumentException($"the work dir ({work}) and the sandbox HOME ({home}) must be separate folders");
        foreach (var entry in spec.DenyWrite)
            if (!WriteDenyList.IsValidEntry(entry))
                throw new ArgumentException($"deny-write entry '{entry}' must be a relative path without '.' or '..' parts");

        CheckInsidePath(spec.WorkDirectoryInside, nameof(spec.WorkDirectoryInside));
        if (RealPath.Overlap(spec.WorkDirectoryInside, SandboxSpec.HomeInside))
            throw new ArgumentException($"{nameof(spec.WorkDirectoryInside)} '{spec.WorkDirectoryInside}' overlaps the sandbox HOME {SandboxSpec.HomeInside}");
        var readOnly = new List<ReadOnlyBind>();
        foreach (var bind in spec.ReadOnlyBinds)
        {
            CheckInsidePath(bind.InsidePath, "read-only bind");
            // Beneath the work dir is fine (mounted after it); on top of or above it would hide it.
            foreach (var writable in new[] { spec.WorkDirectoryInside, SandboxSpec.HomeInside })
                if (writable == bind.InsidePath || writable.StartsWith(bind.InsidePath + "/", StringComparison.Ordinal))
                    throw new ArgumentException($"read-only bind '{bind.InsidePath}' would hide {writable}");
            var host = RealPath.OfExisting(bind.HostPath) ?? throw new ArgumentException($"read-only bind source '{bind.HostPath}' does not exist");
            // Inside a reserved folder is fine read-only (the Claude Code install in the cache); being or holding one is not (/, /tmp, HOME).
            if (reserved.Conflict(host) is { Relation: not ReservedRelation.Inside } exposed)
                throw new ArgumentException(exposed.Describe("read-only bind source") + "; the sandbox would see all of it");
            readOnly.Add(bind with { HostPath = host });
        }
        // The listener inside runs unprivileged, so it cannot bind a port below 1024.
        if (spec.ModelServerPort is { } port and (< 1024 or > 65535))
            throw new ArgumentOutOfRangeException(nameof(spec), port, "ModelServerPort must be 1024-65535 (the sandbox cannot listen on a privileged port)");
        spec.Limits.Validate();
        if (spec.TmpfsBytes < 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(spec), spec.TmpfsBytes, "TmpfsBytes must be at least 1 MiB");
        foreach (var (name, value) in spec.Environment)
        {
            if (!VariableName().IsMatch(name)) throw new ArgumentException($"'{name}' is not a valid environment variable name");
            if (value.Contains('\0')) throw new ArgumentException($"the value of {name} contains a NUL character");
        }
        return (work, home, readOnly);
    }

    private static void CheckInsidePath(string path, string what)
    {
        if (!path.StartsWith('/') || path == "/" || path.Split('/').Any(p => p is "." or "..") || path.Contains("//", StringComparison.Ordinal))
            throw new ArgumentException($"{what} '{path}' must be an absolute, normalised path other than /");
        foreach (var reserved in new[] { "/proc", "/dev", "/tmp", "/usr", "/etc", SandboxLayout.MountInside })
            if (path == reserved || path.StartsWith(reserved + "/", StringComparison.Ordinal))
                throw new ArgumentException($"{what} '{path}' is inside {reserved}, which the sandbox provides itself");
    }

    private static string RealDirectory(string path, string what)
    {
        var real = RealPath.OfExisting(path);
        if (real is null || !Directory.Exists(real)) throw new ArgumentException($"the {what} '{path}' does not exist or is not a folder");
        return real;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
