namespace LocalClaude.Results;

/// <summary>pass@k and medians over repeated trials of one task.</summary>
public static class TrialStatistics
{
    /// <summary>
    /// Unbiased pass@k (Chen et al. 2021): the chance that at least one of k trials drawn from the n run passes,
    /// 1 − C(n−c, k) / C(n, k). With k = n it is 1 when any trial passed.
    /// </summary>
    public static double PassAtK(int trials, int passes, int k)
    {
        if (trials <= 0) throw new ArgumentOutOfRangeException(nameof(trials), "needs at least one trial");
        if (passes < 0 || passes > trials) throw new ArgumentOutOfRangeException(nameof(passes));
        if (k < 1 || k > trials) throw new ArgumentOutOfRangeException(nameof(k), $"k must be 1..{trials}");
        if (trials - passes < k) return 1.0;
        // Product form of C(n−c, k) / C(n, k), stable for any n.
        var allFail = 1.0;
        for (var i = trials - passes + 1; i <= trials; i++) allFail *= 1.0 - (double)k / i;
        return 1.0 - allFail;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("median of nothing", nameof(values));
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
