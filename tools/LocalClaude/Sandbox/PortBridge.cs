using System.Globalization;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;
using LocalClaude.Traffic;

namespace LocalClaude.Sandbox;

/// <summary>
/// The one way out of the sandbox's network namespace: a host socat that forwards a unix socket to an HTTP relay in
/// front of 127.0.0.1:PORT. Inside, <see cref="InsideListenerScript"/> listens on 127.0.0.1:PORT and forwards to that
/// socket, so the sandbox reaches exactly one host port and nothing else.
/// </summary>
/// <remarks>
/// Why the relay: llama-server closes a kept-alive connection right after each streamed answer (conformance check
/// http.keep-alive). Direct, Claude Code sees the close in time; through two socat hops the close arrived after its
/// next request had gone out on that connection (9 retries in 30 E2E trials). The relay keeps the sandbox's
/// connections open as HTTP/1.1 promises and sends a request lost upstream once more.
/// </remarks>
public sealed partial class PortBridge : IAsyncDisposable
{
    private readonly GuardedProcess _socat;
    private readonly RecordingProxy _relay;

    private PortBridge(GuardedProcess socat, RecordingProxy relay, string socketPath, int port)
    {
        _socat = socat;
        _relay = relay;
        SocketPath = socketPath;
        Port = port;
    }

    public string SocketPath { get; }
    public int Port { get; }
    public bool HasExited => _socat.HasExited;
    public string Tail(int lines = 20) => _socat.Tail(lines);

    /// <summary>
    /// Starts the host side and waits until the socket listens. <paramref name="socketOwner"/> (uid, gid) owns the socket
    /// (mode 600) so that only the sandbox's uid can connect; null keeps this process's uid.
    /// </summary>
    public static async Task<PortBridge> StartAsync(
        string socat, string socketPath, int port, (int Uid, int Gid)? socketOwner, string logFile, CancellationToken cancellationToken)
    {
        if (port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "not a TCP port");
        // socat splits addresses on ',' ':' and '!': keep the path plain instead of escaping.
        if (!PlainPath().IsMatch(socketPath))
            throw new ArgumentException($"socket path '{socketPath}' must be plain (letters, digits, / . _ -)", nameof(socketPath));

        var listen = $"UNIX-LISTEN:{socketPath},fork,unlink-early,mode=600";
        if (socketOwner is { } owner)
            listen += string.Create(CultureInfo.InvariantCulture, $",user={owner.Uid},group={owner.Gid}");
        var relay = await RecordingProxy.StartRelayAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")), cancellationToken);
        GuardedProcess process;
        try
        {
            process = GuardedProcess.Start(socat, [listen, string.Create(CultureInfo.InvariantCulture, $"TCP:127.0.0.1:{relay.BaseUrl.Port}")],
                new GuardedProcessOptions { LogFile = logFile, WorkingDirectory = "/" });
        }
        catch
        {
            await relay.DisposeAsync();
            throw;
        }
        var bridge = new PortBridge(process, relay, socketPath, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!IsListening(socketPath))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await bridge.DisposeAsync();
                throw new InvalidOperationException(
                    $"the model-server bridge ({process.CommandLine}) did not start listening on {socketPath}:\n{process.Tail()}");
            }
            await Task.Delay(20, cancellationToken);
        }
        return bridge;
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

    /// <summary>A listening unix socket shows in /proc/net/unix with the __SO_ACCEPTCON flag (checked without connecting, so the server sees no probe).</summary>
    private static bool IsListening(string socketPath)
    {
        foreach (var line in File.ReadLines("/proc/net/unix"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && fields[7] == socketPath && fields[3] == "00010000") return true;
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _socat.DisposeAsync();
        await _relay.DisposeAsync();
        try { File.Delete(SocketPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [GeneratedRegex("^[A-Za-z0-9/._-]+$")]
    private static partial Regex PlainPath();
}
