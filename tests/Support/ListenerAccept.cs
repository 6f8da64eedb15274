using System.Net.Sockets;

namespace LocalClaude.Tests.Support;

/// <summary>
/// The accept step of the tests' small loopback servers. Stopping a server races its accept loop: a listener stopped
/// just before the next accept throws InvalidOperationException ("Not listening"), not a cancellation, and that must
/// end the loop quietly instead of failing the test that disposed it.
/// </summary>
public static class ListenerAccept
{
    /// <summary>The next connection, or null once the listener is stopped or <paramref name="ct"/> is cancelled.</summary>
    public static async Task<TcpClient?> NextOrNullAsync(this TcpListener listener, CancellationToken ct)
    {
        try { return await listener.AcceptTcpClientAsync(ct); }
        catch (Exception e) when (IsStop(e)) { return null; }
    }

    /// <summary>The next connection, or null once the socket is closed or <paramref name="ct"/> is cancelled.</summary>
    public static async Task<Socket?> NextOrNullAsync(this Socket listener, CancellationToken ct)
    {
        try { return await listener.AcceptAsync(ct); }
        catch (Exception e) when (IsStop(e)) { return null; }
    }

    private static bool IsStop(Exception e) =>
        e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException;
}
