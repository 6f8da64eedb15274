namespace LocalClaude.Results;

/// <summary>
/// One round of a paired measurement: the same quantity on the baseline and the candidate, taken back to back, so
/// whatever else the machine did in that moment weighs on both. <see cref="BaselineFirst"/> alternates per round.
/// </summary>
public sealed record PairedSample(int Round, double Baseline, double Candidate, bool BaselineFirst)
{
    /// <summary>Candidate over baseline (NaN when the baseline is 0).</summary>
    public double Ratio => Baseline == 0 ? double.NaN : Candidate / Baseline;
}

/// <summary>Every pair of one metric, as a result file stores it so that the verdict can be recomputed.</summary>
public sealed record PairedMetricSamples(string Metric, IReadOnlyList<PairedSample> Samples);

/// <summary>n, median and spread of repeated samples of one quantity.</summary>
public sealed record SampleSpread(int N, double Median, double Min, double Max, double Q1, double Q3)
{
    /// <summary>(max − min) / median: how far apart the samples lie, relative to what is reported.</summary>
    public double RelativeWidth => Median == 0 ? double.PositiveInfinity : (Max - Min) / Math.Abs(Median);

    /// <summary>Spread beyond this share of the median: the median says little, show the range instead.</summary>
    public const double TooWideAbove = 0.5;

    /// <summary>Fewer samples than needed for a verdict, or a spread wider than <see cref="TooWideAbove"/> of the median.</summary>
    public bool IsRough => N < PairedComparison.MinimumForVerdict || RelativeWidth > TooWideAbove;

    /// <summary>Why <see cref="IsRough"/>, for a chart's tooltip or a table's note.</summary>
    public string? Roughness => N < PairedComparison.MinimumForVerdict ? $"only {N} sample(s), no spread to judge by"
        : RelativeWidth > TooWideAbove ? FormattableString.Invariant($"spread too wide: min–max is {RelativeWidth * 100:0}% of the median") : null;

    public static SampleSpread Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("spread of nothing", nameof(values));
        return new SampleSpread(sorted.Length, Quantile(sorted, 0.5), sorted[0], sorted[^1], Quantile(sorted, 0.25), Quantile(sorted, 0.75));
    }

    /// <summary>Linear interpolation between the closest ranks (the median of an even count is the mean of the middle two).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var position = (sorted.Length - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}

public enum PairedVerdict
{
    /// <summary>The median change is within the threshold.</summary>
    NoChange,
    /// <summary>Beyond the threshold and beyond the noise, the good way.</summary>
    Better,
    /// <summary>Beyond the threshold and beyond the noise, the bad way.</summary>
    Worse,
    /// <summary>The median moved beyond the threshold but the noise (or too few samples) does not allow a verdict.</summary>
    Inconclusive,
}

/// <param name="MedianRatio">Median of the candidate / baseline ratios (paired), or ratio of the medians (unpaired).</param>
/// <param name="RatioLow">Lower end of the bootstrap confidence interval of <paramref name="MedianRatio"/>.</param>
/// <param name="Paired">The samples were taken in pairs (interleaved); false for two independent sets.</param>
public sealed record PairedOutcome(
    SampleSpread Baseline,
    SampleSpread Candidate,
    SampleSpread? Ratios,
    double MedianRatio,
    double RatioLow,
    double RatioHigh,
    bool Paired,
    PairedVerdict Verdict,
    string Why);

/// <summary>
/// The one place that turns repeated samples into a verdict, for the gate, the report and the benchmarks. A
/// difference counts only when the median ratio is beyond the threshold AND a seeded bootstrap confidence interval of
/// it lies wholly beyond the threshold; a median within the threshold is "no change"; anything else is inconclusive.
/// </summary>
public static class PairedComparison
{
    /// <summary>Rounds a measurement takes unless told otherwise.</summary>
    public const int DefaultRounds = 5;
    /// <summary>Fewer pairs than this never yield a verdict on a difference.</summary>
    public const int MinimumForVerdict = 3;
    public const double Confidence = 0.95;
    private const int Resamples = 2000;
    private const int Seed = 20261207;

    /// <summary>Compares paired samples; <paramref name="higherIsBetter"/> says which way is "better".</summary>
    public static PairedOutcome Compare(IReadOnlyList<PairedSample> samples, bool higherIsBetter, double relativeThreshold, double absoluteThreshold = 0)
    {
        var usable = samples.Where(s => !double.IsNaN(s.Ratio) && !double.IsInfinity(s.Ratio)).ToList();
        if (usable.Count == 0) throw new ArgumentException("no usable pairs (every baseline was 0 or NaN)", nameof(samples));
        var ratios = usable.Select(s => s.Ratio).ToArray();
        var (low, high) = BootstrapMedian(ratios, resample => Median(resample));
        var baseline = SampleSpread.Of(usable.Select(s => s.Baseline));
        var candidate = SampleSpread.Of(usable.Select(s => s.Candidate));
        var ratioSpread = SampleSpread.Of(ratios);
        var (verdict, why) = Decide(ratioSpread.Median, low, high, usable.Count, baseline.Median, candidate.Median, higherIsBetter, relativeThreshold, absoluteThreshold);
        return new PairedOutcome(baseline, candidate, ratioSpread, ratioSpread.Median, low, high, true, verdict, why);
    }

