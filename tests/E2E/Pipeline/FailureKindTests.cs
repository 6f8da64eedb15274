using LocalClaude.Tests.Support;
using System.Text.Json.Nodes;
using LocalClaude.Agents;
using LocalClaude.ScriptedControls;

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
        Assert.Equal(name, result.Record.Control);
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
        Assert.Equal(TaskFailureKind.ApiError, result.FailureKind);
        Assert.True(result.Record.ApiErrors >= 1);
        Assert.True(result.Transcript.EndedOnApiError);
        Assert.Equal(500, result.Transcript.ApiErrorStatus);
    }

    [Fact]
    public async Task A_call_with_the_wrong_fields_is_a_malformed_tool_call()
    {
        var result = await RunAsync("wrong-fields", CallOnce("Write", """{"path":"config/service.json","text":"{}"}"""));
        Assert.Equal(TaskFailureKind.MalformedToolCall, result.FailureKind);
        Assert.Equal(1, result.Record.MalformedToolCalls);
        Assert.Equal(1, result.Record.ToolCalls);
    }

    [Fact]
    public async Task A_call_whose_input_is_not_json_is_a_malformed_tool_call()
    {
        var result = await RunAsync("broken-json", CallOnce("Bash", """{"command": "ls"""));
        Assert.Equal(TaskFailureKind.MalformedToolCall, result.FailureKind);
        Assert.Equal(1, result.Record.MalformedToolCalls);
    }

    [Fact]
    public async Task A_well_formed_call_that_does_the_wrong_thing_is_a_checker_failure()
    {
        var result = await RunAsync("wrong-work", CallOnce("Bash", """{"command":"echo '{}' > wrong.json"}"""));
        Assert.Equal(TaskFailureKind.CheckerFailed, result.FailureKind);
        Assert.Equal(1, result.Record.ToolCalls);
        Assert.Equal(0, result.Record.MalformedToolCalls);
        Assert.StartsWith("FAIL", result.Check.Message);
        // The call really ran in the work dir, as the sandbox's uid, and the host got the file back.
        Assert.True(File.Exists(Path.Combine(result.WorkDirectory, "wrong.json")));
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
            Assert.Equal(TaskFailureKind.Timeout, result.FailureKind);
            Assert.True(result.Run.TimedOut);
            Assert.Null(result.Run.ExitCode);
            Assert.InRange(result.Record.WallSeconds, 5, 30);
        }
        finally { release.Set(); }
    }

    [Fact]
    public async Task The_hidden_checker_and_the_oracle_are_nowhere_the_agent_can_see()
    {
        // The agent's own search of everything it can read: no task file but its starting files, no checker, no oracle.
        const string scan = "find / -path /proc -prune -o \\( -name check.sh -o -name oracle.json -o -name task.json -o -name 'fixtures' \\) -print 2>/dev/null; echo scan-done; ls -A /work";
        var result = await RunAsync("scan", CallOnce("Bash", new JsonObject { ["command"] = scan }.ToJsonString()), taskId: "answer-port");
        var call = Assert.Single(result.Transcript.ToolCalls);
        Assert.False(call.ResultIsError);
        Assert.Contains("scan-done", call.ResultExcerpt);
        Assert.DoesNotContain("check.sh", call.ResultExcerpt);
        Assert.DoesNotContain("oracle.json", call.ResultExcerpt);
        Assert.DoesNotContain("task.json", call.ResultExcerpt);
        var listed = call.ResultExcerpt!.Split("scan-done")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var starting = Directory.EnumerateFileSystemEntries(E2EParts.Task("answer-port").WorkspaceDirectory).Select(Path.GetFileName);
        Assert.Equal(starting.Order(), listed.Order());
    }

    public void Dispose() => _scratch.Dispose();
}
