namespace LocalClaude.Results;

/// <summary>Whether a larger value of a metric is an improvement or a slowdown.</summary>
public enum MetricDirection { LowerIsBetter, HigherIsBetter }

/// <summary>
/// One named measurement the report charts and the gate compares. Producers write it into
/// <see cref="Results.ResultFile.Metrics"/> (preferred) or into one check's <see cref="Results.CheckResult.Metrics"/>.
/// </summary>
/// <param name="GateRelativeThreshold">A change smaller than this share of the baseline is noise (null: the gate does not compare it).</param>
/// <param name="GateAbsoluteThreshold">A change smaller than this, in the metric's unit, is noise too (fast timings jitter by milliseconds).</param>
public sealed record MetricDefinition(
    string Name,
    string Unit,
    string Description,
    MetricDirection Direction,
    double? GateRelativeThreshold = null,
    double GateAbsoluteThreshold = 0);

/// <summary>
/// The one place that names the metrics: producers emit these names, the report and the gate read them.
/// A name is <c>area.quantity_unit</c> (lower case, <c>_s</c> seconds, <c>_per_s</c> rates), the names the
/// conformance runner writes. Metrics not listed here still reach report.json and the page's table.
/// </summary>
public static class ReportMetrics
{
    public static readonly MetricDefinition LongPromptTtfbCold = new(
        "long_prompt.ttfb_cold_s", "s", "time to first byte, long prompt, empty prompt cache",
        MetricDirection.LowerIsBetter, GateRelativeThreshold: 0.25, GateAbsoluteThreshold: 0.05);

    /// <summary>The same long prompt sent again at once: served from the prompt cache.</summary>
    public static readonly MetricDefinition LongPromptTtfbWarm = new(
        "long_prompt.ttfb_warm_s", "s", "time to first byte, long prompt repeated (prompt cache warm)",
        MetricDirection.LowerIsBetter, GateRelativeThreshold: 0.25, GateAbsoluteThreshold: 0.05);

    public static readonly MetricDefinition LongPromptTokens = new(
        "long_prompt.tokens", "tokens", "input tokens of the long prompt", MetricDirection.HigherIsBetter);

    public static readonly MetricDefinition LongPromptCacheReadTokens = new(
        "long_prompt.cache_read_tokens", "tokens", "cache_read_input_tokens of the repeated long prompt", MetricDirection.HigherIsBetter);

    /// <summary>Prompt processing speed on the cold long prompt.</summary>
    public static readonly MetricDefinition PrefillTokensPerSecond = new(
        "long_prompt.prompt_tokens_per_s", "tok/s", "prompt processing speed, cold long prompt",
        MetricDirection.HigherIsBetter, GateRelativeThreshold: 0.25, GateAbsoluteThreshold: 50);

    /// <summary>Generated tokens per second after the first token (streaming, one request alone).</summary>
    public static readonly MetricDefinition DecodeTokensPerSecond = new(
        "decode.tokens_per_s", "tok/s", "decode speed, one request alone",
        MetricDirection.HigherIsBetter, GateRelativeThreshold: 0.15, GateAbsoluteThreshold: 1);

    public static readonly MetricDefinition DecodeTimeToFirstToken = new(
        "decode.ttft_s", "s", "time to first token of the decode-speed request", MetricDirection.LowerIsBetter);

    /// <summary>Share of the prompt served from the cache when Claude Code's per-request billing header is in system[0].</summary>
    public static readonly MetricDefinition BillingHeaderCacheShare = new(
        "cache.billing_header_share", "share", "prompt-cache share with the per-request billing header", MetricDirection.HigherIsBetter);

    /// <summary>The main call alone on a server with <paramref name="slots"/> slots.</summary>
    public static MetricDefinition MainAlone(int slots) => new(
        $"concurrency.np{slots}.main_alone_s", "s", $"NP={slots}: main request alone", MetricDirection.LowerIsBetter);

    /// <summary>The main call sent together with Claude Code's background title call.</summary>
    public static MetricDefinition MainBesideTitle(int slots) => new(
        $"concurrency.np{slots}.main_s", "s", $"NP={slots}: main request beside the title request", MetricDirection.LowerIsBetter);

    public static MetricDefinition Title(int slots) => new(
        $"concurrency.np{slots}.title_s", "s", $"NP={slots}: title request beside the main request", MetricDirection.LowerIsBetter);

    /// <summary>How long the main call waited for a slot (about 0 when the slots are enough).</summary>
    public static MetricDefinition MainWait(int slots) => new(
        $"concurrency.np{slots}.main_wait_s", "s", $"NP={slots}: main request's wait for a slot", MetricDirection.LowerIsBetter);

    /// <summary>The max_tokens every request of an E2E run asked for (CLAUDE_CODE_MAX_OUTPUT_TOKENS), as evidence of the cap.</summary>
    public static readonly MetricDefinition E2EMaxOutputTokens = new(
        "e2e.max_output_tokens", "tokens", "max_tokens every E2E request asked for (CLAUDE_CODE_MAX_OUTPUT_TOKENS)", MetricDirection.HigherIsBetter);

    /// <summary>The slot counts the concurrency check compares.</summary>
    public static readonly IReadOnlyList<int> ConcurrencySlots = [1, 2];

    public static IReadOnlyList<MetricDefinition> All { get; } =
    [
        LongPromptTtfbCold, LongPromptTtfbWarm, LongPromptTokens, LongPromptCacheReadTokens, PrefillTokensPerSecond,
        DecodeTokensPerSecond, DecodeTimeToFirstToken, BillingHeaderCacheShare, E2EMaxOutputTokens,
        .. ConcurrencySlots.SelectMany(n => new[] { MainAlone(n), MainBesideTitle(n), Title(n), MainWait(n) }),
    ];

    /// <summary>The metrics the gate holds a candidate to: TTFB, prompt processing and decode speed.</summary>
    public static IReadOnlyList<MetricDefinition> Gated { get; } = All.Where(m => m.GateRelativeThreshold is not null).ToList();

    public static MetricDefinition? Find(string name) => All.FirstOrDefault(m => m.Name == name);
}
