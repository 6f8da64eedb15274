using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// A tiny HTTP answerer on the host: a reachability probe, not a model server. It counts connections, so a test can
/// tell from the host side whether anything from the sandbox arrived.
/// </summary>
internal sealed class ReachabilityListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    private ReachabilityListener(TcpListener listener)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _loop = AcceptLoopAsync();
    }

    /// <summary>Printed in every answer; its appearance in the sandbox's output proves the connection got through.</summary>
    public string Marker { get; } = "reachable-" + Guid.NewGuid().ToString("N");
    public int Port { get; }
    public int Connections => Volatile.Read(ref _connections);
    /// <summary>The request line of every HTTP request received (e.g. "POST /v1/messages?beta=true HTTP/1.1").</summary>
    public IReadOnlyCollection<string> RequestLines => _requestLines;
    private readonly ConcurrentQueue<string> _requestLines = new();

    public static ReachabilityListener Start(IPAddress address, int port = 0)
    {
        var listener = new TcpListener(address, port);
        listener.Start();
        return new ReachabilityListener(listener);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (await _listener.NextOrNullAsync(_stop.Token) is not { } client) return;
            Interlocked.Increment(ref _connections);
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var read = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                read.CancelAfter(TimeSpan.FromSeconds(2));
                var buffer = new byte[4096];
                var seen = new StringBuilder();
                while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer, read.Token);
                    if (n == 0) break;
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                if (seen.Length > 0) _requestLines.Enqueue(seen.ToString().Split("\r\n")[0]);
                var body = Marker + "\n";
                var answer = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>A host unix socket (a file, or abstract when the name starts with '\0') that counts connections.</summary>
internal sealed class UnixSocketListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    public UnixSocketListener(string name)
    {
        Name = name;
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(name));
        // World-writable, so only the sandbox's isolation (not permissions) keeps the sandbox uid out.
        if (!name.StartsWith('\0')) File.SetUnixFileMode(name, (UnixFileMode)0b111_111_111);
        _socket.Listen(16);
        _loop = AcceptLoopAsync();
    }

    public string Name { get; }
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _socket.NextOrNullAsync(_stop.Token);
            if (client is null) return;
            Interlocked.Increment(ref _connections);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        if (!Name.StartsWith('\0')) File.Delete(Name);
        _stop.Dispose();
    }
}

/// <summary>A host UDP socket that counts datagrams (e.g. a DNS query leaking out of the sandbox).</summary>
internal sealed class UdpCounter : IDisposable
{
    private readonly UdpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private int _datagrams;

    private UdpCounter(UdpClient client)
    {
        _client = client;
        Port = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        _ = ReceiveLoopAsync();
    }

    public int Port { get; }
    public int Datagrams => Volatile.Read(ref _datagrams);

    /// <summary>Null when the port is taken (e.g. a host resolver already owns 127.0.0.1:53).</summary>
    public static UdpCounter? TryStart(IPAddress address, int port)
    {
        try { return new UdpCounter(new UdpClient(new IPEndPoint(address, port))); }
        catch (SocketException) { return null; }
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _client.ReceiveAsync(_stop.Token);
                Interlocked.Increment(ref _datagrams);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _client.Dispose();
        _stop.Dispose();
    }
}
