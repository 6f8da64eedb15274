using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using LocalClaude.Relay;
using LocalClaude.Sandbox;
using LocalClaude.ScriptedControls;
using LocalClaude.Tests.Support;
using LocalClaude.Tests.Traffic;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// The host side of the sandbox's one way out, driven from the host as the sandbox's socat would: connections on the
/// bridge's unix socket. (SandboxAttackTests drive it from inside a real sandbox.)
/// </summary>
public sealed class PortBridgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Many_idle_connections_are_bounded_and_start_no_host_process()
    {
        using var dir = new TempDirectory("localclaude-bridge");
        await using var upstream = await ScriptedAnthropicServer.StartAsync(new NoOpScript("through the bridge"), Ct);
        await using var bridge = await PortBridge.StartAsync(dir.Combine("llm.sock"), upstream.Port, null, dir.Combine("bridge.log"), Ct);
        const int attempts = 100;
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < attempts; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                sockets.Add(socket);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(bridge.SocketPath), Ct);
            }
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (bridge.OpenConnections + bridge.RefusedConnections < attempts && DateTime.UtcNow < deadline) await Task.Delay(50, Ct);

            // No process per connection on the host: nothing else names the socket (the old host socat forked one each).
            ProcessesNaming(dir.Path).Should().BeEmpty();
            bridge.OpenConnections.Should().Be(RecordingProxy.DefaultMaxConnections);
            bridge.RefusedConnections.Should().Be(attempts - RecordingProxy.DefaultMaxConnections);
            // Each one beyond the bound is told why, in the API's error shape.
            var answers = await Task.WhenAll(sockets.Select(ReadWhatArrivesAsync));
            var refusals = answers.Where(a => a.Length > 0).ToArray();
            refusals.Length.Should().Be(attempts - RecordingProxy.DefaultMaxConnections);
            Assert.All(refusals, a => a.Should().StartWith("HTTP/1.1 503 "));
            ((string?)JsonNode.Parse(refusals[0].Split("\r\n\r\n", 2)[1])!["error"]!["type"]).Should().Be("overloaded_error");
            bridge.Tail().Should().Contain("connection refused");
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }

        // Once the idle ones are gone, Claude Code's request goes through again.
        var until = DateTime.UtcNow.AddSeconds(20);
        while (bridge.OpenConnections > 0 && DateTime.UtcNow < until) await Task.Delay(50, Ct);
        var response = await RawResponse.SendAsync(new UnixDomainSocketEndPoint(bridge.SocketPath), Messages(upstream.Port, stream: true), readAll: false, Ct);
        response.Status.Should().Be(200);
        response.Text.Should().Contain("event: message_stop");
    }

    [Fact]
    public async Task A_network_path_target_through_the_bridge_is_refused_and_logged()
    {
        using var dir = new TempDirectory("localclaude-bridge");
        await using var upstream = await ScriptedAnthropicServer.StartAsync(new NoOpScript("through the bridge"), Ct);
        await using var other = ReachabilityListener.Start(IPAddress.Loopback);
        var log = dir.Combine("bridge.log");
        await using var bridge = await PortBridge.StartAsync(dir.Combine("llm.sock"), upstream.Port, null, log, Ct);
        var endPoint = new UnixDomainSocketEndPoint(bridge.SocketPath);

        var refused = await RawResponse.SendAsync(endPoint,
            $"GET //127.0.0.1:{other.Port}/x HTTP/1.1\r\nHost: 127.0.0.1:{upstream.Port}\r\n\r\n", readAll: false, Ct);
        var allowed = await RawResponse.SendAsync(endPoint, Messages(upstream.Port, stream: true), readAll: false, Ct);

        refused.Status.Should().Be(400);
        ((string?)JsonNode.Parse(refused.Body)!["error"]!["type"]).Should().Be("invalid_request_error");
        other.Connections.Should().Be(0);
        allowed.Status.Should().Be(200);
        upstream.Requests.Select(r => r.Path).Should().Equal(["/v1/messages"]);
        (await File.ReadAllTextAsync(log, Ct)).Should().Contain($"//127.0.0.1:{other.Port}/x");
    }

    [Fact]
    public async Task The_bridge_socket_is_mode_600_and_owned_by_the_sandbox_uid()
    {
        using var dir = new TempDirectory("localclaude-bridge");
        await using var upstream = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);
        var root = HostIdentity.Current().IsRoot;
        (int, int)? owner = root ? (54321, 54321) : null;
        await using var bridge = await PortBridge.StartAsync(dir.Combine("llm.sock"), upstream.Port, owner, dir.Combine("bridge.log"), Ct);

        File.GetUnixFileMode(bridge.SocketPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (await SandboxTestEnvironment.OwnerAsync(bridge.SocketPath)).Should().Be(root ? 54321 : HostIdentity.Current().Uid);
        // The private folder it was bound in is gone again.
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order().Should().Equal(["bridge.log", "llm.sock"]);
        await bridge.DisposeAsync();
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Should().Equal(["bridge.log"]);
    }

    internal static string Messages(int port, bool stream, string apiKey = "control", string model = "cpu-tiny")
    {
        var body = FixtureBuilder.Body("Say hi.", withTools: false, maxTokens: 8);
        body["model"] = model;
        body["stream"] = stream;
        var json = body.ToJsonString();
        return string.Create(CultureInfo.InvariantCulture,
            $"POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nx-api-key: {apiKey}\r\n"
            + $"anthropic-version: 2023-06-01\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");
    }

    /// <summary>What a connection got within a moment, without sending anything ("" for an admitted, idle one).</summary>
    private static async Task<string> ReadWhatArrivesAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        return await RawResponse.ReadAnswerAsync(stream, head: false, readAll: true, Ct);
    }

    internal static IReadOnlyList<int> ProcessesNaming(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "cmdline")).AsSpan().IndexOf(needle) >= 0) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}

/// <summary>The bridge in front of the real llama-server: Claude Code's streamed request goes through, an escape does not.</summary>
public sealed class PortBridgeLlamaServerTests(LlamaServerFixture llama) : IClassFixture<LlamaServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_streamed_messages_request_reaches_llama_server_through_the_bridge()
    {
        var server = llama.RequireServer();
        using var dir = new TempDirectory("localclaude-bridge");
        await using var other = ReachabilityListener.Start(IPAddress.Loopback);
        await using var bridge = await PortBridge.StartAsync(dir.Combine("llm.sock"), server.Port, null, dir.Combine("bridge.log"), Ct);
        var endPoint = new UnixDomainSocketEndPoint(bridge.SocketPath);

        var refused = await RawResponse.SendAsync(endPoint,
            $"GET //127.0.0.1:{other.Port}/x HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n\r\n", readAll: false, Ct);
        var answer = await RawResponse.SendAsync(endPoint, PortBridgeTests.Messages(server.Port, stream: true, llama.ApiKey, llama.Profile.ServedModelName), readAll: false, Ct);

        refused.Status.Should().Be(400);
        other.Connections.Should().Be(0);
        answer.Status.Should().Be(200);
        answer.Text.Should().Contain("event: message_start");
        answer.Text.Should().Contain("event: message_stop");
    }
}
