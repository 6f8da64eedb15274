using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Results;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;

namespace LocalClaude.Conformance.Tests.Traffic;

/// <summary>Replay helpers shared by the per-profile and the NP=2 tests.</summary>
internal static class TrafficReplay
{
    public static readonly string Root = RepoLayout.Find(AppContext.BaseDirectory).Traffic;

    /// <summary>
    /// On random weights only the stream's shape matters and CI has two cores: replays lower max_tokens to 32 (or the
    /// profile's own lower MAX_OUTPUT_TOKENS). A real model's profile keeps its MAX_OUTPUT_TOKENS, if it has one.
    /// </summary>
    public static int? GenerationCap(ModelProfile profile) =>
        profile.Synthetic ? Math.Min(profile.MaxOutputTokens ?? 32, 32) : profile.MaxOutputTokens;

    public static ReplayTarget Target(LlamaServerFixture server) => new(
        server.RequireServer(), server.ApiKey, server.Profile.Name, server.Profile.ParallelSlots, GenerationCap(server.Profile));

    public static void Print(FixtureReplay replay, CheckResult check)
    {
        var output = new StringWriter();
        ReplayReport.PrintTable(replay, output);
        output.WriteLine($"=> {check.Outcome}: {check.Reason}");
        if (check.Evidence?.Note is { } note) output.WriteLine(note);
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
    }

    public static string Table(FixtureReplay replay)
    {
        var output = new StringWriter();
        ReplayReport.PrintTable(replay, output);
        return output.ToString();
    }
}

/// <summary>Every committed Claude Code recording, sent as recorded to the profile under test (LOCALCLAUDE_PROFILE, default cpu-tiny).</summary>
// The same server as the conformance checks: one server per profile.
[Collection(ProfileServerCollection.Name)]
public sealed class TrafficReplayTests(LlamaServerFixture server)
{
    public static TheoryData<string> Fixtures => new(TrafficFixture.FindAll(TrafficReplay.Root).Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Claude_Code_traffic_is_accepted_without_client_breaking_findings(string fixtureName)
    {
        var target = TrafficReplay.Target(server);
        var fixture = TrafficFixture.Load(Path.Combine(TrafficReplay.Root, fixtureName));

        var replay = await new Replayer(target).ReplayAsync(fixture, TestContext.Current.CancellationToken);
        var check = ReplayReport.Check(replay, KnownFindings.Load(TrafficReplay.Root));
        TrafficReplay.Print(replay, check);

        (check.Outcome != CheckOutcome.Fail).Should().BeTrue($"{check.Reason}\n{TrafficReplay.Table(replay)}");
        // Each accepted Messages answer went through the validator far enough to yield its usage.
        Assert.All(replay.Exchanges.Where(e => RequestPurpose.IsMessages(e.Purpose) && (int)e.Answer.Status == 200),
            e => (e.Verdict.Usage.InputTokens is not null).Should().BeTrue($"#{e.Index}: no usage in the answer"));
    }

    [Fact]
    public async Task Overlapping_title_and_main_calls_are_served_on_as_many_slots_as_the_profile_has()
    {
        var target = TrafficReplay.Target(server);
        var replay = await OverlapOnlyAsync(target);

        var overlapped = replay.Exchanges.Where(e => e.OverlappedWith.Count > 0 && RequestPurpose.IsMessages(e.Purpose)).ToArray();
        overlapped.Should().NotBeEmpty();
        if (overlapped.All(e => e.BusySlots is null)) Assert.Skip("the server has no /slots endpoint (llama-server --no-slots?)");
        Assert.All(overlapped, e => e.BusySlots.Should().Be(Math.Min(server.Profile.ParallelSlots, 2)));
    }

    /// <summary>
    /// The interactive recording's first turn: the HEAD probe, then the title call and the main call in flight together.
    /// Both go out at the same instant and may generate <see cref="OverlapGeneration"/> tokens: at the recorded 72 ms apart
    /// with 32 tokens, a fast machine with a warm prompt cache finished the title call before the main call was sent,
    /// and /slots (polled every 50 ms) never saw them side by side.
    /// </summary>
    internal static Task<FixtureReplay> OverlapOnlyAsync(ReplayTarget target)
    {
        var fixture = TrafficFixture.Load(Path.Combine(TrafficReplay.Root, "interactive-title"));
        var firstTurn = fixture.Exchanges.TakeWhile(e => e.Index <= 3).ToArray();
        firstTurn.Should().Contain(e => e.Purpose == RequestPurpose.Background && e.Request.Overlapped);
        var start = firstTurn.Where(e => e.Request.Overlapped).Min(e => e.Request.ArrivalMs);
        var together = firstTurn.Select(e => e.Request.Overlapped ? e with { Request = e.Request with { ArrivalMs = start } } : e).ToArray();
        var cap = target.MaxOutputTokens is { } own ? Math.Max(own, OverlapGeneration) : (int?)null;
        return new Replayer(target with { MaxOutputTokens = cap }).ReplayAsync(fixture with { Exchanges = together }, TestContext.Current.CancellationToken);
    }

    /// <summary>Tokens each overlapping call may generate (random weights rarely stop): enough to keep a CPU slot busy for several polls.</summary>
    private const int OverlapGeneration = 128;
}

/// <summary>The NP=2 CPU profile, for the comparison with NP=1.</summary>
public sealed class TwoSlotServerFixture : LlamaServerFixture
{
    protected override string ProfileName => "cpu-tiny-np2";
}

public sealed class TwoSlotReplayTests(TwoSlotServerFixture server) : IClassFixture<TwoSlotServerFixture>
{
    [Fact]
    public async Task On_two_slots_the_title_call_runs_beside_the_main_call()
    {
        var replay = await TrafficReplayTests.OverlapOnlyAsync(TrafficReplay.Target(server));
        TrafficReplay.Print(replay, ReplayReport.Check(replay, KnownFindings.None));

        var title = replay.Exchanges.Single(e => e.Purpose == RequestPurpose.Background);
        title.BusySlots.Should().Be(2);
        ReplayReport.SummaryLines(replay).Should().Contain(l => l.Contains("served side by side"));
    }
}
