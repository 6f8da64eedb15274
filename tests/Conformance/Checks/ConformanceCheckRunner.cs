using LocalClaude.Conformance;
using LocalClaude.Protocol;
using LocalClaude.Results;
using LocalClaude.Tests.Support;
using Snapshooter;
using Snapshooter.Xunit3;

namespace LocalClaude.Conformance.Tests.Checks;

/// <summary>Runs one catalog check against a fixture's server and compares its verdict with the profile's committed expectation.</summary>
internal static class ConformanceCheckRunner
{
    public static async Task<CheckResult> RunAsync(LlamaServerFixture server, string checkId)
    {
        server.RequireServer();
        var result = await server.Session.RunCheckAsync(ConformanceCatalog.Get(checkId), TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine($"{result.Id}: {result.Outcome}: {result.Reason}");
        if (result.Evidence is { } e)
            TestContext.Current.TestOutputHelper?.WriteLine($"route: {e.Route}\nrequest: {e.Request}\nresponse: {e.Response}");
        foreach (var (name, value) in result.Metrics) TestContext.Current.TestOutputHelper?.WriteLine($"metric {name} = {value}");
        return result;
    }

    /// <summary>
    /// The verdict (outcome and the finding ids behind it) must equal the profile's committed snapshot: a change in the
    /// server's behaviour, for better or worse, fails until the snapshot is updated on purpose. A check that reached no
    /// verdict (it could not run, timed out, or the server died under it) always fails.
    /// </summary>
    public static void AssertMatchesExpectation(CheckResult result, string profile)
    {
        (result.Harness is null).Should().BeTrue($"{result.Id} reached no verdict ({result.Harness}): {result.Reason}");
        var verdict = new
        {
            result.Id,
            Outcome = result.Outcome.ToString(),
            Findings = result.Findings.Where(f => FindingSeverityExtensions.ParseReportName(f.Severity) != FindingSeverity.Note).Select(f => $"{f.Severity} {f.Id}").Distinct().Order().ToList(),
        };
        Snapshot.Match(verdict, SnapshotNameExtension.Create(profile, result.Id));
    }
}
