using System.Net;
using LocalClaude.Client;

namespace LocalClaude.Tests.Protocol;

public sealed class RawMessagesClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_lost_on_a_connection_the_server_dropped_is_sent_again_and_says_so()
    {
        await using var server = new DroppingServer();
        using var client = new RawMessagesClient(server.BaseUrl, "key", TimeSpan.FromSeconds(20));

        var first = await client.PostAsync("/v1/messages", "{}", Ct);
        var second = await client.PostAsync("/v1/messages", "{}", Ct);

        first.Status.Should().Be(HttpStatusCode.OK);
        first.RetriedAfter.Should().BeNull();
        second.Status.Should().Be(HttpStatusCode.OK);
        second.TransportError.Should().BeNull();
        second.ResponseText.Should().Be("{\"ok\":true}");
        server.RequestsRead.Should().Be(3);
        second.RetriedAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task Nothing_listening_is_reported_once_without_a_retry()
    {
        var port = LocalClaude.Server.FreePort.Pick();
        using var client = new RawMessagesClient(new Uri($"http://127.0.0.1:{port}"), null, TimeSpan.FromSeconds(10));

        var exchange = await client.PostAsync("/v1/messages", "{}", Ct);

        exchange.Status.Should().Be((HttpStatusCode)0);
        exchange.TransportError.Should().NotBeNull();
        exchange.FailedBeforeAnswer.Should().BeFalse();
        exchange.RetriedAfter.Should().BeNull();
    }
}
