using LocalClaude.Conformance;
using LocalClaude.Tests.Support;

namespace LocalClaude.Conformance.Tests.Checks;

/// <summary>Every conformance check against the real llama-server of the profile under test (LOCALCLAUDE_PROFILE).</summary>
[Collection(ProfileServerCollection.Name)]
public sealed class ConformanceCheckTests(LlamaServerFixture server)
{
    public static TheoryData<string> CheckIds => new(ConformanceCatalog.All.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(CheckIds))]
    public async Task Check_verdict_matches_the_profiles_expectation(string checkId)
    {
        var result = await ConformanceCheckRunner.RunAsync(server, checkId);
        ConformanceCheckRunner.AssertMatchesExpectation(result, server.Profile.Name);
    }
}

/// <summary>The thinking checks against the CPU profile whose template opens &lt;think&gt;, so CI exercises thinking too.</summary>
[Collection(ThinkingTemplateServerCollection.Name)]
public sealed class ThinkingTemplateCheckTests(ThinkingTemplateServerFixture server)
{
    public static TheoryData<string> CheckIds => new(ConformanceCatalog.All.Where(c => c.Area == "thinking").Select(c => c.Id));

    [Theory]
    [MemberData(nameof(CheckIds))]
    public async Task Thinking_check_verdict_matches_the_expectation(string checkId)
    {
        var result = await ConformanceCheckRunner.RunAsync(server, checkId);
        result.Outcome.Should().NotBe(LocalClaude.Results.CheckOutcome.NotApplicable);
        ConformanceCheckRunner.AssertMatchesExpectation(result, server.Profile.Name);
    }
}
