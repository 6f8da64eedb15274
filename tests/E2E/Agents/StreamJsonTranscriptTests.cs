using LocalClaude.Agents;

namespace LocalClaude.E2E.Tests.Agents;

/// <summary>Parsing real Claude Code 2.1.328 stream-json output (see Transcripts/README.md) and classifying failures from it.</summary>
public sealed class StreamJsonTranscriptTests
{
    private static StreamJsonTranscript Load(string name) => StreamJsonTranscript.Load(TranscriptFiles.PathOf(name));

    [Fact]
    public void A_tool_round_has_two_turns_one_well_formed_call_its_result_and_the_final_text()
    {
        var t = Load("scripted-tool-round");
        t.ClaudeCodeVersion.Should().Be("2.1.328");
        t.Turns.Should().Be(2);
        t.ReportedTurns.Should().Be(2);
        var call = t.ToolCalls.Should().ContainSingle().Which;
        call.Name.Should().Be("Bash");
        call.InputJson.Should().Be("""{"command":"ls"}""");
        call.Malformed.Should().BeFalse();
        call.ResultIsError.Should().BeFalse();
        call.ResultExcerpt.Should().Be("a.txt");
        t.HasResult.Should().BeTrue();
        t.FinalText.Should().Be("Done.");
        t.TerminalReason.Should().Be("completed");
        t.ResultIsError.Should().BeFalse();
        t.ApiErrors.Should().Be(0);
        t.MalformedToolCalls.Should().Be(0);
        t.StopReasons.Should().Equal(["tool_use", "end_turn"]);
        t.InputTokens.Should().Be(200);
        t.OutputTokens.Should().Be(14);
        t.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(43));
        t.UnreadableLines.Should().Be(0);
    }

    [Fact]
    public void A_server_error_counts_the_retried_and_the_final_failure_and_ends_the_session_on_an_api_error()
    {
        var t = Load("scripted-http-500");
        t.ApiErrors.Should().Be(2);
        t.ApiErrorMessages.Should().Contain(m => m.Contains("API Error: 500 boom", StringComparison.Ordinal));
        t.EndedOnApiError.Should().BeTrue();
        t.ApiErrorStatus.Should().Be(500);
        t.Turns.Should().Be(0);
        t.TimeToFirstToken.Should().BeNull();
        TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t).Should().Be(TaskFailureKind.ApiError);
    }

    [Fact]
    public void A_request_lost_on_a_dropped_connection_is_a_connection_retry_and_does_not_end_the_session()
    {
        var t = Load("llama-cpu-tiny-sandboxed-connection-retry");
        t.ApiErrors.Should().Be(1);
        t.ConnectionRetries.Should().Be(1);
        t.ApiErrorMessages.Should().Contain(m => m.Contains("unknown (no status)", StringComparison.Ordinal));
        t.Turns.Should().Be(4);
        t.EndedOnApiError.Should().BeFalse();
        TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t).Should().NotBe(TaskFailureKind.ApiError);
    }

    [Fact]
    public void The_request_the_server_refused_is_kept_with_its_status_and_the_servers_words_and_a_lost_connection_is_not()
    {
        var rejected = Load("scripted-http-500").Rejections.Should().ContainSingle().Which;
        rejected.Status.Should().Be(500);
        rejected.Message.Should().StartWith("boom.");
        Load("llama-cpu-tiny-sandboxed-connection-retry").Rejections.Should().BeEmpty();
        Load("llama-cpu-tiny-output-limit").Rejections.Should().BeEmpty();
    }

    [Fact]
    public void A_retried_server_error_is_not_a_connection_retry() => Load("scripted-http-500").ConnectionRetries.Should().Be(0);

    [Theory]
    [InlineData("scripted-tool-input-not-json", "could not be parsed as JSON")]
    [InlineData("scripted-tool-input-wrong-fields", "required parameter `command` is missing")]
    [InlineData("scripted-unknown-tool", "No such tool available: Frobnicate")]
    public void Calls_claude_code_cannot_run_are_malformed(string name, string reason)
    {
        var t = Load(name);
        var call = t.ToolCalls.Should().ContainSingle().Which;
        call.Malformed.Should().BeTrue();
        call.ResultIsError.Should().BeTrue();
        call.ResultExcerpt.Should().Contain(reason);
        t.MalformedToolCalls.Should().Be(1);
        t.EndedOnApiError.Should().BeFalse();
        TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t).Should().Be(TaskFailureKind.MalformedToolCall);
    }

    [Fact]
    public void A_random_weights_model_hits_the_output_cap_four_times_and_makes_no_tool_call()
    {
        var t = Load("llama-cpu-tiny-output-limit");
        t.Turns.Should().Be(4);
        t.OutputLimitHits.Should().Be(4);
        t.StopReasons.Should().Equal(["max_tokens", "max_tokens", "max_tokens", "max_tokens"]);
        t.OutputTokens.Should().Be(4 * 256);
        // llama-server reports cached prompt tokens apart; both count as input.
        t.InputTokens.Should().Be(12575 + 35821);
        t.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(5773));
        t.EndedOnOutputLimit.Should().BeTrue();
        // Claude Code labels it "API Error", but no request failed: the model simply never stopped.
        t.EndedOnApiError.Should().BeFalse();
        t.ApiErrors.Should().Be(0);
        t.ToolCalls.Should().BeEmpty();
        t.Model.Should().Be("cpu-tiny");
        t.FinalText.Should().StartWith("API Error: Claude's response exceeded the 256 output token maximum");
        TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t).Should().Be(TaskFailureKind.NoToolCall);
    }

    [Fact]
    public void A_run_cut_off_midway_keeps_what_it_saw_and_counts_as_a_timeout()
    {
        var lines = TranscriptFiles.Lines("llama-cpu-tiny-output-limit");
        var secondStart = lines.Select((l, i) => (l, i)).Where(x => x.l.Contains("\"message_start\"", StringComparison.Ordinal)).ElementAt(1).i;
        var t = StreamJsonTranscript.Parse(lines.Take(secondStart + 1));
        t.HasResult.Should().BeFalse();
        t.FinalText.Should().BeNull();
        t.Turns.Should().Be(2);
        TaskFailureKinds.Classify(timedOut: true, checkerPassed: false, t).Should().Be(TaskFailureKind.Timeout);
    }

    [Fact]
    public void Lines_that_are_not_json_are_counted_not_thrown()
    {
        var lines = TranscriptFiles.Lines("scripted-tool-round").Prepend("warning: something on stdout").Append("{truncated");
        var t = StreamJsonTranscript.Parse(lines);
        t.UnreadableLines.Should().Be(2);
        t.FinalText.Should().Be("Done.");
    }

    [Fact]
    public void A_passing_checker_wins_over_everything_but_a_timeout()
    {
        var t = Load("scripted-http-500");
        TaskFailureKinds.Classify(timedOut: false, checkerPassed: true, t).Should().BeNull();
        TaskFailureKinds.Classify(timedOut: true, checkerPassed: true, t).Should().Be(TaskFailureKind.Timeout);
    }

    [Fact]
    public void Failure_kinds_have_the_result_file_names()
    {
        Enum.GetValues<TaskFailureKind>().Select(k => k.Name()).Should().Equal(["timeout", "api-error", "no-tool-call", "malformed-tool-call", "checker-failed"]);
    }
}
