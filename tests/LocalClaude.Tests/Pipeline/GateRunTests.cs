using LocalClaude.Infrastructure;
using LocalClaude.Pipeline;
using LocalClaude.Provisioning;
using LocalClaude.Reporting;
using LocalClaude.Results;
using LocalClaude.Tests.Support;
using static LocalClaude.Tests.Reporting.Samples;

namespace LocalClaude.Tests.Pipeline;

public sealed class GateRunTests
{
    private static GateRun NewGateRun(params IResultProducer[] producers) =>
        new(producers, FakeProducer.Profile, ProgressLog.Silent);

    private static string SaveReport(TempDirectory dir, string name, params LoadedResultFile[] files)
    {
        var path = dir.Combine(name, CompatibilityReport.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Report(Night, files).Save(path);
        return path;
    }

    [Fact]
    public async Task Two_reports_are_compared_and_the_table_and_json_are_written()
    {
        using var dir = new TempDirectory();
        var baseline = SaveReport(dir, "b", ConformanceResult("cpu-tiny", [Check("x", CheckOutcome.Pass), Check("y", CheckOutcome.Fail)]));
        var candidate = SaveReport(dir, "c", ConformanceResult("cpu-tiny", [Check("x", CheckOutcome.Fail), Check("y", CheckOutcome.Pass)]));

        var outcome = await NewGateRun().RunAsync(new GateRequest
        {
            Baseline = new GateSource.Report(baseline, baseline),
            Candidate = new GateSource.Report(candidate, candidate),
            DefaultProfile = "somewhere-else",
            OutputDirectory = dir.Combine("gate"),
        }, TestContext.Current.CancellationToken);

        outcome.Result.Profile.Should().Be("cpu-tiny");
        outcome.Result.ExitCode.Should().Be(GateResult.Regressed);
        File.ReadAllText(outcome.MarkdownPath).Should().Be(outcome.Markdown);
        var json = File.ReadAllText(outcome.JsonPath);
        json.Should().Contain("\"exitCode\": 1");
        json.Should().Contain("\"change\": \"regression\"");
    }

    [Fact]
    public async Task Several_shared_profiles_need_a_choice_and_a_missing_profile_cannot_run()
    {
        using var dir = new TempDirectory();
        var two = SaveReport(dir, "two", ConformanceResult("a", [Check("x", CheckOutcome.Pass)]), ConformanceResult("b", [Check("x", CheckOutcome.Pass)]));
        var request = new GateRequest
        {
            Baseline = new GateSource.Report(two, two),
            Candidate = new GateSource.Report(two, two),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("gate"),
        };
        var ct = TestContext.Current.CancellationToken;

        var ambiguous = (await FluentActions.Awaiting(() => NewGateRun().RunAsync(request, ct)).Should().ThrowExactlyAsync<GateCouldNotRunException>()).Which;
        ambiguous.Message.Should().Contain("--profile");
        (await NewGateRun().RunAsync(request with { Profile = "b" }, ct)).Result.ExitCode.Should().Be(GateResult.Passed);
        var missing = (await FluentActions.Awaiting(() => NewGateRun().RunAsync(request with { Profile = "c" }, ct)).Should().ThrowExactlyAsync<GateCouldNotRunException>()).Which;
        missing.Message.Should().Contain("no results for profile 'c'");
    }

    [Fact]
    public async Task Builds_run_the_producers_with_the_binary_in_the_profile_and_not_in_the_process_environment()
    {
        using var dir = new TempDirectory();
        // The "candidate" binary breaks streaming; the producer reads which binary it got, as a real runner would.
        var producer = FakeProducer.Returning("conformance", (profile, server) => new ResultFile
        {
            Kind = "conformance",
            Run = Run(profile.Name, version: server!.Label),
            Checks = [Check("stream.order", server.Binary.EndsWith("new") ? CheckOutcome.Fail : CheckOutcome.Pass)],
            Metrics = Perf(2.0, 0.1, 100),
        });

        var outcome = await NewGateRun(producer).RunAsync(new GateRequest
        {
            Baseline = new GateSource.Build("npm:old", "/opt/llama/old"),
            Candidate = new GateSource.Build("npm:new", "/opt/llama/new"),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("gate"),
        }, TestContext.Current.CancellationToken);

        producer.Calls.Select(c => $"{c.Profile} {c.LlamaServer} {c.Override} variables: [{string.Join(", ", c.VariablesNamingTheBinary)}]").Should().Equal(["cpu-tiny /opt/llama/old /opt/llama/old variables: []", "cpu-tiny /opt/llama/new /opt/llama/new variables: []"]);
        outcome.Result.CheckRegressions.Select(c => c.Id).Should().Equal(["stream.order"]);
        ((outcome.Result.Baseline.ServerVersion, outcome.Result.Candidate.ServerVersion)).Should().Be(("npm:old", "npm:new"));
        File.Exists(dir.Combine("gate", "baseline", "cpu-tiny.conformance.json")).Should().BeTrue();
        File.Exists(dir.Combine("gate", "candidate", "cpu-tiny.conformance.json")).Should().BeTrue();
    }

    /// <summary>Pairs as the paired measurer would make them: the candidate decodes at <paramref name="candidateShare"/> of the baseline.</summary>
    private sealed class FakePairedMeasurer(double candidateShare) : IPairedMeasurer
    {
        public List<(string Baseline, string Candidate, int Rounds)> Calls { get; } = [];

        public Task<ResultFile> MeasureAsync(LocalClaude.Profiles.ModelProfile profile, LlamaServerOverride baseline, LlamaServerOverride candidate, int rounds, CancellationToken ct)
        {
            Calls.Add((baseline.Binary, candidate.Binary, rounds));
            var noise = new[] { 1.0, 0.98, 1.02, 0.99, 1.01, 1.0, 0.97 };
            return Task.FromResult(new ResultFile
            {
                Kind = ResultKinds.Paired,
                Run = Run(profile.Name),
                Pairs = [new PairedMetricSamples(ReportMetrics.DecodeTokensPerSecond.Name,
                    Enumerable.Range(0, rounds).Select(i => new PairedSample(i + 1, 100 * noise[i], 100 * candidateShare * noise[(i + 3) % noise.Length], i % 2 == 0)).ToList())],
            });
        }
    }

    [Fact]
    public async Task Two_builds_are_measured_in_pairs_the_pairs_decide_and_a_gate_over_the_saved_folders_recomputes_the_verdict()
    {
        using var dir = new TempDirectory();
        // Each side's own run says the candidate is 3× faster (the machine was idle for it); the pairs say 30% slower.
        var producer = FakeProducer.Returning("conformance", (profile, server) => new ResultFile
        {
            Kind = "conformance",
            Run = Run(profile.Name, version: server!.Label),
            Checks = [Check("x", CheckOutcome.Pass)],
            Metrics = Perf(2.0, 0.1, server.Binary.EndsWith("new") ? 300 : 100),
        });
        var measurer = new FakePairedMeasurer(0.7);
        var run = new GateRun([producer], FakeProducer.Profile, ProgressLog.Silent, measurer);

        var outcome = await run.RunAsync(new GateRequest
        {
            Baseline = new GateSource.Build("npm:old", "/opt/llama/old"),
            Candidate = new GateSource.Build("npm:new", "/opt/llama/new"),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("gate"),
            Rounds = 7,
        }, TestContext.Current.CancellationToken);

        measurer.Calls.Should().Equal([("/opt/llama/old", "/opt/llama/new", 7)]);
        var decode = outcome.Result.Metrics.Single(m => m.Metric == ReportMetrics.DecodeTokensPerSecond.Name);
        decode.Paired.Should().BeTrue();
        decode.Verdict.Should().Be(PairedVerdict.Worse);
        decode.CandidateSpread!.N.Should().Be(7);
        outcome.Result.ExitCode.Should().Be(GateResult.Regressed);
        var saved = dir.Combine("gate", "candidate", "cpu-tiny.paired.json");
        ResultFile.Load(saved).Pairs.Single().Samples.Count.Should().Be(7);

        // Later, from the saved folders alone: the same pairs, the same verdict.
        var again = await NewGateRun().RunAsync(new GateRequest
        {
            Baseline = new GateSource.Results("b", dir.Combine("gate", "baseline")),
            Candidate = new GateSource.Results("c", dir.Combine("gate", "candidate")),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("again"),
        }, TestContext.Current.CancellationToken);
        (again.Result.Metrics.Single(m => m.Metric == decode.Metric) with { }).Should().Be(decode with { });
        again.Result.PairedRounds.Should().Be(7);
    }

    [Fact]
    public async Task Speed_only_runs_no_producer_and_needs_two_builds()
    {
        using var dir = new TempDirectory();
        var producer = new FakeProducer("conformance", (_, _, _) => throw new InvalidOperationException("must not run"));
        var measurer = new FakePairedMeasurer(1.0);
        var run = new GateRun([producer], FakeProducer.Profile, ProgressLog.Silent, measurer);
        // A stand-in binary for the version line the gate's table shows.
        var binary = dir.Combine("llama-server");
        File.WriteAllText(binary, "#!/bin/sh\necho 'version: 0.5.0-dev (build 1, commit de3ff81)'\n");
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var request = new GateRequest
        {
            Baseline = new GateSource.Build("a", binary),
            Candidate = new GateSource.Build("b", binary),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("gate"),
            SpeedOnly = true,
        };

        var outcome = await run.RunAsync(request, TestContext.Current.CancellationToken);
        producer.Calls.Should().BeEmpty();
        measurer.Calls.Should().ContainSingle();
        outcome.Result.Metrics.Single().Verdict.Should().Be(PairedVerdict.NoChange);
        outcome.Result.ExitCode.Should().Be(GateResult.Passed);

        var report = SaveReport(dir, "r", ConformanceResult("cpu-tiny", [Check("x", CheckOutcome.Pass)]));
        await FluentActions.Awaiting(() => run.RunAsync(request with { Baseline = new GateSource.Report(report, report) }, TestContext.Current.CancellationToken)).Should().ThrowExactlyAsync<GateCouldNotRunException>();
    }

    [Fact]
    public async Task A_producer_that_fails_on_a_build_means_the_gate_could_not_run()
    {
        using var dir = new TempDirectory();
        var producer = new FakeProducer("conformance", (_, _, _) => throw new InvalidOperationException("llama-server exited with code 1"));
        var e = (await FluentActions.Awaiting(() => NewGateRun(producer).RunAsync(new GateRequest
        {
            Baseline = new GateSource.Build("npm:old", "/opt/llama/old"),
            Candidate = new GateSource.Build("npm:new", "/opt/llama/new"),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("gate"),
        }, TestContext.Current.CancellationToken)).Should().ThrowExactlyAsync<GateCouldNotRunException>()).Which;
        e.Message.Should().Contain("llama-server exited with code 1");
    }

    [Fact]
    public async Task Builds_without_any_producer_cannot_run()
    {
        using var dir = new TempDirectory();
        await FluentActions.Awaiting(() => NewGateRun().RunAsync(new GateRequest
        {
            Baseline = new GateSource.Build("a", "/a"),
            Candidate = new GateSource.Build("b", "/b"),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("gate"),
        }, TestContext.Current.CancellationToken)).Should().ThrowExactlyAsync<InvalidOperationException>();
    }

    [Fact]
    public void Sides_resolve_to_reports_result_files_or_builds()
    {
        using var dir = new TempDirectory();
        var home = new LocalClaudeHome(dir.Combine("home"));
        var registry = new LlamaServerRegistry(home);
        var report = SaveReport(dir, "nightly", ConformanceResult("a", [Check("x", CheckOutcome.Pass)]));
        var results = dir.Combine("results");
        Directory.CreateDirectory(results);
        var resultFile = Path.Combine(results, "a.conformance.json");
        ConformanceResult("a", [Check("x", CheckOutcome.Pass)]).File.Save(resultFile);
        var binary = dir.Combine("bin", "llama-server");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.WriteAllText(binary, "");
        var registered = dir.Combine("home", "llama", "mine", LlamaServerBuild.ManifestName);
        Directory.CreateDirectory(Path.GetDirectoryName(registered)!);
        File.WriteAllText(registered, System.Text.Json.JsonSerializer.Serialize(new LlamaServerBuild
        {
            Key = "mine",
            Binary = binary,
            Flavor = "registered",
            Version = new LlamaServerVersion("1", 1, "abc", "version: 1"),
        }, JsonDefaults.Indented));

        GateSourceResolver.Resolve(dir.Combine("nightly"), registry).Should().BeOfType<GateSource.Report>();
        GateSourceResolver.Resolve(report, registry).Should().BeOfType<GateSource.Report>();
        GateSourceResolver.Resolve(results, registry).Should().BeOfType<GateSource.Results>();
        GateSourceResolver.Resolve(resultFile, registry).Should().BeOfType<GateSource.Results>();
        GateSourceResolver.Resolve(binary, registry).Should().BeOfType<GateSource.Build>().Which.Binary.Should().Be(binary);
        GateSourceResolver.Resolve("mine", registry).Should().BeOfType<GateSource.Build>().Which.Binary.Should().Be(binary);
        FluentActions.Invoking(() => GateSourceResolver.Resolve("npm:3.1.0", registry)).Should().ThrowExactly<FileNotFoundException>().Which.Message.Should().Contain("setup --llama-npm 3.1.0");
        FluentActions.Invoking(() => GateSourceResolver.Resolve(dir.Combine("missing", "report.json"), registry)).Should().ThrowExactly<FileNotFoundException>();
        FluentActions.Invoking(() => GateSourceResolver.Resolve(dir.Combine("bin", "gone"), registry)).Should().ThrowExactly<FileNotFoundException>();
    }

    [Fact]
    public async Task A_folder_of_result_files_is_a_side_too()
    {
        using var dir = new TempDirectory();
        var results = dir.Combine("results");
        ConformanceResult("a", [Check("x", CheckOutcome.Fail)]).File.Save(Path.Combine(results, "a.conformance.json"));
        var report = SaveReport(dir, "nightly", ConformanceResult("a", [Check("x", CheckOutcome.Pass)]));

        var outcome = await NewGateRun().RunAsync(new GateRequest
        {
            Baseline = new GateSource.Results(results, results),
            Candidate = new GateSource.Report(report, report),
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Combine("gate"),
        }, TestContext.Current.CancellationToken);

        outcome.Result.CheckFixes.Select(c => c.Id).Should().Equal(["x"]);
        outcome.Result.ExitCode.Should().Be(GateResult.Passed);
    }
}


/// <summary>
/// The A/A check on real samples: reports/gate-aa holds a speed-only gate of llama-server v0.5.0 against itself
/// (registered twice), measured on this 2-core machine while other helpers' builds and tests ran (load 9 to 40) and a
/// CPU hog spun on one core during rounds 2-3. Identical builds must come out as "no change" or "inconclusive", exit 0,
/// when the verdict is recomputed from the stored pairs.
/// </summary>
public sealed class GateAATests
{
    private static readonly string Folder = Path.Combine(RepoLayout.Find(AppContext.BaseDirectory).Root, "reports", "gate-aa");

