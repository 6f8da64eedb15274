using LocalClaude.Agents;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;
using LocalClaude.Results;
using LocalClaude.Tests.Support;

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
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().Contain("control-oracle (CONTROL backend, not a model)");
        var selected = TaskFixture.LoadAll(E2EParts.Context.Repo.Tasks, "c*").Select(t => t.Id).ToList();
        (selected.Count >= 2).Should().BeTrue();
        foreach (var id in selected) result.StandardOutput.Should().MatchRegex($@"{id}\s+1/1");
        var file = ResultFile.Load(path);
        file.Run.Profile.Should().Be("control-oracle");
        file.Trials.Select(t => t.Task).Should().Equal(selected);
        Assert.All(file.Trials, t => (t.Passed && t.Control == "oracle").Should().BeTrue());
        File.Exists(Path.Combine(_scratch.Path, file.Trials[0].Transcript!)).Should().BeTrue();
    }

    [Fact]
    public async Task The_no_op_control_fails_every_task_with_its_kind_and_the_command_says_the_pipeline_holds()
    {
        await E2EParts.RequireSandboxAsync();
        E2EParts.RequireClaudeCode();
        var result = await RunAsync("--control", "noop", "--tasks", "answer-port", "--out", Path.Combine(_scratch.Path, "noop.json"));
        // Every trial failing is what the no-op control must show: exit 0.
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().MatchRegex(@"answer-port\s+0/1.*no-tool-call");
        result.StandardOutput.Should().Contain("failure kinds: no-tool-call");
    }

    [Fact]
    public async Task Bad_arguments_are_refused_with_a_message()
    {
        var control = await RunAsync("--control", "wizard", "--tasks", "answer-port", "--out", Path.Combine(_scratch.Path, "x.json"));
        control.ExitCode.Should().Be(ExitCodes.CouldNotRun);
        control.StandardError.Should().Contain("unknown control backend 'wizard'");
        var tasks = await RunAsync("--control", "noop", "--tasks", "no-such-task-*", "--out", Path.Combine(_scratch.Path, "y.json"));
        tasks.ExitCode.Should().NotBe(0);
        tasks.StandardError.Should().Contain("no task in");
        (File.Exists(Path.Combine(_scratch.Path, "x.json")) || File.Exists(Path.Combine(_scratch.Path, "y.json"))).Should().BeFalse();
    }

    public void Dispose() => _scratch.Dispose();
}
