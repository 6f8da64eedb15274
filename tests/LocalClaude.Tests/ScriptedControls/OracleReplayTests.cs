using LocalClaude.Agents;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.ScriptedControls;

/// <summary>
/// Each task's checker against its own oracle, without Claude Code: the oracle's steps applied directly must
/// pass, and the untouched workspace with an empty answer (what the no-op control leaves) must fail.
/// </summary>
public sealed class OracleReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> TaskIds() =>
        new(TaskFixture.LoadAll(RepoLayout.Find().Tasks).Select(t => t.Id));

    [Theory]
    [MemberData(nameof(TaskIds))]
    public async Task The_oracle_solution_passes_the_checker(string id)
    {
        var task = TaskFixture.Load(Path.Combine(RepoLayout.Find().Tasks, id));
        using var temp = new TempDirectory($"lc-oracle-{id}");
        var work = task.PrepareWorkDirectory(temp.Combine("work"));

        var transcript = await OracleStepInterpreter.PlayAsync(task.Oracle, work, Ct);
        var outcome = await task.CheckAnswerAsync(work, task.Oracle.FinalTextFor(work), cancellationToken: Ct);

        outcome.Passed.Should().BeTrue($"{outcome.Message}\n{string.Join("\n", transcript)}");
    }

    [Theory]
    [MemberData(nameof(TaskIds))]
    public async Task The_untouched_workspace_with_an_empty_answer_fails_the_checker(string id)
    {
        var task = TaskFixture.Load(Path.Combine(RepoLayout.Find().Tasks, id));
        using var temp = new TempDirectory($"lc-noop-{id}");
        var work = task.PrepareWorkDirectory(temp.Combine("work"));

        var outcome = await task.CheckAnswerAsync(work, "", cancellationToken: Ct);

        outcome.Passed.Should().BeFalse($"a no-op passes {id}: {outcome.Message}");
        outcome.Message.Should().StartWith("FAIL");
    }

    [Theory]
    [MemberData(nameof(TaskIds))]
    public async Task The_checker_leaves_the_fixture_folder_as_it_was(string id)
    {
        // Checkers read the pristine workspace next to them; they must never write there.
        var task = TaskFixture.Load(Path.Combine(RepoLayout.Find().Tasks, id));
        var before = Snapshot(task.Directory);
        using var temp = new TempDirectory($"lc-pristine-{id}");
        var work = task.PrepareWorkDirectory(temp.Combine("work"));
        await OracleStepInterpreter.PlayAsync(task.Oracle, work, Ct);
        await task.CheckAnswerAsync(work, task.Oracle.FinalTextFor(work), cancellationToken: Ct);

        Snapshot(task.Directory).Should().Equal(before);
    }

    private static string[] Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(directory, f)} {File.GetLastWriteTimeUtc(f):O} {new FileInfo(f).Length}")
            .ToArray();
}
