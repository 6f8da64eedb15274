using LocalClaude.Client;
using LocalClaude.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace LocalClaude.Tests.Protocol;

/// <summary>The probe tells a server that keeps its connections alive from one that drops them after the answer.</summary>
public sealed class ConnectionReuseProbeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Watch = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_kept_alive_connection_serves_the_next_request()
    {
        // Kestrel keeps HTTP/1.1 connections open between requests; the chunked answer is a short SSE stream.
        var connections = new HashSet<string>();
        await using var server = await LoopbackHttpServer.StartAsync(async context =>
        {
            lock (connections) connections.Add(context.Connection.Id);
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: ping\ndata: {\"type\":\"ping\"}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await context.Response.WriteAsync("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", context.RequestAborted);
        }, Ct);

        var reuse = await ConnectionReuseProbe.RunAsync(server.BaseUrl, "key", "/v1/messages", "{}", "{}", Watch, Ct);

        reuse.Error.Should().BeNull();
        reuse.Status.Should().Be(200);
        reuse.ClosedByServer.Should().BeFalse(reuse.Describe());
        reuse.FollowUpStatus.Should().Be(200);
        connections.Should().ContainSingle();
    }

    [Fact]
    public async Task A_server_that_drops_the_connection_after_a_complete_chunked_answer_is_caught()
    {
        // What llama-server does after a stream: the full chunked body, Keep-Alive promised, then the socket closed.
        await using var server = new DroppingServer("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nKeep-Alive: timeout=5, max=100\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", hangUpAtOnce: true);

        var reuse = await ConnectionReuseProbe.RunAsync(server.BaseUrl, null, "/v1/messages", "{}", "{}", Watch, Ct);

        reuse.Error.Should().BeNull();
        reuse.BodyBytes.Should().Be(11);
        reuse.ClosedByServer.Should().BeTrue(reuse.Describe());
        reuse.PromisedToStayOpen.Should().BeTrue();
        reuse.FollowUpStatus.Should().BeNull();
        reuse.Describe().Should().Contain("closed by the server");
    }

    [Fact]
    public async Task A_close_announced_with_Connection_close_is_not_a_broken_promise()
    {
        await using var server = new DroppingServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", hangUpAtOnce: true);

        var reuse = await ConnectionReuseProbe.RunAsync(server.BaseUrl, null, "/v1/messages", "{}", "{}", Watch, Ct);

        reuse.ClosedByServer.Should().BeTrue();
        reuse.PromisedToStayOpen.Should().BeFalse();
    }

    [Fact]
    public async Task A_chunked_body_cut_short_is_an_error_not_a_close()
    {
        await using var server = new DroppingServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", hangUpAtOnce: true);

        var reuse = await ConnectionReuseProbe.RunAsync(server.BaseUrl, null, "/v1/messages", "{}", "{}", Watch, Ct);

        reuse.Error.Should().NotBeNull();
        reuse.Error.Should().Contain("inside a chunk");
    }
}
