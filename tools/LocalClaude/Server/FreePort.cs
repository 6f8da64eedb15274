using System.Net;
using System.Net.Sockets;

namespace LocalClaude.Server;

public static class FreePort
{
    /// <summary>A loopback port that was free a moment ago (the caller retries if another process takes it first).</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }
}
