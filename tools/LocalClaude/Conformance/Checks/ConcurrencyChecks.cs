using System.Text.Json.Nodes;
using LocalClaude.Profiles;
using LocalClaude.Results;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>
/// Claude Code's background title call arrives a few milliseconds before the main call of the same turn:
/// both must complete, and on NP=1 one waits for the other.
/// </summary>
internal static class ConcurrencyChecks
{
    public const string Area = "concurrency";

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("concurrency.title-beside-main", Area, "A background title call and the main call at once, on NP=1 and NP=2: both complete; latencies recorded", TitleBesideMain)
            { Timeout = TimeSpan.FromMinutes(10) },
    ];

    private static JsonObject TitleCall(string model) =>
        Greedy(model, "Please write a 5-10 word title for the following conversation: hello", maxTokens: 24)
            .With("tools", new JsonArray())
            .With("output_config", JsonNode.Parse("""{"format":{"type":"json_schema","schema":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"]}}}"""))
            .With("system", "Generate a concise title.");

    private static JsonObject MainCall(string model) =>
        Greedy(model, "Explain what the files in this project do.", maxTokens: 48, stream: true)
            .With("system", LongText(3000, "main"))
            .With("tools", new JsonArray(BashTool(), WeatherTool()));

    private sealed record Pair(double TitleSeconds, double MainSeconds, double MainAloneSeconds, CheckedExchange Title, CheckedExchange Main);

    private static async Task<Pair> RunPairAsync(CheckContext c, CancellationToken ct)
    {
        // The main call alone first, warm, as the baseline for "did it wait?".
        await c.PostAsync(MainCall(c.Model), ct);
        var alone = await c.PostAsync(MainCall(c.Model), ct);
        var title = c.PostAsync(TitleCall(c.Model), ct);
        await Task.Delay(10, ct); // as seen from Claude Code: the title request leads by 3-15 ms
        var main = c.PostAsync(MainCall(c.Model), ct);
        await Task.WhenAll(title, main);
        return new Pair(title.Result.Exchange.Total.TotalSeconds, main.Result.Exchange.Total.TotalSeconds,
            alone.Exchange.Total.TotalSeconds, title.Result, main.Result);
    }

    private static async Task<CheckVerdict> TitleBesideMain(CheckContext c, CancellationToken ct)
    {
        var results = new Dictionary<int, Pair>();
        results[c.Profile.ParallelSlots] = await RunPairAsync(c, ct);

        // The other slot count, on a server of our own, where we may start one (CPU profiles; a GPU may not hold two models).
        var other = c.Profile.ParallelSlots == 1 ? 2 : 1;
        string? variantNote = null;
        if (c.Variants is not null && c.Profile.GpuLayers.Count == 0)
        {
            var perSlot = c.Profile.ContextSize / c.Profile.ParallelSlots;
            var variant = c.Profile with { Name = $"{c.Profile.Name}-np{other}", Alias = c.Profile.ServedModelName, ParallelSlots = other, ContextSize = perSlot * other };
            await using var server = await c.Variants.StartAsync(variant, ct);
            using var client = CheckContext.ClientFor(server.BaseUrl, c.ApiKey);
            results[other] = await RunPairAsync(new CheckContext(client, variant, c.ApiKey), ct);
        }
        else variantNote = $"NP={other} not measured: {(c.Variants is null ? "the server was not started by the suite" : "GPU profile (run a profile with NP=" + other + " to compare)")}";

        var failures = results.SelectMany(r => new[] { (r.Key, "title", r.Value.Title), (r.Key, "main", r.Value.Main) })
            .Where(t => !t.Item3.Ok || t.Item3.HasBlockingFindings)
            .Select(t => $"NP={t.Key} {t.Item2}: HTTP {t.Item3.Status}")
            .ToList();
        var summary = string.Join("; ", results.OrderBy(r => r.Key).Select(r =>
            $"NP={r.Key}: title {r.Value.TitleSeconds:0.00} s, main {r.Value.MainSeconds:0.00} s (alone {r.Value.MainAloneSeconds:0.00} s)"));
        var verdict = failures.Count == 0 ? CheckVerdict.Pass(summary) : CheckVerdict.Fail(string.Join("; ", failures) + "; " + summary);
        foreach (var (np, pair) in results)
        {
            verdict = verdict
                .WithMetric(ReportMetrics.Title(np), pair.TitleSeconds)
                .WithMetric(ReportMetrics.MainBesideTitle(np), pair.MainSeconds)
                .WithMetric(ReportMetrics.MainAlone(np), pair.MainAloneSeconds)
                .WithMetric(ReportMetrics.MainWait(np), Math.Max(0, pair.MainSeconds - pair.MainAloneSeconds));
        }
        var first = results[c.Profile.ParallelSlots];
        return verdict.With(first.Main, note: variantNote).JudgedBy(results.Values.SelectMany(p => new[] { p.Title, p.Main }).ToArray());
    }
}
