using System.Text.Json.Nodes;
using LocalClaude.Agents;
using LocalClaude.Results;
using LocalClaude.ScriptedControls;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// Proving the pipeline with the real sandboxed Claude Code: every task passes when the backend plays its oracle
/// solution, and fails when the backend does nothing. Both are CONTROLS, filed as such, never a profile's result.
/// </summary>
public sealed class ControlBackendTests(ControlRuns runs, ITestOutputHelper output) : IClassFixture<ControlRuns>
{
    private void Show(E2ESuiteResult result)
    {
        var table = new StringWriter();
        result.Matrix.Print(table);
        output.WriteLine(table.ToString());
        output.WriteLine($"run took {result.File.Run.DurationSeconds} s; result file {result.ResultPath}");
    }

    [Fact]
    public async Task Every_task_passes_with_the_oracle_control()
    {
        var result = await runs.RunAsync(ControlKind.Oracle);
        Show(result);
        var tasks = E2EParts.Tasks();
        (tasks.Count >= 12).Should().BeTrue($"only {tasks.Count} tasks");
        result.Trials.Select(t => t.Task.Id).Should().Equal(tasks.Select(t => t.Id));
        foreach (var trial in result.Trials)
        {
            var why = $"{trial.Task.Id}: {trial.Record.FailureKind} {trial.Check.Message} (transcript {trial.Run.TranscriptPath}, log tail:\n{trial.Run.LogTail})";
            trial.Passed.Should().BeTrue(why);
            trial.Record.Control.Should().Be("oracle");
            // Claude Code ran each scripted call itself, inside the sandbox, and refused none (a failing test run is still a run).
            trial.Record.ToolCalls.Should().Be(trial.Task.Oracle.Steps.Count);
            Assert.All(trial.Transcript.ToolCalls, c =>
            {
                c.ResultIsError.Should().NotBeNull();
                c.ResultExcerpt.Should().NotContain("haven't granted");
            });
            trial.Record.MalformedToolCalls.Should().Be(0);
            trial.Record.ApiErrors.Should().Be(0);
            trial.Transcript.FinalText.Should().Be(trial.Task.Oracle.FinalTextFor(Sandbox.SandboxSpec.DefaultWorkInside));
        }
    }

    [Fact]
    public async Task Every_task_fails_with_the_no_op_control_because_no_tool_was_called()
    {
        var result = await runs.RunAsync(ControlKind.NoOp);
        Show(result);
        result.Trials.Select(t => t.Task.Id).Should().Equal(E2EParts.Tasks().Select(t => t.Id));
        foreach (var trial in result.Trials)
        {
            trial.Passed.Should().BeFalse($"{trial.Task.Id} passed with the no-op control: its checker tests nothing ({trial.Check.Message})");
            trial.FailureKind.Should().Be(TaskFailureKind.NoToolCall);
            trial.Check.Passed.Should().BeFalse();
            trial.Record.Turns.Should().Be(1);
            trial.Record.Control.Should().Be("no-op");
        }
    }

    [Fact]
    public async Task Claude_Code_asks_for_the_profiles_output_cap_and_sends_only_the_local_token()
    {
        var cap = E2EParts.Profile.MaxOutputTokens;
        if (cap is null) Assert.Skip($"profile '{E2EParts.Profile.Name}' sets no MAX_OUTPUT_TOKENS");
        var result = await runs.RunAsync(ControlKind.Oracle);
        var requests = 0;
        foreach (var trial in result.Trials)
        {
            trial.RequestsFile.Should().NotBeNull();
            foreach (var line in File.ReadLines(trial.RequestsFile))
            {
                var request = JsonNode.Parse(line)!.AsObject();
                if (request["Method"]!.GetValue<string>() != "POST" || request["Path"]!.GetValue<string>() != "/v1/messages") continue;
                requests++;
                var body = JsonNode.Parse(request["Body"]!.GetValue<string>())!.AsObject();
                // CLAUDE_CODE_MAX_OUTPUT_TOKENS replaced Claude Code's 32000 in every request: llama-server's -n would not.
                ((int?)(body["max_tokens"]!.GetValue<int>())).Should().Be(cap);
                var headers = request["Headers"]!.AsObject();
                headers["authorization"]!.GetValue<string>().Should().Be($"Bearer {ControlBackend.AuthToken}");
                headers.ContainsKey("x-api-key").Should().BeFalse("an API key reached the backend");
            }
        }
        output.WriteLine($"{requests} messages requests, every one with max_tokens {cap}");
        (requests >= result.Trials.Sum(t => t.Task.Oracle.Steps.Count + 1)).Should().BeTrue();
        ((int?)((int)result.File.Metrics["e2e.max_output_tokens"])).Should().Be(cap);
    }

    [Fact]
    public async Task Control_results_are_filed_as_controls_with_the_claude_code_version()
    {
        var result = await runs.RunAsync(ControlKind.Oracle);
        var file = ResultFile.Load(result.ResultPath);
        file.Kind.Should().Be("e2e");
        file.Run.Profile.Should().Be("control-oracle");
        file.Run.ProfileDescription.Should().Contain("CONTROL");
        file.Run.ClaudeCodeVersion.Should().Be("2.1.328");
        Assert.All(file.Trials, t => t.Control.Should().Be("oracle"));
        Assert.All(file.Checks, c => c.Outcome.Should().Be(Results.CheckOutcome.Pass));
        // Transcripts sit beside the result file, named relative to it.
        Assert.All(file.Trials, t => File.Exists(Path.Combine(Path.GetDirectoryName(result.ResultPath)!, t.Transcript!)).Should().BeTrue(t.Transcript));
        CapabilityMatrix.FromResultFiles([file]).Profiles.Should().Equal(["control-oracle"]);
    }
}
