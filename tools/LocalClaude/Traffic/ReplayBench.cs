using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using LocalClaude.Client;
using LocalClaude.Results;

namespace LocalClaude.Traffic;

/// <summary>
/// The suite's own overhead, measured per request in pairs: the same recorded request through a bare HttpClient and
/// through the full replay (validator, timings, analysis), back to back and in alternating order.
/// </summary>
/// <param name="Pairs">Every pair: <see cref="PairedSample.Baseline"/> is the bare client's seconds, <see cref="PairedSample.Candidate"/> the suite's.</param>
/// <param name="BareRetries">Requests the bare client sent again after the server dropped a kept-alive connection before answering.</param>
public sealed record BenchResult(IReadOnlyList<PairedSample> Pairs, int BareRetries)
{
    public int Requests => Pairs.Count;
    public SampleSpread Bare => SampleSpread.Of(Pairs.Select(p => p.Baseline));
    public SampleSpread Suite => SampleSpread.Of(Pairs.Select(p => p.Candidate));
    /// <summary>Suite over bare, pair by pair: near 1 means the suite adds little of its own.</summary>
    public SampleSpread Ratio => SampleSpread.Of(Pairs.Select(p => p.Ratio));

    /// <summary>The table the command prints: min, median and max of each column, with n.</summary>
    public void PrintTable(TextWriter output)
    {
        output.WriteLine($"bench: {Requests} paired requests (bare HttpClient and suite back to back, order alternating); bare client retried {BareRetries} request(s) after a dropped keep-alive connection");
        output.WriteLine($"{"",-16} {"n",4} {"min",9} {"median",9} {"max",9}");
        void Row(string name, SampleSpread s, string format, string unit) =>
            output.WriteLine($"{name,-16} {s.N,4} {s.Min.ToString(format),9}{unit} {s.Median.ToString(format),9}{unit} {s.Max.ToString(format),9}{unit}");
        Row("bare (s)", Bare, "0.000", "");
        Row("suite (s)", Suite, "0.000", "");
        Row("suite/bare", Ratio, "0.000", "");
    }
}

public static class ReplayBench
{
    /// <summary>At least this many pairs: short fixture sets are passed over more than once.</summary>
    public const int MinimumPairs = PairedComparison.DefaultRounds;

    /// <summary>
    /// For every recorded request: one unmeasured send (so llama-server's prompt cache holds it for both measured
    /// sends), then the bare client and the suite in turn, who goes first alternating request by request. The bare
    /// client sends a request again once when the server dropped the kept-alive connection before answering, the same
    /// rule as the suite's own clients (<see cref="LostConnection"/>), and counts it.
    /// </summary>
    public static async Task<BenchResult> RunAsync(IReadOnlyList<TrafficFixture> fixtures, ReplayTarget target, CancellationToken cancellationToken,
        TimeSpan? requestTimeout = null)
    {
        var timeout = requestTimeout ?? TimeSpan.FromMinutes(5);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = target.BaseUrl, Timeout = timeout };
        var replayer = new Replayer(target, new ReplayOptions { RecordedConcurrency = false, RequestTimeout = timeout, WatchSlots = false });
        var requests = fixtures.Sum(f => f.Exchanges.Count);
        if (requests == 0) throw new ArgumentException("the fixtures hold no requests to bench");
        var passes = (MinimumPairs + requests - 1) / requests;
        var pairs = new List<PairedSample>();
        var retries = 0;
        for (var pass = 0; pass < passes; pass++)
            foreach (var fixture in fixtures)
            {
                var values = PlaceholderValues.ForReplay(target.BaseUrl, target.ApiKey, DateTimeOffset.UtcNow);
                foreach (var exchange in fixture.Exchanges)
                {
                    retries += (await BareAsync(http, exchange, values, target, cancellationToken)).Retries;
                    var one = fixture with { Exchanges = [exchange] };
                    async Task<double> Suite()
                    {
                        var clock = Stopwatch.StartNew();
                        await replayer.ReplayAsync(one, cancellationToken, values);
                        return clock.Elapsed.TotalSeconds;
                    }
                    async Task<double> Bare()
                    {
                        var (seconds, retried) = await BareAsync(http, exchange, values, target, cancellationToken);
                        retries += retried;
                        return seconds;
                    }
                    var bareFirst = pairs.Count % 2 == 0;
                    double bare, suite;
                    if (bareFirst) { bare = await Bare(); suite = await Suite(); }
                    else { suite = await Suite(); bare = await Bare(); }
                    pairs.Add(new PairedSample(pairs.Count + 1, bare, suite, bareFirst));
                }
            }
        return new BenchResult(pairs, retries);
    }

    /// <summary>One request read to the end, nothing checked; seconds including a retry after a dropped connection.</summary>
    private static async Task<(double Seconds, int Retries)> BareAsync(HttpClient http, FixtureExchange exchange, PlaceholderValues values,
        ReplayTarget target, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await SendAsync(http, exchange, values, target, cancellationToken);
            return (clock.Elapsed.TotalSeconds, 0);
        }
        catch (HttpRequestException e) when (LostConnection.BeforeAnswer(e) && !cancellationToken.IsCancellationRequested)
        {
            await SendAsync(http, exchange, values, target, cancellationToken);
            return (clock.Elapsed.TotalSeconds, 1);
        }
    }

    private static async Task SendAsync(HttpClient http, FixtureExchange exchange, PlaceholderValues values, ReplayTarget target, CancellationToken cancellationToken)
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
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await stream.CopyToAsync(Stream.Null, cancellationToken);
    }
}
