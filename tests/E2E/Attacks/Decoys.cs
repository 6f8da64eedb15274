using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>
/// Host services nothing inside the sandbox may reach: TCP listeners on 127.0.0.1, on ::1 and on every IPv4 address
/// (reached as 127.0.0.2 or 0.0.0.0), a UDP socket on 127.0.0.1 and a unix socket in the abstract namespace and in
/// a host folder. Each records every connection or datagram it sees, with its first bytes.
/// </summary>
internal sealed class Decoys : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly ConcurrentQueue<string> _seen = new();

    public Decoys(string unixFolder)
    {
        Loopback4 = ListenTcp(new IPEndPoint(IPAddress.Loopback, 0), "tcp 127.0.0.1");
        Loopback6 = ListenTcp(new IPEndPoint(IPAddress.IPv6Loopback, 0), "tcp [::1]");
        AnyIPv4 = ListenTcp(new IPEndPoint(IPAddress.Any, 0), "tcp 0.0.0.0");
        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sockets.Add(udp);
        Udp = ((IPEndPoint)udp.LocalEndPoint!).Port;
        _ = ReceiveAsync(udp);
        AbstractName = "lc-attack-" + Guid.NewGuid().ToString("N")[..12];
        ListenUnix("\0" + AbstractName, "unix @" + AbstractName);
        UnixPath = Path.Combine(unixFolder, "decoy.sock");
        ListenUnix(UnixPath, "unix " + UnixPath);
    }

    public int Loopback4 { get; }
    public int Loopback6 { get; }
    public int AnyIPv4 { get; }
    public int Udp { get; }
    public string AbstractName { get; }
    public string UnixPath { get; }

    /// <summary>Everything that reached a decoy, one line each ("tcp 127.0.0.1: GET //...").</summary>
    public IReadOnlyList<string> Seen => [.. _seen];

    /// <summary>What reached the decoys whose label contains <paramref name="label"/>.</summary>
    public IReadOnlyList<string> SeenOn(string label) => Seen.Where(s => s.StartsWith(label, StringComparison.Ordinal)).ToArray();

    private int ListenTcp(IPEndPoint endpoint, string label)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
        socket.Bind(endpoint);
        socket.Listen(128);
        _sockets.Add(socket);
        _ = AcceptAsync(socket, label);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void ListenUnix(string path, string label)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(16);
        _sockets.Add(socket);
        _ = AcceptAsync(socket, label);
    }

    private async Task AcceptAsync(Socket listener, string label)
    {
        while (!_stop.IsCancellationRequested)
        {
            if (await listener.NextOrNullAsync(_stop.Token) is not { } client) return;
            _ = RecordAsync(client, label);
        }
    }

    private async Task RecordAsync(Socket client, string label)
    {
        using (client)
        {
            var buffer = new byte[256];
            var read = 0;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (Exception) { }
            _seen.Enqueue($"{label}: {Printable(buffer.AsSpan(0, read))}");
        }
    }

    private async Task ReceiveAsync(Socket udp)
    {
        var buffer = new byte[256];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                _seen.Enqueue($"udp 127.0.0.1: {Printable(buffer.AsSpan(0, result.ReceivedBytes))}");
            }
            catch (Exception) { return; }
        }
    }

    private static string Printable(ReadOnlySpan<byte> bytes) =>
        new(Encoding.ASCII.GetString(bytes).Select(c => c is >= ' ' and <= '~' ? c : '.').ToArray());

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets) socket.Dispose();
        try { File.Delete(UnixPath); }
        catch (IOException) { }
    }
}
