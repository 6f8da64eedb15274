using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

[CollectionDefinition(Name)]
public sealed class SandboxAttackCollection : ICollectionFixture<SandboxAttackFixture>
{
    public const string Name = "Sandbox attacks";
}

/// <summary>
/// One sandbox session shared by the attacks (each attack is a fresh bwrap in it), and the host-side things they aim
/// at: listeners on other addresses and ports, unix sockets, a host process running as the sandbox's own uid.
/// Built only when the probe passes; otherwise every test skips (fails in CI) through <see cref="RequireSession"/>.
/// </summary>
public sealed class SandboxAttackFixture : IAsyncLifetime
{
    public const string ReadOnlyDataInside = "/opt/ro-data";
    public const string ClaudeInside = "/opt/claude-code";

    private SandboxProbe? _probe;
    private SandboxSession? _session;

    internal HostLayout Layout { get; } = new();
    public string VictimCanary { get; } = "lc-victim-" + Guid.NewGuid().ToString("N");
    internal ReachabilityListener? ModelServer { get; private set; }
    internal ReachabilityListener? OtherPort { get; private set; }
    internal ReachabilityListener? SecondLoopback { get; private set; }
    internal ReachabilityListener? Ipv6Loopback { get; private set; }
    internal ReachabilityListener? HostInterface { get; private set; }
    internal UdpCounter? HostInterfaceUdp { get; private set; }
    internal UdpCounter? LoopbackDns { get; private set; }
    internal UnixSocketListener? FileSocket { get; private set; }
    internal UnixSocketListener? AbstractSocket { get; private set; }
    public IPAddress? HostAddress { get; private set; }
    public string? ClaudeBinary { get; } = SandboxTestEnvironment.ClaudeBinary();
    public Process? Victim { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _probe = await SandboxTestEnvironment.ProbeAsync();
        if (!_probe.CanRun(withNetwork: true)) return;

        ModelServer = ReachabilityListener.Start(IPAddress.Loopback);
        OtherPort = ReachabilityListener.Start(IPAddress.Loopback);
        SecondLoopback = ReachabilityListener.Start(IPAddress.Parse("127.0.0.2"), ModelServer.Port);
        if (Socket.OSSupportsIPv6)
        {
            try { Ipv6Loopback = ReachabilityListener.Start(IPAddress.IPv6Loopback, ModelServer.Port); }
            catch (SocketException) { }
        }
        HostAddress = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        if (HostAddress is not null)
        {
            HostInterface = ReachabilityListener.Start(HostAddress);
            HostInterfaceUdp = UdpCounter.TryStart(HostAddress, 0);
        }
        LoopbackDns = UdpCounter.TryStart(IPAddress.Loopback, 53);
        FileSocket = new UnixSocketListener(Path.Combine(Layout.Outside, "host.sock"));
        AbstractSocket = new UnixSocketListener("\0localclaude-test-" + Guid.NewGuid().ToString("N"));
        Victim = StartVictim();

        var readOnly = new List<ReadOnlyBind> { new(Layout.ReadOnlyData, ReadOnlyDataInside) };
        if (ClaudeBinary is not null) readOnly.Add(new ReadOnlyBind(Path.GetDirectoryName(ClaudeBinary)!, ClaudeInside));
        _session = await new BwrapSandbox().StartAsync(new SandboxSpec
        {
            WorkDirectory = Layout.Work,
            HomeDirectory = Layout.Home,
            ModelServerPort = ModelServer.Port,
            ReadOnlyBinds = readOnly,
            Environment = new Dictionary<string, string> { ["LOCALCLAUDE_TEST_VISIBLE"] = "visible-by-spec" },
            TmpfsBytes = 64L * 1024 * 1024,
        });
    }

    /// <summary>The sandbox session; skips the test (fails it in CI) when the sandbox cannot run here.</summary>
    public SandboxSession RequireSession()
    {
        SandboxTestEnvironment.Require(_probe ?? throw new InvalidOperationException("fixture not initialised"));
        return _session ?? throw new InvalidOperationException("the probe passed but no session was started");
    }

    internal SandboxProbe Probe => _probe ?? throw new InvalidOperationException("fixture not initialised");

    /// <summary>A host `sleep` running as the sandbox's own uid (the easiest target to signal or trace), with a canary in its environment.</summary>
    private Process StartVictim()
    {
        var start = new ProcessStartInfo { WorkingDirectory = Layout.Outside, UseShellExecute = false };
        if (_probe!.CallerIsRoot)
        {
            start.FileName = _probe.Tools.Setpriv!;
            foreach (var a in new[] { $"--reuid={_probe.SandboxUid}", $"--regid={_probe.SandboxGid}", "--clear-groups", "sleep", "600" })
                start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = "sleep";
            start.ArgumentList.Add("600");
        }
        start.Environment["LOCALCLAUDE_VICTIM_CANARY"] = VictimCanary;
        return Process.Start(start)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null) await _session.DisposeAsync();
        if (Victim is { HasExited: false }) Victim.Kill();
        Victim?.Dispose();
        foreach (var listener in new[] { ModelServer, OtherPort, SecondLoopback, Ipv6Loopback, HostInterface })
            if (listener is not null) await listener.DisposeAsync();
        HostInterfaceUdp?.Dispose();
        LoopbackDns?.Dispose();
        if (FileSocket is not null) await FileSocket.DisposeAsync();
        if (AbstractSocket is not null) await AbstractSocket.DisposeAsync();
        Layout.Dispose();
    }
}
