using System.Text.Json.Nodes;
using LocalClaude.Agents;
using LocalClaude.ScriptedControls;
using LocalClaude.Results;

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
        Assert.True(tasks.Count >= 12, $"only {tasks.Count} tasks");
        Assert.Equal(tasks.Select(t => t.Id), result.Trials.Select(t => t.Task.Id));
        foreach (var trial in result.Trials)
        {
            var why = $"{trial.Task.Id}: {trial.Record.FailureKind} {trial.Check.Message} (transcript {trial.Run.TranscriptPath}, log tail:\n{trial.Run.LogTail})";
            Assert.True(trial.Passed, why);
            Assert.Equal("oracle", trial.Record.Control);
            // Claude Code ran each scripted call itself, inside the sandbox, and refused none (a failing test run is still a run).
            Assert.Equal(trial.Task.Oracle.Steps.Count, trial.Record.ToolCalls);
            Assert.All(trial.Transcript.ToolCalls, c =>
            {
                Assert.NotNull(c.ResultIsError);
                Assert.DoesNotContain("haven't granted", c.ResultExcerpt);
            });
            Assert.Equal(0, trial.Record.MalformedToolCalls);
            Assert.Equal(0, trial.Record.ApiErrors);
            Assert.Equal(trial.Task.Oracle.FinalTextFor(Sandbox.SandboxSpec.DefaultWorkInside), trial.Transcript.FinalText);
        }
    }

    [Fact]
    public async Task Every_task_fails_with_the_no_op_control_because_no_tool_was_called()
    {
        var result = await runs.RunAsync(ControlKind.NoOp);
        Show(result);
        Assert.Equal(E2EParts.Tasks().Select(t => t.Id), result.Trials.Select(t => t.Task.Id));
        foreach (var trial in result.Trials)
        {
            Assert.False(trial.Passed, $"{trial.Task.Id} passed with the no-op control: its checker tests nothing ({trial.Check.Message})");
            Assert.Equal(TaskFailureKind.NoToolCall, trial.FailureKind);
            Assert.False(trial.Check.Passed);
            Assert.Equal(1, trial.Record.Turns);
            Assert.Equal("no-op", trial.Record.Control);
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
            Assert.NotNull(trial.RequestsFile);
            foreach (var line in File.ReadLines(trial.RequestsFile))
            {
                var request = JsonNode.Parse(line)!.AsObject();
                if (request["Method"]!.GetValue<string>() != "POST" || request["Path"]!.GetValue<string>() != "/v1/messages") continue;
                requests++;
                var body = JsonNode.Parse(request["Body"]!.GetValue<string>())!.AsObject();
                // CLAUDE_CODE_MAX_OUTPUT_TOKENS replaced Claude Code's 32000 in every request: llama-server's -n would not.
                Assert.Equal(cap, body["max_tokens"]!.GetValue<int>());
                var headers = request["Headers"]!.AsObject();
                Assert.Equal($"Bearer {ControlBackend.AuthToken}", headers["authorization"]!.GetValue<string>());
                Assert.False(headers.ContainsKey("x-api-key"), "an API key reached the backend");
            }
        }
        output.WriteLine($"{requests} messages requests, every one with max_tokens {cap}");
        Assert.True(requests >= result.Trials.Sum(t => t.Task.Oracle.Steps.Count + 1));
        Assert.Equal(cap, (int)result.File.Metrics["e2e.max_output_tokens"]);
    }

    [Fact]
    public async Task Control_results_are_filed_as_controls_with_the_claude_code_version()
    {
        var result = await runs.RunAsync(ControlKind.Oracle);
        var file = ResultFile.Load(result.ResultPath);
        Assert.Equal("e2e", file.Kind);
        Assert.Equal("control-oracle", file.Run.Profile);
        Assert.Contains("CONTROL", file.Run.ProfileDescription);
        Assert.Equal("2.1.328", file.Run.ClaudeCodeVersion);
        Assert.All(file.Trials, t => Assert.Equal("oracle", t.Control));
        Assert.All(file.Checks, c => Assert.Equal(Results.CheckOutcome.Pass, c.Outcome));
        // Transcripts sit beside the result file, named relative to it.
        Assert.All(file.Trials, t => Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(result.ResultPath)!, t.Transcript!)), t.Transcript));
        Assert.Equal(["control-oracle"], CapabilityMatrix.FromResultFiles([file]).Profiles);
    }
}