    /// <summary>Two independent sets (e.g. two earlier reports): the ratio of medians, bootstrapped side by side.</summary>
    public static PairedOutcome CompareUnpaired(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate, bool higherIsBetter,
        double relativeThreshold, double absoluteThreshold = 0)
    {
        var b = SampleSpread.Of(baseline);
        var c = SampleSpread.Of(candidate);
        if (b.Median == 0) throw new ArgumentException("baseline median is 0", nameof(baseline));
        var random = new Random(Seed);
        var bs = baseline.Where(v => !double.IsNaN(v)).ToArray();
        var cs = candidate.Where(v => !double.IsNaN(v)).ToArray();
        var estimates = new double[Resamples];
        for (var i = 0; i < Resamples; i++)
        {
            var mb = Median(Draw(bs, random));
            estimates[i] = mb == 0 ? double.NaN : Median(Draw(cs, random)) / mb;
        }
        var (low, high) = Interval(estimates);
        var ratio = c.Median / b.Median;
        var n = Math.Min(b.N, c.N);
        var (verdict, why) = Decide(ratio, low, high, n, b.Median, c.Median, higherIsBetter, relativeThreshold, absoluteThreshold);
        return new PairedOutcome(b, c, null, ratio, low, high, false, verdict, why);
    }

    private static (PairedVerdict, string) Decide(double ratio, double low, double high, int n, double baselineMedian, double candidateMedian,
        bool higherIsBetter, double threshold, double absoluteThreshold)
    {
        var change = ratio - 1;
        if (Math.Abs(change) <= threshold || Math.Abs(candidateMedian - baselineMedian) <= absoluteThreshold)
            return (PairedVerdict.NoChange, "within threshold");
        if (n < MinimumForVerdict)
            return (PairedVerdict.Inconclusive, $"too few samples for a verdict (n={n}, needs {MinimumForVerdict})");
        var beyond = change > 0 ? low > 1 + threshold : high < 1 - threshold;
        if (!beyond)
            return (PairedVerdict.Inconclusive, FormattableString.Invariant($"the {Confidence * 100:0}% interval of the ratio, {low:0.###}–{high:0.###}, reaches within ±{threshold * 100:0.#}%"));
        var better = higherIsBetter ? change > 0 : change < 0;
        return (better ? PairedVerdict.Better : PairedVerdict.Worse, FormattableString.Invariant($"the {Confidence * 100:0}% interval of the ratio, {low:0.###}–{high:0.###}, lies beyond ±{threshold * 100:0.#}%"));
    }

    private static (double Low, double High) BootstrapMedian(double[] values, Func<double[], double> statistic)
    {
        var random = new Random(Seed);
        var estimates = new double[Resamples];
        for (var i = 0; i < Resamples; i++) estimates[i] = statistic(Draw(values, random));
        return Interval(estimates);
    }

    private static double[] Draw(double[] values, Random random)
    {
        var drawn = new double[values.Length];
        for (var i = 0; i < drawn.Length; i++) drawn[i] = values[random.Next(values.Length)];
        return drawn;
    }

    private static (double, double) Interval(double[] estimates)
    {
        var sorted = estimates.Where(e => !double.IsNaN(e)).Order().ToArray();
        var tail = (1 - Confidence) / 2;
        return (SampleSpread.Quantile(sorted, tail), SampleSpread.Quantile(sorted, 1 - tail));
    }

    private static double Median(double[] values) => SampleSpread.Quantile(values.Order().ToArray(), 0.5);

    /// <summary>
    /// Runs <paramref name="rounds"/> rounds of A then B, B then A, … (who goes first alternates), each side's
    /// measurement returning named values; pairs them per name. A name missing on either side in a round is skipped there.
    /// </summary>
    public static async Task<IReadOnlyList<PairedMetricSamples>> MeasureAsync(int rounds,
        Func<int, CancellationToken, Task<IReadOnlyDictionary<string, double>>> measureBaseline,
        Func<int, CancellationToken, Task<IReadOnlyDictionary<string, double>>> measureCandidate,
        CancellationToken ct)
    {
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), "at least one round");
        var pairs = new Dictionary<string, List<PairedSample>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            ct.ThrowIfCancellationRequested();
            var baselineFirst = round % 2 == 0;
            IReadOnlyDictionary<string, double> b, c;
            if (baselineFirst)
            {
                b = await measureBaseline(round, ct);
                c = await measureCandidate(round, ct);
            }
            else
            {
                c = await measureCandidate(round, ct);
                b = await measureBaseline(round, ct);
            }
            foreach (var (name, value) in b)
            {
                if (!c.TryGetValue(name, out var other)) continue;
                if (!pairs.TryGetValue(name, out var list)) { pairs[name] = list = []; order.Add(name); }
                list.Add(new PairedSample(round + 1, value, other, baselineFirst));
            }
        }
        return order.Select(name => new PairedMetricSamples(name, pairs[name])).ToList();
    }
}
