using System.Globalization;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;
using LocalClaude.Relay;
using LocalClaude.Traffic;

namespace LocalClaude.Sandbox;

/// <summary>
/// The one way out of the sandbox's network namespace: an HTTP relay (<see cref="RecordingProxy"/> without copies)
/// listening on a unix socket, in front of 127.0.0.1:PORT. Inside, <see cref="InsideListenerScript"/> listens on
/// 127.0.0.1:PORT and forwards to that socket, so the sandbox reaches exactly one host port, and on it only the
/// requests <see cref="ForwardingRule"/> allows; at most <see cref="RecordingProxy.DefaultMaxConnections"/> connections
/// at once, with no host process per connection.
/// </summary>
/// <remarks>
/// Why the relay: llama-server closes a kept-alive connection right after each streamed answer (conformance check
/// http.keep-alive). Direct, Claude Code sees the close in time; through two socat hops the close arrived after its
/// next request had gone out on that connection (9 retries in 30 E2E trials). The relay keeps the sandbox's
/// connections open as HTTP/1.1 promises and sends a request lost upstream once more.
/// </remarks>
public sealed partial class PortBridge : IAsyncDisposable
{
    private const int LoggedRefusals = 1000;
    private readonly RecordingProxy _relay;
    private readonly RefusalLog _log;
    private int _disposed;

    private PortBridge(RecordingProxy relay, RefusalLog log, string socketPath, int port)
    {
        _relay = relay;
        _log = log;
        SocketPath = socketPath;
        Port = port;
    }

    public string SocketPath { get; }
    public int Port { get; }
    /// <summary>Whether the relay has stopped (it runs in this process, so only once disposed).</summary>
    public bool HasExited => Volatile.Read(ref _disposed) != 0;
    /// <summary>The last refused requests and connections.</summary>
    public string Tail(int lines = 20) => _log.Tail(lines);
    /// <summary>Client connections open now and refused so far for the limit.</summary>
    public int OpenConnections => _relay.OpenConnections;
    public int RefusedConnections => _relay.RefusedConnections;

    /// <summary>
    /// Starts the relay on <paramref name="socketPath"/>. <paramref name="socketOwner"/> (uid, gid) owns the socket
    /// (mode 600) so that only the sandbox's uid can connect; null keeps this process's uid. Refusals go to <paramref name="logFile"/>.
    /// </summary>
    public static async Task<PortBridge> StartAsync(
        string socketPath, int port, (int Uid, int Gid)? socketOwner, string logFile, CancellationToken cancellationToken)
    {
        if (port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "not a TCP port");
        if (!PlainPath().IsMatch(socketPath) || !Path.IsPathFullyQualified(socketPath))
            throw new ArgumentException($"socket path '{socketPath}' must be absolute and plain (letters, digits, / . _ -)", nameof(socketPath));

        // Bound in a folder only this uid can enter, given mode and owner there, then moved into place: nobody else
        // can connect in between, whatever the umask.
        var bindDirectory = Path.Combine(Path.GetDirectoryName(socketPath)!, $".bind-{Guid.NewGuid():N}");
        Directory.CreateDirectory(bindDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var bound = Path.Combine(bindDirectory, "s");
        var log = new RefusalLog(logFile, LoggedRefusals);
        RecordingProxy? relay = null;
        try
        {
            relay = await RecordingProxy.StartRelayAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")),
                new RelayListener { UnixSocketPath = bound, ClientPort = port, OnRefused = log.Add }, cancellationToken);
            File.SetUnixFileMode(bound, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (socketOwner is { } owner)
                await ExternalCommand.RunAsync("chown", ["--no-dereference", string.Create(CultureInfo.InvariantCulture, $"{owner.Uid}:{owner.Gid}"), "--", bound],
                    new CommandOptions { Timeout = TimeSpan.FromSeconds(30) }, cancellationToken);
            File.Move(bound, socketPath, overwrite: true);
            Directory.Delete(bindDirectory);
            return new PortBridge(relay, log, socketPath, port);
        }
        catch
        {
            if (relay is not null) await relay.DisposeAsync();
            log.Dispose();
            try { Directory.Delete(bindDirectory, recursive: true); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>
    /// Shell (sh) lines for the init script inside: listen on 127.0.0.1:PORT, forward to the bridge socket,
    /// and wait until the port listens (exit 125 if it never does).
    /// </summary>
    public static string InsideListenerScript(string socatInside, int port, string socketInside)
    {
        var hex = port.ToString("X4", CultureInfo.InvariantCulture);
        return $"""
            {ExternalCommand.Quote(socatInside)} TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:{socketInside} </dev/null >/dev/null 2>&1 &
            bridge=$!
            tries=0
            until grep -q ': 0100007F:{hex} 00000000:0000 0A' /proc/net/tcp; do
              tries=$((tries + 1))
              if [ "$tries" -gt 500 ] || ! kill -0 "$bridge" 2>/dev/null; then
                echo "localclaude-sandbox: the bridge to the model server did not listen on 127.0.0.1:{port}" >&2
                exit 125
              fi
              sleep 0.01
            done
            """;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _relay.DisposeAsync();
        _log.Dispose();
        try { File.Delete(SocketPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The bridge log: one line per refusal, the first <c>limit</c> of them (the sandbox must not fill the disk), and the last few in memory.</summary>
    private sealed class RefusalLog(string path, int limit) : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly Queue<string> _recent = new();
        private StreamWriter? _writer = new(path, append: true) { AutoFlush = true };
        private int _written;

        public void Add(string line)
        {
            var stamped = $"{DateTime.UtcNow:HH:mm:ss.fff} {line}";
            lock (_gate)
            {
                _recent.Enqueue(stamped);
                if (_recent.Count > 50) _recent.Dequeue();
                if (_writer is null || _written > limit) return;
                _writer.WriteLine(++_written > limit ? $"(more than {limit} refusals; the rest are not logged)" : stamped);
            }
        }

        public string Tail(int lines)
        {
            lock (_gate) return string.Join('\n', _recent.TakeLast(lines));
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _writer?.Dispose();
                _writer = null;
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9/._-]+$")]
    private static partial Regex PlainPath();
}
