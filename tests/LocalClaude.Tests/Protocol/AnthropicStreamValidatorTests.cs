using System.Text;
using System.Text.Json;
using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

/// <summary>Aggregation, timings and finding positions; the corpus tests cover which IDs fire.</summary>
public sealed class AnthropicStreamValidatorTests
{
    private static StreamValidationResult ValidateFixture(string relative) =>
        AnthropicStreamValidator.Validate(File.ReadAllBytes(StreamFixtures.PathOf(relative)));

    [Fact]
    public void Tool_use_stream_aggregates_text_and_the_parsed_input()
    {
        var result = ValidateFixture("valid/tool-use.sse");

        var message = result.Message;
        message.Id.Should().Be("msg_014p7gG3wDgGV9EUtLvnow3U");
        message.Model.Should().Be("claude-sonnet-4-5");
        message.Role.Should().Be("assistant");
        message.StopReason.Should().Be("tool_use");
        message.StopSequence.Should().BeNull();
        message.Usage.Should().Be(new MessageUsage(472, 89, null, null));
        message.Content.Select(block => block.Type).Should().Equal(["text", "tool_use"]);
        message.Text.Should().Be("Okay, let's check the weather for San Francisco, CA:");
        var tool = message.ToolUses.Should().ContainSingle().Which;
        tool.Id.Should().Be("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
        tool.Name.Should().Be("get_weather");
        tool.Input!.Value.GetProperty("location").GetString().Should().Be("San Francisco, CA");
        tool.Input.Value.GetProperty("unit").GetString().Should().Be("fahrenheit");
    }

    [Fact]
    public void Empty_partial_json_leaves_the_start_input()
    {
        var tool = ValidateFixture("valid/empty-tool-input.sse").Message.ToolUses.Should().ContainSingle().Which;

        tool.InputJson.Should().Be("{}");
        tool.Input!.Value.ValueKind.Should().Be(JsonValueKind.Object);
    }

    [Fact]
    public void Thinking_block_keeps_its_text_and_signature()
    {
        var message = ValidateFixture("valid/thinking.sse").Message;

        var thinking = message.Content[0].Should().BeOfType<AggregatedThinkingBlock>().Which;
        thinking.Thinking.Should().StartWith("Let me solve this step by step");
        thinking.Thinking.Should().EndWith("453 = 400 + 50 + 3");
        thinking.Signature.Should().StartWith("EqQBCgIYAhIM");
        message.Text.Should().Be("27 * 453 = 12,231");
    }

    [Fact]
    public void Llamacpp_overlapping_blocks_are_flagged_but_still_aggregated()
    {
        var result = ValidateFixture("broken/llamacpp-thinking-overlap.sse");

        var overlap = result.Findings.Should().ContainSingle(finding => finding.Id == "stream.block-overlap").Which;
        overlap.Severity.Should().Be(FindingSeverity.ClientBreak);
        overlap.EventIndex.Should().Be(4);
        overlap.Message.Should().Contain("block 1 (text) starts while block 0 (thinking) is still open");
        var thinking = result.Message.Content[0].Should().BeOfType<AggregatedThinkingBlock>().Which;
        thinking.Thinking.Should().Be("The user greets me.");
        thinking.Signature.Should().Be("");
        result.Message.Text.Should().Be("Hello!");
        result.Message.Usage.Should().Be(new MessageUsage(12, 9, null, 0));
    }

    [Fact]
    public void Finding_points_at_the_event_and_its_byte_offset()
    {
        var bytes = File.ReadAllBytes(StreamFixtures.PathOf("broken/index-gap.sse"));
        var document = SseReader.Parse(bytes);

        var gap = AnthropicStreamValidator.Validate(document).Findings.Should().ContainSingle(finding => finding.Id == "stream.index-gap").Which;

        var sseEvent = document.Events[gap.EventIndex!.Value];
        gap.ByteOffset.Should().Be(sseEvent.ByteOffset);
        Encoding.UTF8.GetString(bytes, (int)sseEvent.ByteOffset, (int)sseEvent.ByteLength).Should().StartWith("event: content_block_start");
        sseEvent.Data.Should().Contain("\"index\":2");
    }

    [Fact]
    public void Findings_are_ordered_by_event_with_whole_stream_findings_last()
    {
        var result = ValidateFixture("broken/truncated-tool-arguments.sse");

        result.Findings.Select(finding => finding.Id).Should().Equal(["stream.block-not-stopped", "stream.tool-input-invalid-json", "stream.missing-message-stop"]);
        result.Findings[^1].EventIndex.Should().BeNull();
    }

    [Fact]
    public void A_repeated_problem_is_reported_once_with_a_count()
    {
        var result = ValidateFixture("broken/missing-event-lines.sse");

        var finding = result.Findings.Should().ContainSingle().Which;
        finding.Id.Should().Be("sse.missing-event-name");
        finding.EventIndex.Should().Be(0);
        finding.Message.Should().EndWith("(and 7 more events)");
    }

    [Fact]
    public void No_bytes_at_all_is_an_empty_stream()
    {
        var result = AnthropicStreamValidator.Validate([]);

        result.Findings.Should().ContainSingle().Which.Id.Should().Be("stream.empty");
        result.EventCount.Should().Be(0);
        result.Message.Content.Should().BeEmpty();
    }

    [Fact]
    public void An_error_event_ends_the_stream_without_a_missing_message_stop()
    {
        var result = ValidateFixture("valid/error-overloaded.sse");

        var note = result.Findings.Should().ContainSingle().Which;
        note.Id.Should().Be("stream.error-event");
        note.Message.Should().Contain("overloaded_error: Overloaded");
    }

    [Fact]
    public void Duplicate_index_replaces_the_earlier_block_without_cascading()
    {
        var result = ValidateFixture("broken/duplicate-index.sse");

        result.Findings.Should().ContainSingle().Which.Id.Should().Be("stream.duplicate-index");
        result.Message.Text.Should().Be("again");
    }

    [Fact]
    public async Task Timings_are_measured_when_events_arrive_live()
    {
        var bytes = File.ReadAllBytes(StreamFixtures.PathOf("valid/text-basic.sse"));

        var result = await AnthropicStreamValidator.ValidateAsync(new TrickleStream(bytes, 64), clock: null, TestContext.Current.CancellationToken);

        var timings = result.Timings;
        timings.FirstEvent.Should().NotBeNull();
        timings.FirstContentDelta.Should().NotBeNull();
        timings.LastEvent.Should().NotBeNull();
        (timings.FirstEvent <= timings.FirstContentDelta).Should().BeTrue();
        (timings.FirstContentDelta <= timings.LastEvent).Should().BeTrue();
        AnthropicStreamValidator.Validate(bytes).Timings.Should().Be(StreamTimings.Unknown);
    }

    [Fact]
    public void Observing_after_completion_is_refused()
    {
        var validator = new AnthropicStreamValidator();
        validator.Complete();

        FluentActions.Invoking(() => validator.Observe(SseReader.Parse("data: {}\n\n").Events[0])).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => validator.Complete()).Should().ThrowExactly<InvalidOperationException>();
    }
}
