using LocalClaude.Agents;
using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.E2E.Tests.Agents;

public sealed class CapabilityMatrixTests
{
    private static TaskTrial Trial(string task, int n, string? failure, double seconds = 10, int turns = 4, int tools = 0,
        int apiErrors = 0, int malformed = 0, string? control = null, string? transcript = null) => new()
        {
            Task = task,
            Category = "cat-" + task,
            Trial = n,
            Passed = failure is null,
            FailureKind = failure,
            WallSeconds = seconds,
            Turns = turns,
            ToolCalls = tools,
            ApiErrors = apiErrors,
            MalformedToolCalls = malformed,
            Control = control,
            Transcript = transcript,
            TimeToFirstTokenSeconds = seconds / 10,
        };

    private static readonly TaskTrial[] Mixed =
    [
        Trial("alpha", 1, null, seconds: 8, tools: 2),
        Trial("alpha", 2, "checker-failed", seconds: 12, tools: 3),
        Trial("alpha", 3, null, seconds: 30, tools: 2),
        Trial("beta", 1, "no-tool-call", seconds: 40),
        Trial("beta", 2, "no-tool-call", seconds: 50),
        Trial("beta", 3, "api-error", seconds: 60, apiErrors: 3),
    ];

    [Fact]
    public void Cells_hold_rates_medians_errors_and_failure_kinds()
    {
        var matrix = CapabilityMatrix.Build("p", Mixed);
        var alpha = matrix.Cell("p", "alpha")!;
        (((int, int))((alpha.Trials, alpha.Passes))).Should().Be((3, 2));
        Assert.Equal(2.0 / 3, alpha.PassAt1, 12);
        alpha.PassAtK.Should().Be(1.0);
        alpha.MedianWallSeconds.Should().Be(12);
        alpha.MedianToolCalls.Should().Be(2);
        alpha.FailureKinds.Should().Equal(new Dictionary<string, int> { ["checker-failed"] = 1 });

        var beta = matrix.Cell("p", "beta")!;
        beta.Passes.Should().Be(0);
        beta.PassAtK.Should().Be(0.0);
        beta.ApiErrors.Should().Be(3);
        beta.FailureKinds.Should().Equal(new Dictionary<string, int> { ["no-tool-call"] = 2, ["api-error"] = 1 });
        beta.MedianTimeToFirstTokenSeconds.Should().Be(5);

        var totals = matrix.Totals.Should().ContainSingle().Which;
        (((int, int, int, int))((totals.Tasks, totals.TasksPassedOnce, totals.Trials, totals.Passes))).Should().Be((2, 1, 6, 2));
        Assert.Equal((2.0 / 3 + 0) / 2, totals.MeanPassAt1, 12);
        totals.MeanPassAtK.Should().Be(0.5);
        totals.MedianWallSeconds.Should().Be(35);
        totals.TotalWallSeconds.Should().Be(200);
        totals.FailureKinds.Should().Equal(new Dictionary<string, int> { ["no-tool-call"] = 2, ["api-error"] = 1, ["checker-failed"] = 1 });
    }

    [Fact]
    public void Control_trials_get_a_column_of_their_own_whatever_profile_they_are_filed_under()
    {
        var matrix = CapabilityMatrix.Build([
            ("cpu-tiny", Trial("alpha", 1, "no-tool-call")),
            ("cpu-tiny", Trial("alpha", 1, null, control: "oracle")),
        ]);
        matrix.Profiles.Should().Equal(["control-oracle", "cpu-tiny"]);
        matrix.Cell("cpu-tiny", "alpha")!.Passes.Should().Be(0);
        matrix.Cell("control-oracle", "alpha")!.Passes.Should().Be(1);
    }

    [Fact]
    public void The_result_file_has_every_trial_one_check_per_task_and_the_totals_and_survives_a_round_trip()
    {
        var folder = Directory.CreateTempSubdirectory("localclaude-matrix-").FullName;
        try
        {
            var path = Path.Combine(folder, "e2e-p.json");
            var transcript = Path.Combine(folder, "e2e-p.transcripts", "alpha.trial-1.jsonl");
            var trials = Mixed.Select((t, i) => i == 0 ? t with { Transcript = transcript } : t).ToList();
            var run = new RunInfo { Profile = "p", ClaudeCodeVersion = "2.1.328", Server = new ServerInfo { Version = "0.5.0-dev (build 1, commit de3ff81)" } };
            var file = CapabilityMatrix.ToResultFile(run, trials, new Dictionary<string, string> { ["alpha"] = "Alpha task" }, path);
            file.Save(path);
            var loaded = ResultFile.Load(path);

            loaded.Kind.Should().Be("e2e");
            loaded.Run.ClaudeCodeVersion.Should().Be("2.1.328");
            loaded.Run.Server.Version.Should().Be("0.5.0-dev (build 1, commit de3ff81)");
            loaded.Trials.Count.Should().Be(6);
            loaded.Trials[0].Transcript.Should().Be(Path.Combine("e2e-p.transcripts", "alpha.trial-1.jsonl"));
            loaded.Checks.Select(c => c.Id).Should().Equal(["task/alpha", "task/beta"]);
            Assert.All(loaded.Checks, c => c.Outcome.Should().Be(Results.CheckOutcome.Fail));
            loaded.Checks[0].Title.Should().Be("Alpha task");
            loaded.Checks[0].Reason.Should().Be("2/3 trials passed; failed: checker-failed");
            loaded.Checks[1].Reason.Should().Be("0/3 trials passed; failed: no-tool-call ×2, api-error");
            Assert.Equal(1.0 / 3, loaded.Metrics["e2e.pass_at_1"], 12);
            loaded.Metrics["e2e.tasks_passed"].Should().Be(1);
            // The report reads the same file and must see the same cells.
            var again = CapabilityMatrix.FromResultFiles([loaded]);
            again.Cells.Select(c => (c.Task, c.Passes, c.Trials)).Should().Equal(CapabilityMatrix.Build("p", Mixed).Cells.Select(c => (c.Task, c.Passes, c.Trials)));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_result_file_never_mixes_a_control_with_a_profile()
    {
        var trials = new[] { Trial("alpha", 1, null), Trial("alpha", 2, null, control: "oracle") };
        FluentActions.Invoking(() => CapabilityMatrix.ToResultFile(new RunInfo { Profile = "p" }, trials, new Dictionary<string, string>(), "/tmp/x.json")).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void The_table_shows_each_task_the_totals_and_the_failure_kinds()
    {
        var output = new StringWriter();
        CapabilityMatrix.Build([.. Mixed.Select(t => ("p", t)), ("control-run", Trial("alpha", 1, null, control: "oracle"))]).Print(output);
        var text = output.ToString();
        text.Should().Contain("profile p");
        text.Should().Contain("control-oracle (CONTROL backend, not a model)");
        text.Should().MatchRegex(@"alpha\s+2/3\s+0\.67\s+1\.00\s+12\.0");
        text.Should().MatchRegex(@"beta\s+0/3\s+0\.00\s+0\.00\s+50\.0.*no-tool-call ×2, api-error");
        text.Should().Contain("totals: 1/2 tasks passed at least once, 2/6 trials, mean pass@1 0.33, mean pass@k 0.50");
        // Two columns: the task × column overview follows.
        text.Should().MatchRegex(@"alpha\s+1/1\s+2/3");
    }
}
