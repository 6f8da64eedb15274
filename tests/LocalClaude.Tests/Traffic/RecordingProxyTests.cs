using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using LocalClaude.Relay;
using LocalClaude.ScriptedControls;
using LocalClaude.Traffic;
using Microsoft.AspNetCore.Http;

namespace LocalClaude.Tests.Traffic;

public sealed class RecordingProxyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient Client(RecordingProxy proxy) => new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = proxy.BaseUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task The_client_sees_the_first_event_before_the_upstream_has_finished()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: first\ndata: {}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            // The rest only comes once the client proved it already has the first event.
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20), context.RequestAborted);
            await context.Response.WriteAsync("event: second\ndata: {}\n\n", context.RequestAborted);
        }, Ct);
        await using var proxy = await RecordingProxy.StartAsync(upstream.BaseUrl, Ct);
        using var http = Client(proxy);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);
        using var reader = new StreamReader(stream);
        var firstLine = await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        firstLine.Should().Be("event: first");
        release.SetResult();
        var rest = await reader.ReadToEndAsync(Ct);

        rest.Should().Contain("event: second");
        var exchange = proxy.Exchanges.Should().ContainSingle().Which;
        Encoding.UTF8.GetString(exchange.ResponseBody).Should().Be("event: first\ndata: {}\n\nevent: second\ndata: {}\n\n");
        (exchange.ChunkCount >= 2).Should().BeTrue($"the answer arrived in {exchange.ChunkCount} chunk(s)");
        (exchange.FirstByteAt < exchange.CompletedAt).Should().BeTrue();
    }

    [Fact]
    public async Task Request_and_answer_are_recorded_verbatim_with_times()
    {
        await using var upstream = await ScriptedAnthropicServer.StartAsync(new NoOpScript("recorded"), Ct);
        await using var proxy = await RecordingProxy.StartAsync(upstream.BaseUrl, Ct);
        using var http = Client(proxy);
        var body = FixtureBuilder.Body("hello").ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", "secret-key");
        request.Headers.Add("anthropic-beta", "claude-code-20250219");

        using var response = await http.SendAsync(request, Ct);
        var answer = await response.Content.ReadAsStringAsync(Ct);

        var exchange = proxy.Exchanges.Should().ContainSingle().Which;
        (((string, string, int))((exchange.Method, exchange.PathAndQuery, exchange.Status))).Should().Be(("POST", "/v1/messages?beta=true", 200));
        Encoding.UTF8.GetString(exchange.RequestBody).Should().Be(body);
        Encoding.UTF8.GetString(exchange.ResponseBody).Should().Be(answer);
        exchange.RequestHeader("x-api-key").Should().Be("secret-key");
        exchange.RequestHeader("anthropic-beta").Should().Be("claude-code-20250219");
        exchange.ResponseHeader("content-type").Should().StartWith("text/event-stream");
        (exchange.ArrivedAt <= exchange.FirstByteAt && exchange.FirstByteAt <= exchange.CompletedAt).Should().BeTrue();
        // What reached the upstream is what the client sent.
        var seen = upstream.Requests.Should().ContainSingle().Which;
        seen.Body.Should().Be(body);
        seen.Headers["anthropic-beta"].Should().Be("claude-code-20250219");
    }

    [Fact]
    public async Task The_cap_lowers_max_tokens_for_the_upstream_but_the_recording_keeps_the_client_value()
    {
        await using var upstream = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);
        await using var proxy = await RecordingProxy.StartAsync(upstream.BaseUrl, Ct, maxTokensCap: 64);
        using var http = Client(proxy);

        using var response = await http.PostAsync("/v1/messages", new StringContent(FixtureBuilder.Body("hi").ToJsonString(), Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ((int)upstream.MessagesRequestBodies.Single()["max_tokens"]!).Should().Be(64);
        ((int)JsonNode.Parse(proxy.Exchanges.Single().RequestBody)!["max_tokens"]!).Should().Be(32000);
    }

    [Fact]
    public async Task An_unreachable_upstream_gets_an_Anthropic_error_and_is_recorded_as_a_transport_error()
    {
        var closedPort = LocalClaude.Server.FreePort.Pick();
        await using var proxy = await RecordingProxy.StartAsync(new Uri($"http://127.0.0.1:{closedPort}"), Ct);
        using var http = Client(proxy);

        using var response = await http.PostAsync("/v1/messages", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        ((string?)body["type"]).Should().Be("error");
        ((string?)body["error"]!["type"]).Should().Be("api_error");
        var exchange = proxy.Exchanges.Should().ContainSingle().Which;
        exchange.Status.Should().Be(502);
        exchange.TransportError.Should().Contain("upstream unreachable");
    }

    [Fact]
    public async Task A_request_lost_on_an_upstream_connection_that_was_just_dropped_is_sent_again()
    {
        // Claude Code talking to llama-server directly does not meet that connection: its recording must not show a 502.
        await using var upstream = new LocalClaude.Tests.Protocol.DroppingServer();
        await using var proxy = await RecordingProxy.StartAsync(upstream.BaseUrl, Ct);
        using var http = Client(proxy);

        using var first = await http.PostAsync("/v1/messages", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        using var second = await http.PostAsync("/v1/messages", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        second.StatusCode.Should().Be(HttpStatusCode.OK);
        upstream.RequestsRead.Should().Be(3);
        Assert.All(proxy.Exchanges, e => e.Status.Should().Be(200));
    }

    [Fact]
    public async Task A_relay_forwards_on_one_kept_alive_client_connection_and_keeps_no_copies()
    {
        // The sandbox's hop: llama-server-like drops upstream, yet the client's one connection serves every request.
        await using var upstream = new LocalClaude.Tests.Protocol.DroppingServer();
        await using var relay = await RecordingProxy.StartRelayAsync(upstream.BaseUrl, Ct);
        var connections = 0;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = relay.BaseUrl };

        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync("/v1/messages", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync(Ct)).Should().Be("{\"ok\":true}");
        }

        connections.Should().Be(1);
        relay.Exchanges.Should().BeEmpty();
    }

    [Fact]
    public async Task A_request_outside_the_forwarding_rule_is_recorded_but_never_reaches_the_upstream()
    {
        // The recording proxy shares the relay's rule: a new kind of request shows up in the recording as refused.
        await using var upstream = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);
        await using var other = LocalClaude.Tests.Sandbox.ReachabilityListener.Start(IPAddress.Loopback);
        await using var proxy = await RecordingProxy.StartAsync(upstream.BaseUrl, Ct);

        var refused = await RawResponse.SendAsync(new IPEndPoint(IPAddress.Loopback, proxy.BaseUrl.Port),
            $"GET //127.0.0.1:{other.Port}/x HTTP/1.1\r\nHost: 127.0.0.1:{proxy.BaseUrl.Port}\r\n\r\n", readAll: false, Ct);
        using var http = Client(proxy);
        using var allowed = await http.PostAsync("/v1/messages?beta=true", new StringContent(FixtureBuilder.Body("hi").ToJsonString(), Encoding.UTF8, "application/json"), Ct);

        refused.Status.Should().Be(400);
        allowed.StatusCode.Should().Be(HttpStatusCode.OK);
        other.Connections.Should().Be(0);
        upstream.Requests.Select(r => r.Path).Should().Equal(["/v1/messages"]);
        var recorded = proxy.Exchanges;
        (((string, int))((recorded[0].PathAndQuery, recorded[0].Status))).Should().Be(($"//127.0.0.1:{other.Port}/x", 400));
        recorded[0].TransportError.Should().StartWith("refused: ");
        (((string, int))((recorded[1].PathAndQuery, recorded[1].Status))).Should().Be(("/v1/messages?beta=true", 200));
    }

    [Fact]
    public async Task Requests_in_flight_together_are_marked_as_overlapping_and_later_ones_are_not()
    {
        using var bothArrived = new CountdownEvent(2);
        await using var upstream = await LoopbackHttpServer.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            if (!body.Contains("alone"))
            {
                bothArrived.Signal();
                // Each answer waits for the other request, so the two are surely in flight together.
                await Task.Run(() => bothArrived.Wait(TimeSpan.FromSeconds(10)), context.RequestAborted);
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"input_tokens\":1}", context.RequestAborted);
        }, Ct);
        await using var proxy = await RecordingProxy.StartAsync(upstream.BaseUrl, Ct);
        using var http = Client(proxy);
        Task<HttpResponseMessage> Post(string text) =>
            http.PostAsync("/v1/messages/count_tokens", new StringContent(FixtureBuilder.Body(text).ToJsonString(), Encoding.UTF8, "application/json"), Ct);

        await Task.WhenAll(Post("one"), Post("two"));
        await Post("alone");
        var requests = TrafficFixtureWriter.Build(proxy.Exchanges, new PlaceholderScrubber()).Select(r => r.Request).ToArray();

        requests.Length.Should().Be(3);
        requests[0].OverlapsWith.Should().Equal([2]);
        requests[1].OverlapsWith.Should().Equal([1]);
        requests[2].OverlapsWith.Should().BeEmpty();
        Assert.All(requests, r => r.Purpose.Should().Be(RequestPurpose.CountTokens));
        requests[0].ArrivalMs.Should().Be(0);
        (requests[2].ArrivalMs >= requests[1].CompletionMs).Should().BeTrue();
    }
}
