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
        Assert.Equal("2.1.328", t.ClaudeCodeVersion);
        Assert.Equal(2, t.Turns);
        Assert.Equal(2, t.ReportedTurns);
        var call = Assert.Single(t.ToolCalls);
        Assert.Equal("Bash", call.Name);
        Assert.Equal("""{"command":"ls"}""", call.InputJson);
        Assert.False(call.Malformed);
        Assert.False(call.ResultIsError);
        Assert.Equal("a.txt", call.ResultExcerpt);
        Assert.True(t.HasResult);
        Assert.Equal("Done.", t.FinalText);
        Assert.Equal("completed", t.TerminalReason);
        Assert.False(t.ResultIsError);
        Assert.Equal(0, t.ApiErrors);
        Assert.Equal(0, t.MalformedToolCalls);
        Assert.Equal(["tool_use", "end_turn"], t.StopReasons);
        Assert.Equal(200, t.InputTokens);
        Assert.Equal(14, t.OutputTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(43), t.TimeToFirstToken);
        Assert.Equal(0, t.UnreadableLines);
    }

    [Fact]
    public void A_server_error_counts_the_retried_and_the_final_failure_and_ends_the_session_on_an_api_error()
    {
        var t = Load("scripted-http-500");
        Assert.Equal(2, t.ApiErrors);
        Assert.Contains(t.ApiErrorMessages, m => m.Contains("API Error: 500 boom", StringComparison.Ordinal));
        Assert.True(t.EndedOnApiError);
        Assert.Equal(500, t.ApiErrorStatus);
        Assert.Equal(0, t.Turns);
        Assert.Null(t.TimeToFirstToken);
        Assert.Equal(TaskFailureKind.ApiError, TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t));
    }

    [Fact]
    public void A_request_lost_on_a_dropped_connection_is_a_connection_retry_and_does_not_end_the_session()
    {
        var t = Load("llama-cpu-tiny-sandboxed-connection-retry");
        Assert.Equal(1, t.ApiErrors);
        Assert.Equal(1, t.ConnectionRetries);
        Assert.Contains(t.ApiErrorMessages, m => m.Contains("unknown (no status)", StringComparison.Ordinal));
        Assert.Equal(4, t.Turns);
        Assert.False(t.EndedOnApiError);
        Assert.NotEqual(TaskFailureKind.ApiError, TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t));
    }

    [Fact]
    public void The_request_the_server_refused_is_kept_with_its_status_and_the_servers_words_and_a_lost_connection_is_not()
    {
        var rejected = Assert.Single(Load("scripted-http-500").Rejections);
        Assert.Equal(500, rejected.Status);
        Assert.StartsWith("boom.", rejected.Message);
        Assert.Empty(Load("llama-cpu-tiny-sandboxed-connection-retry").Rejections);
        Assert.Empty(Load("llama-cpu-tiny-output-limit").Rejections);
    }

    [Fact]
    public void A_retried_server_error_is_not_a_connection_retry() => Assert.Equal(0, Load("scripted-http-500").ConnectionRetries);

    [Theory]
    [InlineData("scripted-tool-input-not-json", "could not be parsed as JSON")]
    [InlineData("scripted-tool-input-wrong-fields", "required parameter `command` is missing")]
    [InlineData("scripted-unknown-tool", "No such tool available: Frobnicate")]
    public void Calls_claude_code_cannot_run_are_malformed(string name, string reason)
    {
        var t = Load(name);
        var call = Assert.Single(t.ToolCalls);
        Assert.True(call.Malformed);
        Assert.True(call.ResultIsError);
        Assert.Contains(reason, call.ResultExcerpt);
        Assert.Equal(1, t.MalformedToolCalls);
        Assert.False(t.EndedOnApiError);
        Assert.Equal(TaskFailureKind.MalformedToolCall, TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t));
    }

    [Fact]
    public void A_random_weights_model_hits_the_output_cap_four_times_and_makes_no_tool_call()
    {
        var t = Load("llama-cpu-tiny-output-limit");
        Assert.Equal(4, t.Turns);
        Assert.Equal(4, t.OutputLimitHits);
        Assert.Equal(["max_tokens", "max_tokens", "max_tokens", "max_tokens"], t.StopReasons);
        Assert.Equal(4 * 256, t.OutputTokens);
        // llama-server reports cached prompt tokens apart; both count as input.
        Assert.Equal(12575 + 35821, t.InputTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(5773), t.TimeToFirstToken);
        Assert.True(t.EndedOnOutputLimit);
        // Claude Code labels it "API Error", but no request failed: the model simply never stopped.
        Assert.False(t.EndedOnApiError);
        Assert.Equal(0, t.ApiErrors);
        Assert.Empty(t.ToolCalls);
        Assert.Equal("cpu-tiny", t.Model);
        Assert.StartsWith("API Error: Claude's response exceeded the 256 output token maximum", t.FinalText);
        Assert.Equal(TaskFailureKind.NoToolCall, TaskFailureKinds.Classify(timedOut: false, checkerPassed: false, t));
    }

    [Fact]
    public void A_run_cut_off_midway_keeps_what_it_saw_and_counts_as_a_timeout()
    {
        var lines = TranscriptFiles.Lines("llama-cpu-tiny-output-limit");
        var secondStart = lines.Select((l, i) => (l, i)).Where(x => x.l.Contains("\"message_start\"", StringComparison.Ordinal)).ElementAt(1).i;
        var t = StreamJsonTranscript.Parse(lines.Take(secondStart + 1));
        Assert.False(t.HasResult);
        Assert.Null(t.FinalText);
        Assert.Equal(2, t.Turns);
        Assert.Equal(TaskFailureKind.Timeout, TaskFailureKinds.Classify(timedOut: true, checkerPassed: false, t));
    }

    [Fact]
    public void Lines_that_are_not_json_are_counted_not_thrown()
    {
        var lines = TranscriptFiles.Lines("scripted-tool-round").Prepend("warning: something on stdout").Append("{truncated");
        var t = StreamJsonTranscript.Parse(lines);
        Assert.Equal(2, t.UnreadableLines);
        Assert.Equal("Done.", t.FinalText);
    }

    [Fact]
    public void A_passing_checker_wins_over_everything_but_a_timeout()
    {
        var t = Load("scripted-http-500");
        Assert.Null(TaskFailureKinds.Classify(timedOut: false, checkerPassed: true, t));
        Assert.Equal(TaskFailureKind.Timeout, TaskFailureKinds.Classify(timedOut: true, checkerPassed: true, t));
    }

    [Fact]
    public void Failure_kinds_have_the_result_file_names()
    {
        Assert.Equal(["timeout", "api-error", "no-tool-call", "malformed-tool-call", "checker-failed"],
            Enum.GetValues<TaskFailureKind>().Select(k => k.Name()));
    }
}
