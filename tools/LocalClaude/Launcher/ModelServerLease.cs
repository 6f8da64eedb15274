using LocalClaude.Server;

namespace LocalClaude.Launcher;

/// <summary>
/// The llama-server one launch talks to: started by this launch (stopped on dispose) or reused from someone else
/// (left running on dispose).
/// </summary>
public sealed class ModelServerLease : IAsyncDisposable
{
    private readonly LlamaServerProcess? _started;

    private ModelServerLease(int pid, int port, LlamaServerProcess? started)
    {
        Pid = pid;
        Port = port;
        _started = started;
    }

    public int Pid { get; }
    public int Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");
    /// <summary>True when this launch started the server (and will stop it).</summary>
    public bool StartedHere => _started is not null;
    /// <summary>The started server's log (null for a reused server: its owner has it).</summary>
    public string? LogFile => _started?.LogFile;
    public TimeSpan? StartupTime => _started?.StartupTime;
    public bool HasExited => _started?.HasExited ?? !Directory.Exists($"/proc/{Pid}");
    public string LogTail(int lines = 15) => _started?.LogTail(lines) ?? "";

    /// <summary>Reuses a matching healthy server when <paramref name="reuse"/> allows it, else starts one.</summary>
    public static async Task<ModelServerLease> AcquireAsync(LlamaServerLaunch launch, bool reuse, CancellationToken cancellationToken)
    {
        if (reuse && await LlamaServerDiscovery.FindReusableAsync(launch, cancellationToken) is { } running)
            return new ModelServerLease(running.Pid, running.Port, started: null);

        // Marks the server as this session's, so that another launch does not share a server that vanishes with us.
        var owned = launch with { Environment = new Dictionary<string, string?> { [LlamaServerDiscovery.OwnerVariable] = $"launch:{Environment.ProcessId}" } };
        var process = (await ServerUnderTest.StartAsync(owned, home: null, cancellationToken)).Process!;
        return new ModelServerLease(ServerPid(process, launch.Binary), process.Port, process);
    }

    /// <summary>llama-server is a child of its guard (beside the guard's watcher subshell).</summary>
    private static int ServerPid(LlamaServerProcess process, string binary) =>
        Infrastructure.ProcessTable.ChildrenOf(process.GuardPid)
            .FirstOrDefault(p => p.CommandLine.StartsWith(binary + " ", StringComparison.Ordinal))?.Pid ?? process.GuardPid;

    public async ValueTask DisposeAsync()
    {
        if (_started is null) return;
        await _started.StopAsync();
        await _started.DisposeAsync();
    }
}
