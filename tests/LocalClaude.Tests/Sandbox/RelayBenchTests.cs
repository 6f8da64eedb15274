using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace LocalClaude.Tests.Sandbox;

public sealed class RelayBenchTests
{
    [Fact]
    public async Task The_bench_times_every_pair_on_both_paths_and_the_upstream_sees_them_all()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory("localclaude-bench");
        var requests = 0;
        // Three events 20 ms apart: a stream with gaps to measure.
        await using var upstream = await LoopbackHttpServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 3; i++)
            {
                if (i > 0) await Task.Delay(20, context.RequestAborted);
                await context.Response.WriteAsync($"event: ping\ndata: {i}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }, ct);

        var result = await RelayBench.RunAsync(new RelayBenchPlan
        {
            Server = upstream.BaseUrl,
            ApiKey = "control",
            Model = "control",
            Pairs = 3,
            LongPromptTokens = 2000,
        }, dir.Path, ct);

        result.Rows.Select(r => r.Measure).Should().Equal(["time to first byte", "gap between chunks", "time to first byte", "gap between chunks"]);
        Assert.All(result.Rows.Where(r => r.Measure == "time to first byte"), r => ((r.Direct.N, r.Relayed.N, r.Added.N)).Should().Be((3, 3, 3)));
        Assert.All(result.Rows.Where(r => r.Measure == "gap between chunks"), r => r.Added.N.Should().Be(3));
        Assert.All(result.Rows.Where(r => r.Measure == "gap between chunks"), r => (r.Direct.Median >= 15 && r.Relayed.Median >= 15).Should().BeTrue(r.ToString()));
        // Two warm-up pairs and three measured ones per case, each pair one direct and one relayed request.
        requests.Should().Be(2 * (2 + 3) * 2);
        result.Table().Should().Contain("relayed median");
    }
}
