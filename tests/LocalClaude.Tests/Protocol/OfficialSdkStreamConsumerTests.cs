using System.Net;
using System.Text;
using System.Text.Json;
using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

/// <summary>
/// The official Anthropic C# SDK 13.12.0 consuming corpus streams. The expectations record what the SDK really did
/// when these tests were written; a change means the SDK (or the corpus) changed.
/// </summary>
public sealed class OfficialSdkStreamConsumerTests
{
    private static async Task<SdkStreamOutcome> Consume(string fixture)
    {
        using var consumer = OfficialSdkStreamConsumer.ForRecordedResponse(File.ReadAllBytes(StreamFixtures.PathOf(fixture)));
        return await consumer.ConsumeAsync("recorded", "hi", 64, TestContext.Current.CancellationToken);
    }

    public static TheoryData<string, string> StreamsTheSdkRejects => new()
    {
        { "broken/missing-message-stop.sse", "Expected last message to be the End message" },
        { "broken/truncated-mid-block.sse", "Expected last message to be the End message" },
        { "broken/unterminated-final-event.sse", "Expected last message to be the End message" },
        { "broken/missing-event-lines.sse", "Expected last message to be the End message" },
        { "broken/missing-message-start.sse", "Expected last message to be the End message" },
        { "broken/empty-stream.sse", "Expected last message to be the End message" },
        { "broken/delta-for-unopened-index.sse", "start content message not yet received" },
        { "broken/stop-unknown-index.sse", "start content message not yet received" },
        { "broken/data-not-json.sse", "RawMessageStreamEvent" },
        { "broken/text-delta-without-text.sse", "'text' cannot be absent" },
        { "broken/missing-output-tokens.sse", "'output_tokens' cannot be absent" },
        { "valid/error-overloaded.sse", "overloaded_error" },
        { "broken/error-event-openai-shape.sse", "Failed to parse tool call" },
    };

    [Theory]
    [MemberData(nameof(StreamsTheSdkRejects))]
    public async Task Sdk_throws_and_the_consumer_reports_a_client_break(string fixture, string messagePart)
    {
        var outcome = await Consume(fixture);

        outcome.Succeeded.Should().BeFalse();
        outcome.Message.Should().BeNull();
        var failure = outcome.Failure!;
        failure.Id.Should().Be("client.sdk-error");
        failure.Severity.Should().Be(FindingSeverity.ClientBreak);
        failure.Message.Should().Contain(messagePart);
        outcome.ExceptionType.Should().StartWith("Anthropic.Exceptions.");
    }

    [Theory]
    [InlineData("broken/llamacpp-thinking-overlap.sse")]
    [InlineData("broken/index-gap.sse")]
    [InlineData("broken/duplicate-message-start.sse")]
    [InlineData("broken/delta-after-block-stop.sse")]
    [InlineData("broken/block-never-stopped.sse")]
    public async Task Sdk_tolerates_streams_that_break_claude_code_or_the_spec(string fixture)
    {
        // The C# SDK keys blocks by index and does not check their order: these pass it, but not the validator.
        var outcome = await Consume(fixture);

        outcome.Succeeded.Should().BeTrue(outcome.Failure?.Message);
        AnthropicStreamValidator.Validate(File.ReadAllBytes(StreamFixtures.PathOf(fixture))).HasBlockingFindings.Should().BeTrue();
    }

    [Fact]
    public async Task Sdk_silently_drops_a_delta_of_the_wrong_type()
    {
        var outcome = await Consume("broken/json-delta-into-text.sse");

        outcome.Succeeded.Should().BeTrue();
        outcome.Message!.Text.Should().Be("");
    }

    [Fact]
    public async Task Sdk_keeps_llamacpp_overlapping_blocks_in_index_order()
    {
        var message = (await Consume("broken/llamacpp-thinking-overlap.sse")).Message!;

        message.Content.Select(block => block.Type).Should().Equal(["thinking", "text"]);
        message.Content[0].Should().BeOfType<AggregatedThinkingBlock>().Which.Signature.Should().Be("");
        message.Text.Should().Be("Hello!");
        message.Id.Should().Be("chatcmpl-Z2kYx8mQfP3vN7rT1wE5uB9cH4");
    }

    public static TheoryData<string> ValidStreamsWithoutErrors =>
        new(StreamFixtures.Paths("valid", ".sse").Where(path => !path.Contains("error", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(ValidStreamsWithoutErrors))]
    public async Task Sdk_and_validator_build_the_same_message(string fixture)
    {
        var outcome = await Consume(fixture);
        var validated = AnthropicStreamValidator.Validate(File.ReadAllBytes(StreamFixtures.PathOf(fixture))).Message;

        outcome.Succeeded.Should().BeTrue(outcome.Failure?.Message);
        var sdk = outcome.Message!;
        sdk.Id.Should().Be(validated.Id);
        sdk.StopReason.Should().Be(validated.StopReason);
        sdk.StopSequence.Should().Be(validated.StopSequence);
        sdk.Usage.InputTokens.Should().Be(validated.Usage.InputTokens);
        sdk.Usage.OutputTokens.Should().Be(validated.Usage.OutputTokens);
        sdk.Content.Select(Describe).Should().Equal(validated.Content.Select(Describe));
        outcome.EventTypes.Should().Contain("message_stop");
    }

    [Fact]
    public async Task Sdk_reports_an_openai_shaped_http_error_as_a_client_break()
    {
        var body = Encoding.UTF8.GetBytes("{\"error\":{\"code\":400,\"message\":\"request exceeds the available context size\",\"type\":\"exceed_context_size_error\"}}");
        using var consumer = OfficialSdkStreamConsumer.ForRecordedResponse(body, HttpStatusCode.BadRequest, "application/json");

        var outcome = await consumer.ConsumeAsync("recorded", "hi", 64, TestContext.Current.CancellationToken);

        outcome.Succeeded.Should().BeFalse();
        outcome.Failure!.Id.Should().Be("client.sdk-error");
        outcome.EventTypes.Should().BeEmpty();
    }

    [Fact]
    public async Task Cancellation_is_rethrown_not_reported()
    {
        using var consumer = OfficialSdkStreamConsumer.ForRecordedResponse(File.ReadAllBytes(StreamFixtures.PathOf("valid/text-basic.sse")));
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => consumer.ConsumeAsync("recorded", "hi", 64, cancellation.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    private static string Describe(AggregatedBlock block) => block switch
    {
        AggregatedTextBlock text => $"text:{text.Text}",
        AggregatedThinkingBlock thinking => $"thinking:{thinking.Thinking}|{thinking.Signature}",
        AggregatedRedactedThinkingBlock redacted => $"redacted:{redacted.Data}",
        AggregatedToolUseBlock tool => $"{tool.Type}:{tool.Id}:{tool.Name}:{(tool.Input is { } input ? JsonSerializer.Serialize(input) : "null")}",
        _ => $"{block.Type}",
    };
}
