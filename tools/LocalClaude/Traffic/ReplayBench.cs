using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace LocalClaude.Traffic;

/// <summary>The suite's own overhead: the same requests through the full replay (sequential) and through a bare HttpClient.</summary>
public sealed record BenchResult(TimeSpan Bare, TimeSpan Suite, int Requests)
{
    /// <summary>Suite time over bare time: near 1 means the suite adds little of its own.</summary>
    public double Ratio => Bare > TimeSpan.Zero ? Suite / Bare : double.NaN;
}

public static class ReplayBench
{
    /// <summary>
    /// Sends every fixture's requests one after another with a plain <see cref="HttpClient"/> (read to the end, nothing
    /// checked) and through <see cref="Replayer"/> in sequential mode (validator, timings, analysis), and compares.
    /// llama-server keeps earlier prompts in its cache, so whichever pass goes first would be slower: a discarded bare
    /// pass warms the cache, and the bare time is the mean of one pass before and one after the suite's.
    /// </summary>
    public static async Task<BenchResult> RunAsync(IReadOnlyList<TrafficFixture> fixtures, ReplayTarget target, CancellationToken cancellationToken,
        TimeSpan? requestTimeout = null)
    {
        var timeout = requestTimeout ?? TimeSpan.FromMinutes(5);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = target.BaseUrl, Timeout = timeout };
        await BarePassAsync(http, fixtures, target, cancellationToken);
        var before = await BarePassAsync(http, fixtures, target, cancellationToken);

        var suite = TimeSpan.Zero;
        var replayer = new Replayer(target, new ReplayOptions { RecordedConcurrency = false, RequestTimeout = timeout });
        foreach (var fixture in fixtures)
        {
            var clock = Stopwatch.StartNew();
            await replayer.ReplayAsync(fixture, cancellationToken);
            suite += clock.Elapsed;
        }

        var after = await BarePassAsync(http, fixtures, target, cancellationToken);
        return new BenchResult((before + after) / 2, suite, fixtures.Sum(f => f.Exchanges.Count));
    }

    private static async Task<TimeSpan> BarePassAsync(HttpClient http, IReadOnlyList<TrafficFixture> fixtures, ReplayTarget target, CancellationToken cancellationToken)
    {
        var bare = TimeSpan.Zero;
        foreach (var fixture in fixtures)
        {
            var values = PlaceholderValues.ForReplay(target.BaseUrl, target.ApiKey, DateTimeOffset.UtcNow);
            foreach (var exchange in fixture.Exchanges)
            {
                var (method, path, body, headers, _) = Replayer.Prepare(exchange.Request, values, target.MaxOutputTokens);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                }
                foreach (var (name, value) in headers)
                    if (name is not ("content-type" or "content-length" or "accept-encoding" or "connection"))
                        request.Headers.TryAddWithoutValidation(name, value);
                var clock = Stopwatch.StartNew();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                await stream.CopyToAsync(Stream.Null, cancellationToken);
                bare += clock.Elapsed;
            }
        }
        return bare;
    }
}
