using System.Text.Json.Nodes;
using LocalClaude.Agents;
using LocalClaude.ScriptedControls;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// Each failure kind, produced by the real sandboxed Claude Code against a scripted CONTROL that misbehaves in one
/// way, so the driver's classification is tested on what Claude Code really prints. One task, one trial each.
/// </summary>
public sealed class FailureKindTests(ITestOutputHelper output) : IDisposable
{
    private const string TaskId = "create-json-config";
    private readonly TempDirectory _scratch = new();

    private async Task<E2ETrialResult> RunAsync(string name, Func<ScriptedRequest, ScriptedReply> reply, TimeSpan? timeout = null, string taskId = TaskId)
    {
        var driver = new E2EDriver(await E2EParts.RequireRunnerAsync());
        var result = await driver.RunTrialAsync(E2EParts.Task(taskId), 1, new ControlBackend(name, _ => new DelegateControlScript(name, reply)),
            new E2ERunOptions
            {
                RunDirectory = Path.Combine(_scratch.Path, name),
                TimeoutCap = timeout ?? TimeSpan.FromSeconds(90),
                MaxOutputTokens = 256,
                MaxRetries = 0,
            }, TestContext.Current.CancellationToken);
        output.WriteLine($"{name}: {result.Record.FailureKind ?? "pass"} in {result.Record.WallSeconds} s, {result.Record.Turns} turn(s), " +
                         $"{result.Record.ToolCalls} call(s), {result.Record.ApiErrors} API error(s); checker: {result.Check.Message}");
        foreach (var call in result.Transcript.ToolCalls) output.WriteLine($"  {call.Name} {call.InputJson} → {call.ResultExcerpt}");
        result.Record.Control.Should().Be(name);
        return result;
    }

    /// <summary>The first main-loop request gets <paramref name="call"/>; later ones end the turn.</summary>
    private static Func<ScriptedRequest, ScriptedReply> CallOnce(string tool, string inputJson) => request =>
        request.HasTools && request.CompletedToolTurns == 0
            ? ScriptedReply.ToolCall(null, new ToolUseReplyBlock("toolu_test_01", tool, inputJson))
            : ScriptedReply.Text("Finished.");

    [Fact]
    public async Task A_backend_answering_500_is_an_api_error()
    {
        var result = await RunAsync("http-500", _ => throw new InvalidOperationException("scripted backend failure"));
        result.FailureKind.Should().Be(TaskFailureKind.ApiError);
        (result.Record.ApiErrors >= 1).Should().BeTrue();
        result.Transcript.EndedOnApiError.Should().BeTrue();
        result.Transcript.ApiErrorStatus.Should().Be(500);
    }

    [Fact]
    public async Task A_call_with_the_wrong_fields_is_a_malformed_tool_call()
    {
        var result = await RunAsync("wrong-fields", CallOnce("Write", """{"path":"config/service.json","text":"{}"}"""));
        result.FailureKind.Should().Be(TaskFailureKind.MalformedToolCall);
        result.Record.MalformedToolCalls.Should().Be(1);
        result.Record.ToolCalls.Should().Be(1);
    }

    [Fact]
    public async Task A_call_whose_input_is_not_json_is_a_malformed_tool_call()
    {
        var result = await RunAsync("broken-json", CallOnce("Bash", """{"command": "ls"""));
        result.FailureKind.Should().Be(TaskFailureKind.MalformedToolCall);
        result.Record.MalformedToolCalls.Should().Be(1);
    }

    [Fact]
    public async Task A_well_formed_call_that_does_the_wrong_thing_is_a_checker_failure()
    {
        var result = await RunAsync("wrong-work", CallOnce("Bash", """{"command":"echo '{}' > wrong.json"}"""));
        result.FailureKind.Should().Be(TaskFailureKind.CheckerFailed);
        result.Record.ToolCalls.Should().Be(1);
        result.Record.MalformedToolCalls.Should().Be(0);
        result.Check.Message.Should().StartWith("FAIL");
        // The call really ran in the work dir, as the sandbox's uid, and the host got the file back.
        File.Exists(Path.Combine(result.WorkDirectory, "wrong.json")).Should().BeTrue();
    }

    [Fact]
    public async Task A_backend_that_never_answers_is_a_timeout_and_the_run_is_killed()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var result = await RunAsync("silent", _ =>
            {
                release.Wait(TimeSpan.FromSeconds(60));
                return ScriptedReply.Text("too late");
            }, timeout: TimeSpan.FromSeconds(5));
            result.FailureKind.Should().Be(TaskFailureKind.Timeout);
            result.Run.TimedOut.Should().BeTrue();
            result.Run.ExitCode.Should().BeNull();
            result.Record.WallSeconds.Should().BeInRange(5, 30);
        }
        finally { release.Set(); }
    }

    [Fact]
    public async Task The_hidden_checker_and_the_oracle_are_nowhere_the_agent_can_see()
    {
        // The agent's own search of everything it can read: no task file but its starting files, no checker, no oracle.
        const string scan = "find / -path /proc -prune -o \\( -name check.sh -o -name oracle.json -o -name task.json -o -name 'fixtures' \\) -print 2>/dev/null; echo scan-done; ls -A /work";
        var result = await RunAsync("scan", CallOnce("Bash", new JsonObject { ["command"] = scan }.ToJsonString()), taskId: "answer-port");
        var call = result.Transcript.ToolCalls.Should().ContainSingle().Which;
        call.ResultIsError.Should().BeFalse();
        call.ResultExcerpt.Should().Contain("scan-done");
        call.ResultExcerpt.Should().NotContain("check.sh");
        call.ResultExcerpt.Should().NotContain("oracle.json");
        call.ResultExcerpt.Should().NotContain("task.json");
        var listed = call.ResultExcerpt!.Split("scan-done")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var starting = Directory.EnumerateFileSystemEntries(E2EParts.Task("answer-port").WorkspaceDirectory).Select(Path.GetFileName);
        listed.Order().Should().Equal(starting.Order());
    }

    public void Dispose() => _scratch.Dispose();
}
