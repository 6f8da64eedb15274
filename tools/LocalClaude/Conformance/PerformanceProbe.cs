using LocalClaude.Conformance.Checks;
using LocalClaude.Results;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance;

/// <summary>
/// One round of the gated speed metrics on one server: the long prompt cold (a fresh salt, so the cache cannot help)
/// and warm, prompt speed, and decode speed. The paired gate and the repeated conformance checks both take their
/// samples from here, so both measure the same thing.
/// </summary>
public static class PerformanceProbe
{
    private const int DecodeTokens = 128;

    public static async Task<IReadOnlyDictionary<string, double>> MeasureAsync(CheckContext c, CancellationToken ct)
    {
        var values = new Dictionary<string, double>(await MeasureLongPromptAsync(c, ct), StringComparer.Ordinal);
        if (await MeasureDecodeAsync(c, ct) is { } speed) values[ReportMetrics.DecodeTokensPerSecond.Name] = speed;
        return values;
    }

    /// <summary>Cold and warm TTFB and prompt speed of a fresh long prompt; empty when the slot's context is too small.</summary>
    public static async Task<IReadOnlyDictionary<string, double>> MeasureLongPromptAsync(CheckContext c, CancellationToken ct)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (c.Profile.ContextSize / c.Profile.ParallelSlots <= PerformanceChecks.LongPromptTokens + 512) return values;
        var body = Greedy(c.Model, maxTokens: 8, stream: true).With("system", LongText(PerformanceChecks.LongPromptTokens, Guid.NewGuid().ToString("N")));
        var cold = await c.PostAsync(body, ct);
        var warm = await c.PostAsync(body, ct);
        if (cold.Ok && cold.Exchange.TimeToFirstByte is { } coldTtfb)
        {
            var prompt = (cold.Message?.Usage.InputTokens ?? 0) + (cold.Message?.Usage.CacheReadInputTokens ?? 0);
            values[ReportMetrics.LongPromptTtfbCold.Name] = coldTtfb.TotalSeconds;
            if (prompt > 0) values[ReportMetrics.PrefillTokensPerSecond.Name] = prompt / Math.Max(coldTtfb.TotalSeconds, 1e-3);
        }
        if (warm.Ok && warm.Exchange.TimeToFirstByte is { } warmTtfb) values[ReportMetrics.LongPromptTtfbWarm.Name] = warmTtfb.TotalSeconds;
        return values;
    }

    /// <summary>Decode speed of one streamed answer; null when it failed or was too short to time.</summary>
    public static async Task<double?> MeasureDecodeAsync(CheckContext c, CancellationToken ct)
    {
        var decode = await c.PostAsync(Greedy(c.Model, maxTokens: DecodeTokens, stream: true), ct);
        return decode.Ok ? DecodeSpeed(decode) : null;
    }

    /// <summary>Tokens per second after the first content delta; null when too little came back to time.</summary>
    internal static double? DecodeSpeed(CheckedExchange x)
    {
        var document = Protocol.SseReader.Parse(x.Exchange.ResponseBody);
        var deltas = document.Events.Where(e => e.EventName == "content_block_delta").Select(e => x.Exchange.ArrivalOf(e.ByteOffset)).ToList();
        var generated = x.Message?.Usage.OutputTokens ?? 0;
        if (deltas.Count < 2 || generated < 8) return null;
        return (generated - 1) / Math.Max((deltas[^1] - deltas[0]).TotalSeconds, 1e-3);
    }
}
