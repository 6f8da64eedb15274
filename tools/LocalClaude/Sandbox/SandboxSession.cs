using System.Globalization;
using System.Text;
using LocalClaude.Infrastructure;

namespace LocalClaude.Sandbox;

/// <summary>
/// A prepared sandbox: its runtime folder, the host side of the model-server bridge, and the processes started in it.
/// Every command runs in a fresh bwrap with the same layout. Disposing stops everything it started (bridge, bwrap,
/// processes started from <see cref="BuildCommandLine"/> elsewhere) and gives the work dir and HOME back to the caller's uid.
/// </summary>
public sealed class SandboxSession : IAsyncDisposable
{
    private readonly SandboxPlan _plan;
    private readonly PortBridge? _bridge;
    private readonly HostIdentity? _restoreOwner;
    private readonly List<GuardedProcess> _processes = [];
    private readonly object _gate = new();
    private bool _disposed;

    internal SandboxSession(SandboxPlan plan, PortBridge? bridge, HostIdentity? restoreOwner)
    {
        _plan = plan;
        _bridge = bridge;
        _restoreOwner = restoreOwner;
    }

    public string Id => _plan.SessionId;
    public SandboxSpec Spec => _plan.Spec;
    /// <summary>Host uid the sandboxed processes run as.</summary>
    public int SandboxUid => _plan.Uid;
    public string WorkDirectoryInside => _plan.Spec.WorkDirectoryInside;
    public string HomeInside => SandboxSpec.HomeInside;
    /// <summary>The model server as seen inside (http://127.0.0.1:PORT), or null without a port.</summary>
    public Uri? ModelServerUrl => _plan.Spec.ModelServerPort is { } port ? new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")) : null;
    /// <summary>
    /// After disposal: what the sandbox created or changed at a deny path (a new <c>.git</c>, hook, rc file, agent
    /// config) and was moved aside as <c>NAME.localclaude-untrusted</c> (see <see cref="WriteDenyList"/>).
    /// </summary>
    public IReadOnlyList<string> Quarantined { get; private set; } = [];

    /// <summary>The session's cgroup directory (the sandbox-wide memory bound), or null where rlimits alone apply.</summary>
    public string? CgroupPath => _plan.Cgroup?.Path;

    /// <summary>Processes the kernel's OOM killer ended because the sandbox as a whole reached its memory bound (0 without a cgroup).</summary>
    public long SandboxOomKills() => _plan.Cgroup?.OomKills() ?? 0;

    /// <summary>The variables the command sees (nothing else from the host).</summary>
    public IReadOnlyDictionary<string, string> Environment => SandboxCommandLine.Environment(_plan);

    /// <summary>The exact argv that runs <paramref name="command"/> in this sandbox (first element: the executable).</summary>
    public IReadOnlyList<string> BuildCommandLine(string command, IReadOnlyList<string> arguments)
    {
        ThrowIfUnusable();
        return SandboxCommandLine.Build(_plan, command, arguments);
    }

    /// <summary>The same argv quoted for a shell, e.g. for <c>tmux new-session -d "…"</c>.</summary>
    public string BuildShellCommand(string command, IReadOnlyList<string> arguments)
    {
        var argv = BuildCommandLine(command, arguments);
        return ExternalCommand.Display(argv[0], argv.Skip(1));
    }

    /// <summary>
    /// Runs <paramref name="command"/> inside to completion. A non-zero exit is returned, not thrown; running past
    /// <paramref name="timeout"/> kills the sandbox and throws <see cref="ExternalCommandException"/>.
    /// </summary>
    public Task<CommandResult> RunAsync(
        string command, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var argv = BuildCommandLine(command, arguments);
        // bwrap's --die-with-parent fires when the *thread* that forked it ends, and .NET forks from pool threads that
        // retire: a shell in between is a parent that lives exactly as long as the run. "; exit" keeps it from exec'ing.
        return ExternalCommand.RunAsync("/bin/sh", ["-c", "\"$@\"; exit $?", "sandbox-parent", .. argv], new CommandOptions
        {
            Timeout = timeout,
            ThrowOnFailure = false,
            WorkingDirectory = "/",
        }, cancellationToken);
    }

