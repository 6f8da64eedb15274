using System.Net;
using System.Net.Sockets;

namespace LocalClaude.Tests.Support;

/// <summary>A real loopback socket that accepts every connection and closes it at once: reachable, but no HTTP server.</summary>
public sealed class ClosingListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ClosingListener(IPAddress address)
    {
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        while (await _listener.NextOrNullAsync(_stop.Token) is { } client) client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
