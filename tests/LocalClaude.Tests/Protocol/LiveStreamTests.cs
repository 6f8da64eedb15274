using System.Diagnostics;
using System.Text;
using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

/// <summary>The live paths over a real loopback socket: the validator on an HttpClient response stream, and the SDK with a BaseUrl.</summary>
public sealed class LiveStreamTests
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(150);

    private static byte[] Fixture(string relative) => File.ReadAllBytes(StreamFixtures.PathOf(relative));

    /// <summary>Splits just before the first content_block_delta, so the pause falls between the first event and the first delta.</summary>
    private static int BeforeFirstDelta(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes).IndexOf("event: content_block_delta", StringComparison.Ordinal);

    [Fact]
    public async Task Validator_reads_a_live_response_and_measures_arrival_times()
    {
        var bytes = Fixture("valid/text-basic.sse");
        await using var server = new CannedHttpServer(200, "text/event-stream", bytes, BeforeFirstDelta(bytes), Pause);
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, "/v1/messages"))
        {
            Content = new StringContent("{\"stream\":true}", Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var result = await AnthropicStreamValidator.ValidateAsync(body, clock, TestContext.Current.CancellationToken);

        result.Findings.Should().BeEmpty();
        result.Message.Text.Should().Be("Hello!");
        var timings = result.Timings;
        // The server paused between message_start and the first delta; allow for timer granularity.
        (timings.FirstContentDelta - timings.FirstEvent >= Pause - TimeSpan.FromMilliseconds(20)).Should().BeTrue($"first event {timings.FirstEvent}, first delta {timings.FirstContentDelta}");
        (timings.LastEvent >= timings.FirstContentDelta).Should().BeTrue();
    }

    // Seen with SDK 13.12.0: an ApiKey goes out as "Authorization: Bearer", not x-api-key, with anthropic-version 2026-10-21.
    [Theory]
    [InlineData("sk-local", null, "Authorization: Bearer sk-local")]
    [InlineData(null, "llamacpp", "Authorization: Bearer llamacpp")]
    [InlineData(null, null, "Authorization: Bearer localclaude")]
    public async Task Sdk_consumes_a_live_stream_and_sends_the_credential(string? apiKey, string? authToken, string expectedHeader)
    {
        var bytes = Fixture("valid/tool-use.sse");
        await using var server = new CannedHttpServer(200, "text/event-stream", bytes, BeforeFirstDelta(bytes), TimeSpan.FromMilliseconds(10));
        using var consumer = new OfficialSdkStreamConsumer(server.BaseUrl, apiKey, authToken, timeout: TimeSpan.FromSeconds(30));

        var outcome = await consumer.ConsumeAsync("qwen3-tiny", "What is the weather?", 128, TestContext.Current.CancellationToken);

        outcome.Succeeded.Should().BeTrue(outcome.Failure?.Message);
        outcome.Message!.ToolUses.Should().ContainSingle().Which.Name.Should().Be("get_weather");
        var head = server.RequestHeads.Should().ContainSingle().Which;
        head.Should().StartWith("POST /v1/messages");
        head.Contains(expectedHeader, StringComparison.OrdinalIgnoreCase).Should().BeTrue(head);
        Assert.Contains("anthropic-version: ", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Two_credentials_are_refused_up_front()
    {
        var error = FluentActions.Invoking(() => new OfficialSdkStreamConsumer(new Uri("http://127.0.0.1:1"), "key", "token")).Should().ThrowExactly<ArgumentException>().Which;

        error.Message.Should().Contain("not both");
    }

    [Fact]
    public async Task Sdk_reports_a_live_truncated_stream_as_a_client_break()
    {
        var bytes = Fixture("broken/truncated-mid-block.sse");
        await using var server = new CannedHttpServer(200, "text/event-stream", bytes, bytes.Length / 2, TimeSpan.FromMilliseconds(10));
        using var consumer = new OfficialSdkStreamConsumer(server.BaseUrl, timeout: TimeSpan.FromSeconds(30));

        var outcome = await consumer.ConsumeAsync("qwen3-tiny", "hi", 16, TestContext.Current.CancellationToken);

        (outcome.Failure?.Id).Should().Be("client.sdk-error");
        outcome.EventTypes.Should().Equal(["message_start", "content_block_start", "content_block_delta"]);
    }
}