    /// <summary>Runs a /bin/sh script inside.</summary>
    public Task<CommandResult> RunShellAsync(string script, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        RunAsync("/bin/sh", ["-c", script], timeout, cancellationToken);

    /// <summary>Starts a long-running command inside; it is stopped when the session is disposed (or when this process dies).</summary>
    public GuardedProcess Start(string command, IReadOnlyList<string> arguments, string logFile, Action<string>? onLine = null)
    {
        var argv = BuildCommandLine(command, arguments);
        var process = GuardedProcess.Start(argv[0], argv.Skip(1).ToArray(), new GuardedProcessOptions
        {
            LogFile = logFile,
            WorkingDirectory = "/",
            OnLine = onLine,
        });
        lock (_gate) _processes.Add(process);
        return process;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_bridge is { HasExited: true })
            throw new InvalidOperationException($"the model-server bridge has stopped, so the sandbox cannot reach the server:\n{_bridge.Tail()}");
    }

    public async ValueTask DisposeAsync()
    {
        GuardedProcess[] processes;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            processes = _processes.ToArray();
        }
        try
        {
            foreach (var process in processes) await process.StopAsync(TimeSpan.FromSeconds(5));
            foreach (var process in processes) await process.DisposeAsync();
            await KillStraysAsync();
            if (_bridge is not null) await _bridge.DisposeAsync();
        }
        finally
        {
            // Only once nothing runs in the sandbox any more, so nothing can race the deny list's check or the chown.
            try
            {
                // If this throws, the folders are not given back: left with the sandbox uid, the caller's git refuses them.
                var moved = new List<string>();
                foreach (var snapshot in _plan.Layout.Denied) moved.AddRange(WriteDenyList.Enforce(snapshot));
                Quarantined = moved;
                if (_restoreOwner is not null)
                    await Ownership.GiveAsync([_plan.Layout.Work.HostPath, _plan.Layout.Home.HostPath], _restoreOwner.Uid, _restoreOwner.Gid, CancellationToken.None);
            }
            finally
            {
                _plan.Layout.Delete();
                // Empty by now (everything above is stopped); a leftover is swept by the next session's start.
                if (_plan.Cgroup is not null) await _plan.Cgroup.RemoveAsync();
            }
        }
    }

    /// <summary>Kills sandboxes of this session that someone started from <see cref="BuildCommandLine"/> (e.g. under tmux).</summary>
    private async Task KillStraysAsync()
    {
        var marker = Encoding.UTF8.GetBytes($"\0{SandboxCommandLine.SessionMarker}\0{Id}\0");
        for (var round = 0; round < 50; round++)
        {
            var strays = SessionProcesses(marker);
            if (strays.Count == 0) return;
            foreach (var pid in strays)
            {
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
                catch (ArgumentException) { } // already gone
                catch (InvalidOperationException) { }
            }
            await Task.Delay(100);
        }
    }

    internal static IReadOnlyList<int> SessionProcesses(byte[] marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == System.Environment.ProcessId) continue;
            byte[] cmdline;
            try { cmdline = File.ReadAllBytes(Path.Combine(dir, "cmdline")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (cmdline.AsSpan().IndexOf(marker) >= 0) found.Add(pid);
        }
        return found;
    }

    /// <summary>Processes on the host (bwrap and its launcher) that belong to this session; empty once disposed.</summary>
    public IReadOnlyList<int> FindProcesses() =>
        SessionProcesses(Encoding.UTF8.GetBytes($"\0{SandboxCommandLine.SessionMarker}\0{Id}\0"));
}

/// <summary>chown -R without following symlinks (a link the sandbox left must not redirect the chown outside).</summary>
internal static class Ownership
{
    public static async Task GiveAsync(IEnumerable<string> paths, int uid, int gid, CancellationToken cancellationToken)
    {
        await ExternalCommand.RunAsync("chown",
            new[] { "-R", "-P", "--no-dereference", string.Create(CultureInfo.InvariantCulture, $"{uid}:{gid}"), "--" }.Concat(paths),
            new CommandOptions { Timeout = TimeSpan.FromMinutes(2) }, cancellationToken);
    }
}
