using System.Net;
using System.Net.Sockets;
using System.Text;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Protocol;

/// <summary>
/// Answers the first request of every connection with the given bytes (by default a small JSON answer with keep-alive),
/// then reads the next request and hangs up without an answer: what a client meets when llama-server closes a
/// kept-alive connection just as the next request goes out. With <c>hangUpAtOnce</c> it closes right after the answer.
/// </summary>
internal sealed class DroppingServer : IAsyncDisposable
{
    private const string KeepAliveAnswer =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
    private readonly byte[] _answer;
    private readonly bool _hangUpAtOnce;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requestsRead;

    public DroppingServer(string answer = KeepAliveAnswer, bool hangUpAtOnce = false)
    {
        _answer = Encoding.ASCII.GetBytes(answer);
        _hangUpAtOnce = hangUpAtOnce;
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
    public int RequestsRead => Volatile.Read(ref _requestsRead);

    private async Task AcceptAsync(CancellationToken ct)
    {
        var connections = new List<Task>();
        while (await _listener.NextOrNullAsync(ct) is { } client) connections.Add(ServeAsync(client, ct));
        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            await ReadRequestAsync(stream, ct);
            await stream.WriteAsync(_answer, ct);
            if (!_hangUpAtOnce) await ReadRequestAsync(stream, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException) { }
    }

    /// <summary>Reads one request head and its Content-Length body.</summary>
    private async Task ReadRequestAsync(NetworkStream stream, CancellationToken ct)
    {
        var received = new StringBuilder();
        var buffer = new byte[1];
        while (!received.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, ct) == 0) throw new IOException("closed");
            received.Append((char)buffer[0]);
        }
        var length = received.ToString().Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim())).FirstOrDefault();
        for (var i = 0; i < length; i++)
            if (await stream.ReadAsync(buffer, ct) == 0) throw new IOException("closed");
        Interlocked.Increment(ref _requestsRead);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
