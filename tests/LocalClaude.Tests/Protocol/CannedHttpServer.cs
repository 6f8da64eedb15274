using System.Net;
using System.Net.Sockets;
using System.Text;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Protocol;

/// <summary>
/// A loopback HTTP/1.1 server that answers every request with the same canned response, written in two parts with a
/// pause between them (so arrival times differ), then closes the connection. It keeps the request heads it received.
/// </summary>
internal sealed class CannedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly byte[] _head;
    private readonly byte[] _body;
    private readonly int _splitAt;
    private readonly TimeSpan _pause;

    public CannedHttpServer(int status, string contentType, byte[] body, int splitAt, TimeSpan pause)
    {
        _head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Canned\r\nContent-Type: {contentType}\r\nConnection: close\r\n\r\n");
        _body = body;
        _splitAt = Math.Clamp(splitAt, 0, body.Length);
        _pause = pause;
        _listener.Start();
        _serving = ServeAsync(_stop.Token);
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public List<string> RequestHeads { get; } = [];

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await _listener.NextOrNullAsync(cancellationToken) is not { } client)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                RequestHeads.Add(await ReadRequestAsync(stream, cancellationToken));
                await stream.WriteAsync(_head, cancellationToken);
                await stream.WriteAsync(_body.AsMemory(0, _splitAt), cancellationToken);
                await stream.FlushAsync(cancellationToken);
                await Task.Delay(_pause, cancellationToken);
                await stream.WriteAsync(_body.AsMemory(_splitAt), cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>Reads the head and a Content-Length body; returns the head.</summary>
    private static async Task<string> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return Encoding.ASCII.GetString(received.ToArray());
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString(received.ToArray(), 0, headEnd);
        var lengthLine = head.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var remaining = length - (received.Count - headEnd - 4);
        while (remaining > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, remaining)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            remaining -= read;
        }

        return head;
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 3; i < bytes.Count; i++)
        {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n')
            {
                return i - 3;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
