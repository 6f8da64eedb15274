using LocalClaude.Reporting;
using LocalClaude.Results;
using LocalClaude.Tests.Support;
using static LocalClaude.Tests.Reporting.Samples;

namespace LocalClaude.Tests.Reporting;

public sealed class ResultFileSetTests
{
    [Fact]
    public void The_newest_run_of_a_profile_and_kind_wins_with_a_warning()
    {
        using var dir = new TempDirectory();
        ConformanceResult("a", [Check("x", CheckOutcome.Fail)], run: Run("a", startedAt: Night.AddHours(-1), machine: "old")).File.Save(dir.Combine("m1", "a.json"));
        ConformanceResult("a", [Check("x", CheckOutcome.Pass)], run: Run("a", startedAt: Night, machine: "new")).File.Save(dir.Combine("m2", "a.json"));

        var set = ResultFileSet.Load([dir.Combine("m1"), dir.Combine("m2")]);

        var kept = set.Files.Should().ContainSingle().Which;
        kept.File.Run.Machine.Should().Be("new");
        set.Warnings.Should().Contain(w => w.Contains("dropped the older one") && w.Contains(dir.Combine("m1", "a.json")));
    }

    [Fact]
    public void Reports_gate_files_history_and_broken_files_are_not_merged_as_results()
    {
        using var dir = new TempDirectory();
        ConformanceResult("a", [Check("x", CheckOutcome.Pass)]).File.Save(dir.Combine("a.conformance.json"));
        Report(Night, ConformanceResult("b", [Check("x", CheckOutcome.Pass)])).Save(dir.Combine("report.json"));
        ConformanceResult("c", [Check("x", CheckOutcome.Pass)]).File.Save(dir.Combine("history", "20260101T000000Z", "results", "c.conformance.json"));
        File.WriteAllText(dir.Combine("gate.json"), """{"profile":"a"}""");
        File.WriteAllText(dir.Combine("broken.json"), """{"kind":"conformance","run":{}}""");
        File.WriteAllText(dir.Combine("notes.json"), "not json at all");

        var set = ResultFileSet.Load([dir.Path]);

        set.Files.Select(f => f.Profile).Should().Equal(["a"]);
        set.Warnings.Should().Contain(w => w.Contains("broken.json"));
    }

    [Fact]
    public void A_missing_folder_is_an_error_and_an_empty_one_a_warning()
    {
        using var dir = new TempDirectory();
        FluentActions.Invoking(() => ResultFileSet.Load([dir.Combine("nope")])).Should().ThrowExactly<DirectoryNotFoundException>();
        ResultFileSet.Load([dir.Path]).Warnings.Should().Contain(w => w.Contains("no result files"));
    }
}
