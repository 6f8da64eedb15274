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
        Assert.Equal(6, bench.Requests);
        Assert.True(bench.BareRetries >= 1, "the bare client never met a dropped connection: the test does not test the retry");
        Assert.Equal([true, false, true, false, true, false], bench.Pairs.Select(p => p.BaselineFirst));
        Assert.All(bench.Pairs, p => Assert.True(p.Baseline > 0 && p.Candidate > 0));
        Assert.Equal(6, bench.Ratio.N);
        Assert.InRange(bench.Ratio.Median, bench.Ratio.Min, bench.Ratio.Max);

        var table = new StringWriter();
        bench.PrintTable(table);
        Assert.Matches(@"suite/bare\s+6\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{3}", table.ToString());
        Assert.Contains($"retried {bench.BareRetries} request(s)", table.ToString());
    }
}
