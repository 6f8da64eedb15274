using LocalClaude.Agents;
using LocalClaude.Results;
using LocalClaude.Server;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// <c>e2e</c> on the profile under test (LOCALCLAUDE_PROFILE, default the CPU profile): every task through the real
/// sandboxed Claude Code against the real llama-server, with the profile's MAX_OUTPUT_TOKENS as Claude Code's
/// max_tokens. With random weights the honest result is that every task fails, and the matrix says how.
/// LOCALCLAUDE_E2E_TASKS (a glob) narrows the tasks for a quick local run.
/// </summary>
[Collection(CpuProfileCollection.Name)]
public sealed class CpuProfileE2ETests(ITestOutputHelper output) : IDisposable
{
    private const string TasksVariable = "LOCALCLAUDE_E2E_TASKS";
    private static readonly string[] Kinds = Enum.GetValues<TaskFailureKind>().Select(k => k.Name()).ToArray();
    private readonly TempDirectory _scratch = new();

    [Fact]
    public async Task Every_task_runs_against_the_real_llama_server_and_the_matrix_shows_each_failure_with_its_kind()
    {
        await E2EParts.RequireSandboxAsync();
        var claude = E2EParts.RequireClaudeCode();
        var profile = E2EParts.Profile;
        var glob = Environment.GetEnvironmentVariable(TasksVariable) is { Length: > 0 } g ? g : "*";
        var resultPath = Path.Combine(_scratch.Path, "results", $"e2e-{profile.Name}.json");
        E2ESuiteResult result;
        try
        {
            result = await new E2ESuite(E2EParts.Context).RunProfileAsync(profile, ServerTarget.FromArgumentsOrEnvironment(null, null), new E2ESuiteOptions
            {
                ResultPath = resultPath,
                TaskGlob = glob,
                RunDirectory = Path.Combine(_scratch.Path, "runs"),
                // A random model never stops on its own; at the output cap a task takes seconds, so this only catches a hang.
                TimeoutCap = TimeSpan.FromSeconds(240),
                Command = $"LocalClaude.E2E.Tests e2e --profile {profile.Name} --tasks '{glob}'",
            }, TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException
                                  || e is LlamaServerStartException { Kind: ServerStartFailureKind.BinaryMissing or ServerStartFailureKind.ModelFileMissing })
        {
            MissingPart.Report($"profile '{profile.Name}': {e.Message.Split('\n')[0]}");
            return;
        }

        var table = new StringWriter();
        result.Matrix.Print(table);
        output.WriteLine(table.ToString());
        foreach (var t in result.Trials)
            output.WriteLine($"{t.Task.Id}: {t.Record.FailureKind ?? "pass"}, {t.Record.WallSeconds:0.0} s, {t.Record.Turns} turns, " +
                             $"{t.Record.InputTokens} in / {t.Record.OutputTokens} out tokens, TTFT {t.Record.TimeToFirstTokenSeconds} s, " +
                             $"stop reasons [{string.Join(",", t.Transcript.StopReasons)}]; {t.Check.Message}");

        var expected = TaskFixture.LoadAll(E2EParts.Context.Repo.Tasks, glob).Select(t => t.Id).ToList();
        result.Trials.Select(t => t.Task.Id).Should().Equal(expected);
        var file = ResultFile.Load(resultPath);
        file.Run.Profile.Should().Be(profile.Name);
        string.IsNullOrWhiteSpace(file.Run.Server.Version).Should().BeFalse("the llama-server version is missing from the result file");
        file.Run.ClaudeCodeVersion.Should().Be(claude.Version);
        Assert.All(file.Trials, t => t.Control.Should().BeNull());
        file.Checks.Count.Should().Be(expected.Count);

        foreach (var trial in result.Trials)
        {
            var record = trial.Record;
            var where = $"{record.Task} (transcript {trial.Run.TranscriptPath}; log tail:\n{trial.Run.LogTail})";
            // Claude Code really talked to llama-server: a response came back (or a request failed, or the clock ran out).
            (record.Turns >= 1 || record.ApiErrors >= 1 || trial.Run.TimedOut).Should().BeTrue($"no request reached the server: {where}");
            if (profile.MaxOutputTokens is { } cap)
                (record.OutputTokens <= (long)cap * Math.Max(1, record.Turns)).Should().BeTrue($"{record.OutputTokens} output tokens over {record.Turns} responses exceeds the cap {cap}: CLAUDE_CODE_MAX_OUTPUT_TOKENS was not applied: {where}");
            if (record.Passed) continue;
            Kinds.Should().Contain(record.FailureKind);
            string.IsNullOrWhiteSpace(record.CheckerMessage).Should().BeFalse();
        }
        // Random weights follow no instruction: a pass would mean a checker that accepts anything.
        if (profile.Synthetic)
        {
            Assert.All(result.Trials, t => t.Passed.Should().BeFalse($"{t.Task.Id} passed on random weights: {t.Check.Message}"));
            table.ToString().Should().Contain("failure kinds:");
        }
    }

    public void Dispose() => _scratch.Dispose();
}

/// <summary>
/// Runs alone, after the parallel tests: two cores shared with other llama-servers and Claude Codes slow ggml's
/// threads far more than the share they lose (measured here: 3-20 tokens/s under load instead of ~100), and the
/// times in the matrix should be the model's, not the neighbours'.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuProfileCollection
{
    public const string Name = "CPU profile E2E (alone)";
}
