using LocalClaude.Infrastructure;

namespace LocalClaude.Results;

/// <summary>
/// What commands make of a run's check results (conformance checks, replayed fixtures): which findings block, and the
/// exit code. One place, so that the table, the exit code and the tests agree.
/// </summary>
public static class CheckResultPolicy
{
    /// <summary>The ids of the blocking findings behind the checks, each once, in order of appearance.</summary>
    public static IReadOnlyList<string> BlockingFindingIds(IEnumerable<CheckResult> checks) =>
        checks.SelectMany(c => c.Findings).Where(f => f.IsBlocking).Select(f => f.Id).Distinct().ToList();

    /// <summary>
    /// 1 (<see cref="ExitCodes.Verdict"/>) when a check failed on a verdict against the server, a server that died
    /// during a check included, unless <paramref name="reportOnly"/>; else 2 (<see cref="ExitCodes.CouldNotRun"/>) when
    /// a check reached no verdict (it could not run or timed out), even with <paramref name="reportOnly"/>; else 0.
    /// </summary>
    public static int ExitCode(IEnumerable<CheckResult> checks, bool reportOnly = false)
    {
        var failed = checks.Where(c => c.Outcome == CheckOutcome.Fail).ToList();
        if (!reportOnly && failed.Any(IsVerdict)) return ExitCodes.Verdict;
        if (failed.Any(c => !IsVerdict(c))) return ExitCodes.CouldNotRun;
        return ExitCodes.Ok;
    }

    /// <summary>A failure that judges the server: the check's own verdict, or the server dying under it.</summary>
    public static bool IsVerdict(CheckResult check) => check.Harness is null or HarnessOutcome.ServerDied;
}
