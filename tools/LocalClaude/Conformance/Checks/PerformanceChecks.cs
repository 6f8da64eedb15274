using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Protocol;
using LocalClaude.Results;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>
/// What a Claude Code user feels: the 16K+ token system prompt cold and warm, whether anything arrives while it is
/// processed, the prompt cache across Claude Code's per-request billing header, and decode speed.
/// These record metrics; outcomes only judge behaviour, never speed.
/// </summary>
internal static class PerformanceChecks
{
    public const string Area = "performance";
    public const int LongPromptTokens = 16_500;
    /// <summary>Times each speed is measured, for a median and a spread (<see cref="PairedComparison.DefaultRounds"/>).</summary>
    public const int SampleRounds = PairedComparison.DefaultRounds;

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("perf.long-prompt", Area, "A 16K+ token system prompt: time to first byte cold and warm, cache reuse, anything sent while it is processed", LongPrompt) { Timeout = TimeSpan.FromMinutes(10) },
        new("cache.billing-header", Area, "The prompt cache survives Claude Code's per-request billing header at system[0]", BillingHeader) { Timeout = TimeSpan.FromMinutes(10) },
        new("perf.decode-speed", Area, "Decode speed of a streamed answer", DecodeSpeed),
    ];

    private static bool FitsContext(CheckContext c, int tokens) => c.Profile.ContextSize / c.Profile.ParallelSlots > tokens + 512;

    private static async Task<CheckVerdict> LongPrompt(CheckContext c, CancellationToken ct)
    {
        if (!FitsContext(c, LongPromptTokens))
            return CheckVerdict.NotApplicable($"each slot has {c.Profile.ContextSize / c.Profile.ParallelSlots} tokens of context (CTX/NP), too few for a {LongPromptTokens}-token prompt");
        // A fresh salt makes the first request cold even on a server that ran this check before.
        var body = Greedy(c.Model, maxTokens: 8, stream: true).With("system", LongText(LongPromptTokens, Guid.NewGuid().ToString("N")));
        var cold = await c.PostAsync(body, ct);
        var warm = await c.PostAsync(body, ct);
        if (!cold.Ok || !warm.Ok) return CheckVerdict.Fail($"HTTP {cold.Status} / {warm.Status}").With(cold);

        var prompt = (cold.Message!.Usage.InputTokens ?? 0) + (cold.Message.Usage.CacheReadInputTokens ?? 0);
        var cached = warm.Message!.Usage.CacheReadInputTokens ?? 0;
        var ttfbCold = cold.Exchange.TimeToFirstByte!.Value.TotalSeconds;
        var ttfbWarm = warm.Exchange.TimeToFirstByte!.Value.TotalSeconds;
        var firstEvent = cold.Stream!.Timings.FirstEvent?.TotalSeconds;
        var firstDelta = cold.Stream.Timings.FirstContentDelta?.TotalSeconds;
        // Early means: something reached the client while the prompt was still being processed.
        var earlyEvents = firstEvent is { } fe && firstDelta is { } fd && fd - fe > 0.25 * fd;
        var pings = cold.Exchange.ResponseText.Split('\n').Count(l => l.StartsWith("event: ping", StringComparison.Ordinal));

        var notes = new List<string>
        {
            $"{prompt} prompt tokens; TTFB cold {ttfbCold:0.00} s, warm {ttfbWarm:0.00} s; warm request read {cached} tokens from cache",
            earlyEvents ? $"message_start arrived {firstEvent:0.00} s in, before prompt processing ended" : $"nothing arrived until {firstEvent:0.00} s (prompt processing done); {pings} ping(s)",
        };
        var verdict = prompt < LongPromptTokens * 0.9
            ? CheckVerdict.Fail($"the prompt was only {prompt} tokens; the check needs {LongPromptTokens}")
            : cached < prompt * 0.9
                ? CheckVerdict.Deviation($"the identical second request reused only {cached} of {prompt} tokens from the prompt cache; {notes[1]}")
                : earlyEvents
                    ? CheckVerdict.Pass(string.Join("; ", notes))
                    : CheckVerdict.Deviation($"{notes[0]}; {notes[1]} (Anthropic sends message_start and pings at once)");
        // More rounds with fresh salts, so the report has n and a spread instead of one sample of a noisy machine.
        var rounds = new List<IReadOnlyDictionary<string, double>>
        {
            new Dictionary<string, double>
            {
                [ReportMetrics.LongPromptTtfbCold.Name] = ttfbCold,
                [ReportMetrics.LongPromptTtfbWarm.Name] = ttfbWarm,
                [ReportMetrics.PrefillTokensPerSecond.Name] = prompt / Math.Max(ttfbCold, 1e-3),
            },
        };
        for (var i = 1; i < SampleRounds; i++) rounds.Add(await PerformanceProbe.MeasureLongPromptAsync(c, ct));
        IReadOnlyList<double> Samples(MetricDefinition m) => rounds.Where(r => r.ContainsKey(m.Name)).Select(r => r[m.Name]).ToList();
        return verdict
            .WithMetric(ReportMetrics.LongPromptTokens, prompt)
            .WithSamples(ReportMetrics.LongPromptTtfbCold, Samples(ReportMetrics.LongPromptTtfbCold))
            .WithSamples(ReportMetrics.LongPromptTtfbWarm, Samples(ReportMetrics.LongPromptTtfbWarm))
            .WithMetric(ReportMetrics.LongPromptCacheReadTokens, cached)
            .WithSamples(ReportMetrics.PrefillTokensPerSecond, Samples(ReportMetrics.PrefillTokensPerSecond))
            .WithMetric("long_prompt.pings", pings)
            .With(cold, note: string.Join("; ", notes)).JudgedBy(cold, warm);
    }

    private static async Task<CheckVerdict> BillingHeader(CheckContext c, CancellationToken ct)
    {
        const int tokens = 4000;
        if (!FitsContext(c, tokens)) return CheckVerdict.NotApplicable("too little context per slot");
        var main = LongText(tokens, Guid.NewGuid().ToString("N"));
        JsonObject Request(string cch) => Greedy(c.Model, maxTokens: 4).With("system", new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = $"x-anthropic-billing-header: cc_version=2.1.328.a1b; cc_entrypoint=cli; cch={cch};" },
            new JsonObject { ["type"] = "text", ["text"] = "You are Claude Code, Anthropic's official CLI for Claude.", ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } },
            new JsonObject { ["type"] = "text", ["text"] = main, ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } }));
        var first = await c.PostAsync(Request("1a2b3"), ct);
        var second = await c.PostAsync(Request("9f8e7"), ct);
        if (!first.Ok || !second.Ok) return CheckVerdict.Fail($"HTTP {first.Status} / {second.Status}").With(second);
        var u = second.Message!.Usage;
        var total = (u.InputTokens ?? 0) + (u.CacheReadInputTokens ?? 0);
        var share = total == 0 ? 0 : (double)(u.CacheReadInputTokens ?? 0) / total;
        var verdict = share >= 0.9
            ? CheckVerdict.Pass($"{share:P0} of the second request's {total} prompt tokens came from cache although the billing header changed")
            : CheckVerdict.Deviation($"only {share:P0} of {total} prompt tokens reused: a changed billing header at system[0] makes the whole prompt be processed again on every Claude Code request");
        return verdict.WithMetric(ReportMetrics.BillingHeaderCacheShare, share).With(second).JudgedBy(first, second);
    }

    private static async Task<CheckVerdict> DecodeSpeed(CheckContext c, CancellationToken ct)
    {
        const int tokens = 128;
        var x = await c.PostAsync(Greedy(c.Model, maxTokens: tokens, stream: true), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x);
        var document = SseReader.Parse(x.Exchange.ResponseBody);
        var deltas = document.Events.Where(e => e.EventName == "content_block_delta").Select(e => x.Exchange.ArrivalOf(e.ByteOffset)).ToList();
        var generated = x.Message!.Usage.OutputTokens ?? 0;
        if (deltas.Count < 2 || generated < 8)
            return CheckVerdict.NotApplicable($"too little output to time ({generated} tokens, {deltas.Count} deltas)").With(x);
        var speeds = new List<double> { PerformanceProbe.DecodeSpeed(x)!.Value };
        for (var i = 1; i < SampleRounds; i++)
            if (await PerformanceProbe.MeasureDecodeAsync(c, ct) is { } more) speeds.Add(more);
        var spread = SampleSpread.Of(speeds);
        return CheckVerdict.Pass($"{generated} tokens, {spread.Median:0} tokens/s after the first (median of {spread.N}, {spread.Min:0}–{spread.Max:0})")
            .WithSamples(ReportMetrics.DecodeTokensPerSecond, speeds)
            .WithMetric(ReportMetrics.DecodeTimeToFirstToken, x.Stream!.Timings.FirstContentDelta?.TotalSeconds ?? double.NaN)
            .With(x).JudgedBy(x);
    }
}
