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
        Assert.Equal("msg_014p7gG3wDgGV9EUtLvnow3U", message.Id);
        Assert.Equal("claude-sonnet-4-5", message.Model);
        Assert.Equal("assistant", message.Role);
        Assert.Equal("tool_use", message.StopReason);
        Assert.Null(message.StopSequence);
        Assert.Equal(new MessageUsage(472, 89, null, null), message.Usage);
        Assert.Equal(["text", "tool_use"], message.Content.Select(block => block.Type));
        Assert.Equal("Okay, let's check the weather for San Francisco, CA:", message.Text);
        var tool = Assert.Single(message.ToolUses);
        Assert.Equal("toolu_01T1x1fJ34qAmk2tNTrN7Up6", tool.Id);
        Assert.Equal("get_weather", tool.Name);
        Assert.Equal("San Francisco, CA", tool.Input!.Value.GetProperty("location").GetString());
        Assert.Equal("fahrenheit", tool.Input.Value.GetProperty("unit").GetString());
    }

    [Fact]
    public void Empty_partial_json_leaves_the_start_input()
    {
        var tool = Assert.Single(ValidateFixture("valid/empty-tool-input.sse").Message.ToolUses);

        Assert.Equal("{}", tool.InputJson);
        Assert.Equal(JsonValueKind.Object, tool.Input!.Value.ValueKind);
    }

    [Fact]
    public void Thinking_block_keeps_its_text_and_signature()
    {
        var message = ValidateFixture("valid/thinking.sse").Message;

        var thinking = Assert.IsType<AggregatedThinkingBlock>(message.Content[0]);
        Assert.StartsWith("Let me solve this step by step", thinking.Thinking, StringComparison.Ordinal);
        Assert.EndsWith("453 = 400 + 50 + 3", thinking.Thinking, StringComparison.Ordinal);
        Assert.StartsWith("EqQBCgIYAhIM", thinking.Signature, StringComparison.Ordinal);
        Assert.Equal("27 * 453 = 12,231", message.Text);
    }

    [Fact]
    public void Llamacpp_overlapping_blocks_are_flagged_but_still_aggregated()
    {
        var result = ValidateFixture("broken/llamacpp-thinking-overlap.sse");

        var overlap = Assert.Single(result.Findings, finding => finding.Id == "stream.block-overlap");
        Assert.Equal(FindingSeverity.ClientBreak, overlap.Severity);
        Assert.Equal(4, overlap.EventIndex);
        Assert.Contains("block 1 (text) starts while block 0 (thinking) is still open", overlap.Message, StringComparison.Ordinal);
        var thinking = Assert.IsType<AggregatedThinkingBlock>(result.Message.Content[0]);
        Assert.Equal("The user greets me.", thinking.Thinking);
        Assert.Equal("", thinking.Signature);
        Assert.Equal("Hello!", result.Message.Text);
        Assert.Equal(new MessageUsage(12, 9, null, 0), result.Message.Usage);
    }

    [Fact]
    public void Finding_points_at_the_event_and_its_byte_offset()
    {
        var bytes = File.ReadAllBytes(StreamFixtures.PathOf("broken/index-gap.sse"));
        var document = SseReader.Parse(bytes);

        var gap = Assert.Single(AnthropicStreamValidator.Validate(document).Findings, finding => finding.Id == "stream.index-gap");

        var sseEvent = document.Events[gap.EventIndex!.Value];
        Assert.Equal(sseEvent.ByteOffset, gap.ByteOffset);
        Assert.StartsWith("event: content_block_start", Encoding.UTF8.GetString(bytes, (int)sseEvent.ByteOffset, (int)sseEvent.ByteLength), StringComparison.Ordinal);
        Assert.Contains("\"index\":2", sseEvent.Data, StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_are_ordered_by_event_with_whole_stream_findings_last()
    {
        var result = ValidateFixture("broken/truncated-tool-arguments.sse");

        Assert.Equal(
            ["stream.block-not-stopped", "stream.tool-input-invalid-json", "stream.missing-message-stop"],
            result.Findings.Select(finding => finding.Id));
        Assert.Null(result.Findings[^1].EventIndex);
    }

    [Fact]
    public void A_repeated_problem_is_reported_once_with_a_count()
    {
        var result = ValidateFixture("broken/missing-event-lines.sse");

        var finding = Assert.Single(result.Findings);
        Assert.Equal("sse.missing-event-name", finding.Id);
        Assert.Equal(0, finding.EventIndex);
        Assert.EndsWith("(and 7 more events)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_bytes_at_all_is_an_empty_stream()
    {
        var result = AnthropicStreamValidator.Validate([]);

        Assert.Equal("stream.empty", Assert.Single(result.Findings).Id);
        Assert.Equal(0, result.EventCount);
        Assert.Empty(result.Message.Content);
    }

    [Fact]
    public void An_error_event_ends_the_stream_without_a_missing_message_stop()
    {
        var result = ValidateFixture("valid/error-overloaded.sse");

        var note = Assert.Single(result.Findings);
        Assert.Equal("stream.error-event", note.Id);
        Assert.Contains("overloaded_error: Overloaded", note.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_index_replaces_the_earlier_block_without_cascading()
    {
        var result = ValidateFixture("broken/duplicate-index.sse");

        Assert.Equal("stream.duplicate-index", Assert.Single(result.Findings).Id);
        Assert.Equal("again", result.Message.Text);
    }

    [Fact]
    public async Task Timings_are_measured_when_events_arrive_live()
    {
        var bytes = File.ReadAllBytes(StreamFixtures.PathOf("valid/text-basic.sse"));

        var result = await AnthropicStreamValidator.ValidateAsync(new TrickleStream(bytes, 64), clock: null, TestContext.Current.CancellationToken);

        var timings = result.Timings;
        Assert.NotNull(timings.FirstEvent);
        Assert.NotNull(timings.FirstContentDelta);
        Assert.NotNull(timings.LastEvent);
        Assert.True(timings.FirstEvent <= timings.FirstContentDelta);
        Assert.True(timings.FirstContentDelta <= timings.LastEvent);
        Assert.Equal(StreamTimings.Unknown, AnthropicStreamValidator.Validate(bytes).Timings);
    }

    [Fact]
    public void Observing_after_completion_is_refused()
    {
        var validator = new AnthropicStreamValidator();
        validator.Complete();

        Assert.Throws<InvalidOperationException>(() => validator.Observe(SseReader.Parse("data: {}\n\n").Events[0]));
        Assert.Throws<InvalidOperationException>(() => validator.Complete());
    }
}
