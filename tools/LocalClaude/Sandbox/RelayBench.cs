using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Client;
using LocalClaude.Conformance;
using LocalClaude.Conformance.Checks;
using LocalClaude.Profiles;

namespace LocalClaude.Sandbox;

/// <summary>What <see cref="RelayBench"/> measures against which server.</summary>
public sealed record RelayBenchPlan
{
    public required Uri Server { get; init; }
    public required string ApiKey { get; init; }
    public required string Model { get; init; }
    /// <summary>Measured pairs per case (one direct and one relayed request each), after two warm-up pairs.</summary>
    public int Pairs { get; init; } = 20;
    public int StreamTokens { get; init; } = 64;
    /// <summary>The long prompt's size; null leaves that case out (the server's slots are too small).</summary>
    public int? LongPromptTokens { get; init; } = LongPrompt;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The plan for a profile's server: the long-prompt case only where a slot holds it.</summary>
    public static RelayBenchPlan For(ModelProfile profile, Uri server, string apiKey, int pairs) => new()
    {
        Server = server,
        ApiKey = apiKey,
        Model = profile.ServedModelName,
        Pairs = pairs,
        LongPromptTokens = profile.ContextSize / profile.ParallelSlots > LongPrompt + 512 ? LongPrompt : null,
    };

    private const int LongPrompt = 16_000;
}

/// <summary>Median and spread (10th to 90th percentile) of n values, in milliseconds.</summary>
public sealed record Spread(double Median, double P10, double P90, int N)
{
    public static Spread Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return new Spread(double.NaN, double.NaN, double.NaN, 0);
        var sorted = values.Order().ToArray();
        double At(double q)
        {
            var index = q * (sorted.Length - 1);
            var low = (int)Math.Floor(index);
            var high = (int)Math.Ceiling(index);
            return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
        }
        return new Spread(At(0.5), At(0.1), At(0.9), sorted.Length);
    }

    public override string ToString() =>
        N == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Median:0.00} ({P10:0.00}–{P90:0.00})");
}

/// <summary>One measure of one case: direct, relayed, and the relay's added cost (median of the paired differences).</summary>
public sealed record RelayBenchRow(string Case, string Measure, Spread Direct, Spread Relayed, Spread Added);

public sealed record RelayBenchResult(IReadOnlyList<RelayBenchRow> Rows, int Pairs)
{
    public string Table()
    {
        var lines = new List<string[]> { new[] { "case", "measure (ms)", "direct median (p10–p90)", "relayed median (p10–p90)", "added median (p10–p90)", "n" } };
        lines.AddRange(Rows.Select(r => new[] { r.Case, r.Measure, r.Direct.ToString(), r.Relayed.ToString(), r.Added.ToString(),
            r.Added.N.ToString(CultureInfo.InvariantCulture) }));
        var widths = Enumerable.Range(0, lines[0].Length).Select(i => lines.Max(l => l[i].Length)).ToArray();
        return string.Join('\n', lines.Select(l => string.Join("  ", l.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd()));
    }
}

/// <summary>
/// What the sandbox's relay (<see cref="PortBridge"/>, on its unix socket) costs against talking to llama-server
/// directly: time to first body byte and the gaps between body chunks of streamed answers, for a short prompt and a
/// long (cached) one. Direct and relayed requests alternate (A B A B …) so the machine's noise hits both alike.
/// </summary>
public static class RelayBench
{
    private const int WarmUpPairs = 2;

    public static async Task<RelayBenchResult> RunAsync(RelayBenchPlan plan, string workDirectory, CancellationToken cancellationToken)
    {
        var socket = Path.Combine(workDirectory, "relay.sock");
        await using var bridge = await PortBridge.StartAsync(socket, plan.Server.Port, null, Path.Combine(workDirectory, "bridge.log"), cancellationToken);
        using var direct = Client(plan, null);
        using var relayed = Client(plan, socket);

        var rows = new List<RelayBenchRow>();
        var cases = new List<(string Name, JsonObject Body)>
        {
            ($"stream, {plan.StreamTokens} tokens", RequestBodies.Greedy(plan.Model, "Count from one to one hundred in words.", plan.StreamTokens, stream: true)),
        };
        if (plan.LongPromptTokens is { } tokens)
            cases.Add(($"{tokens / 1000}K-token prompt (cached)", RequestBodies.Greedy(plan.Model, maxTokens: 8, stream: true)
                .With("system", RequestBodies.LongText(tokens, "relay-bench"))));

        foreach (var (name, body) in cases)
        {
            var json = body.ToJsonString();
            var directRuns = new List<StreamTiming>();
            var relayedRuns = new List<StreamTiming>();
            for (var i = 0; i < WarmUpPairs + plan.Pairs; i++)
            {
                var a = await TimeAsync(direct, json, plan.RequestTimeout, cancellationToken);
                var b = await TimeAsync(relayed, json, plan.RequestTimeout, cancellationToken);
                if (i < WarmUpPairs) continue;
                directRuns.Add(a);
                relayedRuns.Add(b);
            }
            rows.Add(Row(name, "time to first byte", directRuns, relayedRuns, r => [r.FirstByteMs],
                (d, r) => [r.FirstByteMs - d.FirstByteMs]));
            rows.Add(Row(name, "gap between chunks", directRuns, relayedRuns, r => r.GapsMs,
                (d, r) => [Median(r.GapsMs) - Median(d.GapsMs)]));
        }
        return new RelayBenchResult(rows, plan.Pairs);
    }

    private static RelayBenchRow Row(string name, string measure, List<StreamTiming> direct, List<StreamTiming> relayed,
        Func<StreamTiming, IEnumerable<double>> values, Func<StreamTiming, StreamTiming, IEnumerable<double>> added) =>
        new(name, measure, Spread.Of(direct.SelectMany(values).ToArray()), Spread.Of(relayed.SelectMany(values).ToArray()),
            Spread.Of(direct.Zip(relayed, added).SelectMany(x => x).Where(double.IsFinite).ToArray()));

    private static double Median(IReadOnlyCollection<double> values) => Spread.Of(values).Median;

    private sealed record StreamTiming(double FirstByteMs, IReadOnlyList<double> GapsMs);

    private static async Task<StreamTiming> TimeAsync(HttpClient http, string json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"the server answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(limit.Token)}");
        await using var body = await response.Content.ReadAsStreamAsync(limit.Token);
        var buffer = new byte[16 * 1024];
        double? first = null;
        var last = 0.0;
        var gaps = new List<double>();
        while (await body.ReadAsync(buffer, limit.Token) > 0)
        {
            var now = clock.Elapsed.TotalMilliseconds;
            if (first is null) first = now;
            else gaps.Add(now - last);
            last = now;
        }
        return new StreamTiming(first ?? double.NaN, gaps);
    }

    /// <summary>Direct: TCP to the server. Relayed: the bridge's unix socket, with the Host the sandbox would send.</summary>
    private static HttpClient Client(RelayBenchPlan plan, string? socket)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        if (socket is not null)
            handler.ConnectCallback = async (_, ct) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(unix, ownsSocket: true);
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }
            };
        var http = new HttpClient(handler) { BaseAddress = plan.Server, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Add("x-api-key", plan.ApiKey);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return http;
    }
}
