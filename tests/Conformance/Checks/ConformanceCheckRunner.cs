using LocalClaude.Conformance;
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
        var baseUrl = server.RequireServer();
        using var client = CheckContext.ClientFor(baseUrl, server.ApiKey);
        var launcher = server.Process is null ? null : new ProcessVariantLauncher(server.Context);
        var context = new CheckContext(client, server.Profile, server.ApiKey, launcher);
        var result = await ConformanceRunner.RunOneAsync(ConformanceCatalog.Get(checkId), context, null, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine($"{result.Id}: {result.Outcome}: {result.Reason}");
        if (result.Evidence is { } e)
            TestContext.Current.TestOutputHelper?.WriteLine($"route: {e.Route}\nrequest: {e.Request}\nresponse: {e.Response}");
        foreach (var (name, value) in result.Metrics) TestContext.Current.TestOutputHelper?.WriteLine($"metric {name} = {value}");
        return result;
    }

    /// <summary>
    /// The verdict (outcome and the finding ids behind it) must equal the profile's committed snapshot: a change in the
    /// server's behaviour, for better or worse, fails until the snapshot is updated on purpose. A check that could not
    /// run at all always fails.
    /// </summary>
    public static void AssertMatchesExpectation(CheckResult result, string profile)
    {
        Assert.False(result.Reason.StartsWith("the check could not run", StringComparison.Ordinal), result.Reason);
        Assert.False(result.Reason.StartsWith("did not finish within", StringComparison.Ordinal), result.Reason);
        var verdict = new
        {
            result.Id,
            Outcome = result.Outcome.ToString(),
            Findings = result.Findings.Where(f => f.Severity != "note").Select(f => $"{f.Severity} {f.Id}").Distinct().Order().ToList(),
        };
        Snapshot.Match(verdict, SnapshotNameExtension.Create(profile, result.Id));
    }
}
