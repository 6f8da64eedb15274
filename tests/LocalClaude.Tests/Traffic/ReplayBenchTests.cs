using LocalClaude.Tests.Protocol;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

public sealed class ReplayBenchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_bench_pairs_every_request_and_survives_a_server_that_drops_kept_alive_connections()
    {
        using var scratch = new TempDirectory();
        // Like llama-server after a streamed answer: the next request on the same connection is read and never answered.
        await using var server = new DroppingServer();
        var fixture = FixtureBuilder.Write(scratch.Combine("one"), "one", FixtureBuilder.Request(1, 0, 100), FixtureBuilder.Request(2, 200, 300));

        var bench = await ReplayBench.RunAsync([fixture], new ReplayTarget(server.BaseUrl, "k", "dropping"), Ct, TimeSpan.FromSeconds(30));

        // Two requests, passed over three times to reach five pairs at least.
        bench.Requests.Should().Be(6);
        (bench.BareRetries >= 1).Should().BeTrue("the bare client never met a dropped connection: the test does not test the retry");
        bench.Pairs.Select(p => p.BaselineFirst).Should().Equal([true, false, true, false, true, false]);
        Assert.All(bench.Pairs, p => (p.Baseline > 0 && p.Candidate > 0).Should().BeTrue());
        bench.Ratio.N.Should().Be(6);
        bench.Ratio.Median.Should().BeInRange(bench.Ratio.Min, bench.Ratio.Max);

        var table = new StringWriter();
        bench.PrintTable(table);
        table.ToString().Should().MatchRegex(@"suite/bare\s+6\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{3}");
        table.ToString().Should().Contain($"retried {bench.BareRetries} request(s)");
    }
}
