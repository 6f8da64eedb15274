using LocalClaude.Tests.Support;
using LocalClaude.Agents;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;
using LocalClaude.Results;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary><c>tools/localclaude e2e</c> as a user runs it, against the CONTROL backends (seconds, no llama-server).</summary>
public sealed class E2ECommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _scratch = new();

    private async Task<Infrastructure.CommandResult> RunAsync(params string[] arguments)
    {
        var result = await LauncherCli.RunAsync(["e2e", .. arguments], null, LauncherCli.Repo.Root, TestContext.Current.CancellationToken);
        output.WriteLine($"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
        return result;
    }

    [Fact]
    public async Task The_oracle_control_passes_the_selected_tasks_prints_the_matrix_and_writes_a_control_result_file()
    {
        await E2EParts.RequireSandboxAsync();
        E2EParts.RequireClaudeCode();
        var path = Path.Combine(_scratch.Path, "oracle.json");
        var result = await RunAsync("--control", "oracle", "--tasks", "c*", "--out", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("control-oracle (CONTROL backend, not a model)", result.StandardOutput);
        var selected = TaskFixture.LoadAll(E2EParts.Context.Repo.Tasks, "c*").Select(t => t.Id).ToList();
        Assert.True(selected.Count >= 2);
        foreach (var id in selected) Assert.Matches($@"{id}\s+1/1", result.StandardOutput);
        var file = ResultFile.Load(path);
        Assert.Equal("control-oracle", file.Run.Profile);
        Assert.Equal(selected, file.Trials.Select(t => t.Task));
        Assert.All(file.Trials, t => Assert.True(t.Passed && t.Control == "oracle"));
        Assert.True(File.Exists(Path.Combine(_scratch.Path, file.Trials[0].Transcript!)));
    }

    [Fact]
    public async Task The_no_op_control_fails_every_task_with_its_kind_and_the_command_says_the_pipeline_holds()
    {
        await E2EParts.RequireSandboxAsync();
        E2EParts.RequireClaudeCode();
        var result = await RunAsync("--control", "noop", "--tasks", "answer-port", "--out", Path.Combine(_scratch.Path, "noop.json"));
        // Every trial failing is what the no-op control must show: exit 0.
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"answer-port\s+0/1.*no-tool-call", result.StandardOutput);
        Assert.Contains("failure kinds: no-tool-call", result.StandardOutput);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_with_a_message()
    {
        var control = await RunAsync("--control", "wizard", "--tasks", "answer-port", "--out", Path.Combine(_scratch.Path, "x.json"));
        Assert.Equal(ExitCodes.CouldNotRun, control.ExitCode);
        Assert.Contains("unknown control backend 'wizard'", control.StandardError);
        var tasks = await RunAsync("--control", "noop", "--tasks", "no-such-task-*", "--out", Path.Combine(_scratch.Path, "y.json"));
        Assert.NotEqual(0, tasks.ExitCode);
        Assert.Contains("no task in", tasks.StandardError);
        Assert.False(File.Exists(Path.Combine(_scratch.Path, "x.json")) || File.Exists(Path.Combine(_scratch.Path, "y.json")));
    }

    public void Dispose() => _scratch.Dispose();
}
