using LocalClaude.Tests.Support;
using LocalClaude.Reporting;
using LocalClaude.Results;
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

        var kept = Assert.Single(set.Files);
        Assert.Equal("new", kept.File.Run.Machine);
        Assert.Contains(set.Warnings, w => w.Contains("dropped the older one") && w.Contains(dir.Combine("m1", "a.json")));
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

        Assert.Equal(["a"], set.Files.Select(f => f.Profile));
        Assert.Contains(set.Warnings, w => w.Contains("broken.json"));
    }

    [Fact]
    public void A_missing_folder_is_an_error_and_an_empty_one_a_warning()
    {
        using var dir = new TempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => ResultFileSet.Load([dir.Combine("nope")]));
        Assert.Contains(ResultFileSet.Load([dir.Path]).Warnings, w => w.Contains("no result files"));
    }
}
