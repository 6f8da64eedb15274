using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using LocalClaude.Protocol;
using LocalClaude.Results;
using LocalClaude.ScriptedControls;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;
using Microsoft.AspNetCore.Http;

namespace LocalClaude.Tests.Traffic;

public sealed class ReplayerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>#1 and #2 were in flight together (#2 sent 150 ms after #1); #3 came after both.</summary>
    private static TrafficFixture OverlapFixture(TempDirectory scratch) => FixtureBuilder.Write(scratch.Combine("overlap"), "overlap",
        FixtureBuilder.Request(1, 0, 900, overlaps: [2]),
        FixtureBuilder.Request(2, 150, 700, FixtureBuilder.Body("title", withTools: false), overlaps: [1], purpose: RequestPurpose.Background),
        FixtureBuilder.Request(3, 5000, 5100));

    private static DelegateControlScript Slow(TimeSpan delay, SemaphoreSlim? oneAtATime = null) => new("slow", _ =>
    {
        oneAtATime?.Wait();
        try { Thread.Sleep(delay); }
        finally { oneAtATime?.Release(); }
        return ScriptedReply.Text("ok");
    });

    [Fact]
    public async Task Overlapping_requests_are_sent_at_their_recorded_offsets_and_the_next_group_after_them()
    {
        using var scratch = new TempDirectory();
        await using var server = await ScriptedAnthropicServer.StartAsync(Slow(TimeSpan.FromMilliseconds(600)), Ct);

        var replay = await new Replayer(new ReplayTarget(server.BaseUrl, "k", "control")).ReplayAsync(OverlapFixture(scratch), Ct);

        var (first, second, third) = (replay.Exchanges[0], replay.Exchanges[1], replay.Exchanges[2]);
        (second.SentAt - first.SentAt).TotalMilliseconds.Should().BeInRange(100, 450);
        (second.SentAt < first.CompletedAt).Should().BeTrue("the overlapping request was sent only after the first had finished");
        first.OverlappedWith.Should().Equal([2]);
        // The recorded 4 s pause between groups is not replayed: the next group starts when the previous one is done.
        (third.SentAt >= first.CompletedAt && third.SentAt >= second.CompletedAt).Should().BeTrue();
        (third.SentAt - second.CompletedAt < TimeSpan.FromSeconds(2)).Should().BeTrue();
        Assert.All(replay.Exchanges, e => e.Answer.Status.Should().Be(System.Net.HttpStatusCode.OK));
    }

    [Fact]
    public async Task Sequential_mode_sends_each_request_after_the_previous_answer()
    {
        using var scratch = new TempDirectory();
        await using var server = await ScriptedAnthropicServer.StartAsync(Slow(TimeSpan.FromMilliseconds(200)), Ct);

        var replay = await new Replayer(new ReplayTarget(server.BaseUrl, "k", "control"), new ReplayOptions { RecordedConcurrency = false })
            .ReplayAsync(OverlapFixture(scratch), Ct);

        (replay.Exchanges[1].SentAt >= replay.Exchanges[0].CompletedAt).Should().BeTrue();
        replay.Exchanges[0].OverlappedWith.Should().BeEmpty();
    }

    /// <summary>A llama-server stand-in with <paramref name="slots"/> slots: it queues what does not fit and reports /slots like llama-server.</summary>
    private static Task<LoopbackHttpServer> SlotServer(int slots, TimeSpan work)
    {
        var free = new SemaphoreSlim(slots);
        var active = 0;
        return LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Path == "/slots")
            {
                var busy = Volatile.Read(ref active);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonArray(Enumerable.Range(0, slots)
                    .Select(i => (JsonNode)new JsonObject { ["id"] = i, ["is_processing"] = i < busy }).ToArray()).ToJsonString());
                return;
            }
            await free.WaitAsync(context.RequestAborted);
            Interlocked.Increment(ref active);
            try
            {
                await Task.Delay(work, context.RequestAborted);
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(FixtureBuilder.MessageStream, context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref active);
                free.Release();
            }
        }, Ct);
    }

    [Fact]
    public async Task Overlapping_calls_are_reported_one_at_a_time_on_one_slot_and_side_by_side_on_two()
    {
        using var scratch = new TempDirectory();
        var fixture = OverlapFixture(scratch);
        await using var one = await SlotServer(1, TimeSpan.FromMilliseconds(700));
        await using var two = await SlotServer(2, TimeSpan.FromMilliseconds(700));

        var queued = await new Replayer(new ReplayTarget(one.BaseUrl, "k", "np1", ParallelSlots: 1)).ReplayAsync(fixture, Ct);
        var side = await new Replayer(new ReplayTarget(two.BaseUrl, "k", "np2", ParallelSlots: 2)).ReplayAsync(fixture, Ct);

        queued.Exchanges[1].BusySlots.Should().Be(1);
        queued.Exchanges[1].FirstByteAfter.Should().Equal([1]);
        (queued.Exchanges[1].HeldBehind > TimeSpan.FromMilliseconds(300)).Should().BeTrue();
        ReplayReport.SummaryLines(queued).Should().Contain(l => l.Contains("NP=1: served one at a time") && l.Contains("#2 background got its first byte only after #1 (main) finished"));
        side.Exchanges[1].BusySlots.Should().Be(2);
        ReplayReport.SummaryLines(side).Should().Contain(l => l.Contains("NP=2: served side by side (2 slots busy at once)"));
        // The request after the overlap ran alone: nobody watched the slots for it.
        side.Exchanges[2].BusySlots.Should().BeNull();
    }

    [Fact]
    public async Task Placeholders_are_filled_in_consistently_and_the_target_key_replaces_the_recorded_token()
    {
        using var scratch = new TempDirectory();
        var body = FixtureBuilder.Body($"work in {Placeholders.WorkDir} on {Placeholders.Date}");
        var request = FixtureBuilder.Request(1, 0, 10, body) with
        {
            Headers = new Dictionary<string, string>
            {
                ["authorization"] = $"Bearer {Placeholders.AuthToken}",
                ["x-api-key"] = Placeholders.Redacted,
                ["x-claude-code-session-id"] = Placeholders.SessionId,
                ["host"] = Placeholders.Host,
            },
        };
        var fixture = FixtureBuilder.Write(scratch.Combine("ph"), "ph", request, FixtureBuilder.Request(2, 20, 30) with { Headers = request.Headers });
        await using var server = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);
        var values = PlaceholderValues.ForReplay(server.BaseUrl, "the-key", new DateTimeOffset(2030, 1, 2, 0, 0, 0, TimeSpan.Zero));

        await new Replayer(new ReplayTarget(server.BaseUrl, "the-key", "control")).ReplayAsync(fixture, Ct, values);

        var seen = server.Requests;
        seen[0].Body.Should().Contain($"work in {values.Values[Placeholders.WorkDir]} on 2030-01-02");
        seen[0].Headers["authorization"].Should().Be("Bearer the-key");
        seen[0].Headers["x-api-key"].Should().Be("the-key");
        seen[0].Headers["x-claude-code-session-id"].Should().Be(values.Values[Placeholders.SessionId]);
        seen[1].Headers["x-claude-code-session-id"].Should().Be(seen[0].Headers["x-claude-code-session-id"]);
        seen[0].Body.Should().NotContain("{{");
    }

    [Fact]
    public async Task A_rejected_request_fails_the_fixture_unless_the_finding_is_known_for_the_profile()
    {
        using var scratch = new TempDirectory();
        var fixture = FixtureBuilder.Write(scratch.Combine("rejected"), "rejected", FixtureBuilder.Request(1, 0, 10));
        await using var upstream = await LoopbackHttpServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":{\"code\":400,\"message\":\"System message must be at the beginning.\",\"type\":\"invalid_request_error\"}}");
        }, Ct);

        var replay = await new Replayer(new ReplayTarget(upstream.BaseUrl, "k", "p1")).ReplayAsync(fixture, Ct);
        var failed = ReplayReport.Check(replay, KnownFindings.None);
        var known = ReplayReport.Check(replay, new KnownFindings
        {
            Known = [new KnownFinding { Finding = ReplayFindings.Rejected.Id, Profiles = ["p1"], Reason = "upstream #21954" }],
        });
        var otherProfile = ReplayReport.Check(replay, new KnownFindings
        {
            Known = [new KnownFinding { Finding = ReplayFindings.Rejected.Id, Profiles = ["p2"], Reason = "upstream #21954" }],
        });

        var findings = replay.Exchanges[0].Verdict.Findings.Select(f => f.Id).ToArray();
        findings.Should().Contain(ReplayFindings.Rejected.Id);
        findings.Should().Contain(FindingCatalog.ErrorOpenAiShape.Id);
        replay.Exchanges[0].Verdict.ErrorSummary.Should().Contain("System message must be at the beginning");
        failed.Outcome.Should().Be(CheckOutcome.Fail);
        known.Outcome.Should().Be(CheckOutcome.KnownDeviation);
        otherProfile.Outcome.Should().Be(CheckOutcome.Fail);
    }

    [Theory]
    [InlineData("{\"input_tokens\":5}", null, 5L)]
    [InlineData("{\"tokens\":5}", "replay.count-tokens-shape", null)]
    [InlineData("{\"input_tokens\":-1}", "replay.count-tokens-shape", null)]
    [InlineData("tokens: 5", "body.not-json", null)]
    public async Task Count_tokens_answers_are_checked_for_their_shape(string answer, string? finding, long? tokens)
    {
        using var scratch = new TempDirectory();
        var fixture = FixtureBuilder.Write(scratch.Combine("ct"), "ct",
            FixtureBuilder.Request(1, 0, 10, purpose: RequestPurpose.CountTokens, path: "/v1/messages/count_tokens?beta=true"));
        await using var upstream = await LoopbackHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer);
        }, Ct);

        var replay = await new Replayer(new ReplayTarget(upstream.BaseUrl, "k", "p")).ReplayAsync(fixture, Ct);

        var verdict = replay.Exchanges[0].Verdict;
        verdict.Findings.Select(f => f.Id).Should().Equal(finding is null ? [] : [finding]);
        verdict.Usage.InputTokens.Should().Be(tokens);
    }

    [Fact]
    public async Task Cache_share_is_measured_per_turn_and_a_turn_that_reprocesses_everything_is_flagged_with_its_cause()
    {
        using var scratch = new TempDirectory();
        JsonObject Turn(int n, string billing)
        {
            var body = FixtureBuilder.Body("first");
            body["system"]![0]!["text"] = billing;
            var messages = (JsonArray)body["messages"]!;
            for (var i = 2; i <= n; i++)
            {
                messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = $"answer {i - 1}" });
                messages.Add(new JsonObject { ["role"] = "user", ["content"] = $"question {i}" });
            }
            return body;
        }
        var fixture = FixtureBuilder.Write(scratch.Combine("cache"), "cache",
            FixtureBuilder.Request(1, 0, 10, Turn(1, "x-anthropic-billing-header: cc_version=2.1.328.aaa;")),
            FixtureBuilder.Request(2, 20, 30, Turn(2, "x-anthropic-billing-header: cc_version=2.1.328.bbb;")),
            FixtureBuilder.Request(3, 40, 50, Turn(3, "x-anthropic-billing-header: cc_version=2.1.328.bbb;")));
        // Turn 2 is answered as fully reprocessed, turn 3 as almost fully cached.
        var usage = new Queue<(int Input, int Cached)>([(5000, 0), (5000, 0), (40, 5000)]);
        await using var upstream = await LoopbackHttpServer.StartAsync(async context =>
        {
            (int Input, int Cached) next;
            lock (usage) next = usage.Dequeue();
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(FixtureBuilder.MessageStream.Replace(
                "\"usage\":{\"input_tokens\":10,", $"\"usage\":{{\"input_tokens\":{next.Input},\"cache_read_input_tokens\":{next.Cached},"));
        }, Ct);

        var replay = await new Replayer(new ReplayTarget(upstream.BaseUrl, "k", "p")).ReplayAsync(fixture, Ct);

        replay.Exchanges[0].CacheShare.Should().BeNull();
        replay.Exchanges[1].CacheShare.Should().Be(0);
        replay.Exchanges[1].FullReprocessing.Should().BeTrue();
        replay.Exchanges[1].PrefixBreak.Should().Be("system[0] (billing header)");
        Assert.Equal(5000.0 / 5040, replay.Exchanges[2].CacheShare!.Value, 3);
        replay.Exchanges[2].FullReprocessing.Should().BeFalse();
        replay.Exchanges[2].PrefixBreak.Should().BeNull();
        ReplayReport.SummaryLines(replay).Should().Contain(l => l.Contains("FULL REPROCESSING on #2 (prompt changed at system[0] (billing header))"));
        var check = ReplayReport.Check(replay, KnownFindings.None);
        check.Metrics["full_reprocessing_turns"].Should().Be(1);
        ReplayReport.Requests(replay)[1].Note.Should().Contain("full reprocessing");
    }

    [Theory]
    [InlineData("authorization", "Bearer target-key")]
    [InlineData("x-api-key", "target-key")]
    [InlineData("cookie", null)]
    public void A_redacted_credential_goes_out_as_the_targets_key_in_the_same_style(string header, string? sent)
    {
        var request = new TrafficRequest
        {
            Index = 1,
            Purpose = RequestPurpose.Main,
            Method = "POST",
            Path = "/v1/messages",
            ArrivalMs = 0,
            CompletionMs = 1,
            Headers = new Dictionary<string, string> { [header] = Placeholders.Redacted, ["anthropic-version"] = "2023-06-01" },
            Response = new TrafficResponse { Status = 200 },
        };
        var values = PlaceholderValues.ForReplay(new Uri("http://127.0.0.1:1"), "target-key", DateTimeOffset.UnixEpoch);

        var (_, _, _, headers, unknown) = Replayer.Prepare(request, values);

        headers.GetValueOrDefault(header).Should().Be(sent);
        headers.Values.Should().NotContain(v => v.Contains("{{", StringComparison.Ordinal));
        unknown.Should().BeEmpty();
    }
}