    [Fact]
    public async Task Identical_builds_measured_in_pairs_on_a_loaded_machine_give_no_verdict_on_speed()
    {
        using var dir = new TempDirectory();
        var paired = ResultFile.Load(Path.Combine(Folder, "candidate", "cpu-tiny.paired.json"));
        paired.Kind.Should().Be(ResultKinds.Paired);
        Assert.Equal(paired.Sides!.Baseline.Version, paired.Sides.Candidate.Version);
        paired.Pairs.Count.Should().Be(4);
        Assert.All(paired.Pairs, p => p.Samples.Count.Should().Be(PairedComparison.DefaultRounds));

        var outcome = await new GateRun([], FakeProducer.Profile, ProgressLog.Silent).RunAsync(new GateRequest
        {
            Baseline = new GateSource.Results("default", Path.Combine(Folder, "candidate")),
            Candidate = new GateSource.Results("same", Path.Combine(Folder, "candidate")),
            Profile = "cpu-tiny",
            DefaultProfile = "cpu-tiny",
            OutputDirectory = dir.Path,
        }, TestContext.Current.CancellationToken);

        outcome.Result.Metrics.Count.Should().Be(4);
        Assert.All(outcome.Result.Metrics, m => m.Paired.Should().BeTrue($"{m.Metric} was not compared in pairs"));
        Assert.All(outcome.Result.Metrics, m => (new[] { PairedVerdict.NoChange, PairedVerdict.Inconclusive }).Should().Contain(m.Verdict));
        outcome.Result.ExitCode.Should().Be(GateResult.Passed);
        // The noise was real: the median decode ratio moved beyond ±15% on identical builds. --strict would fail on it,
        // which is why an inconclusive slowdown only fails when asked.
        outcome.Result.Metrics.Should().Contain(m => m.IsNoisySlowdown);
    }
}
