using LocalClaude.Results;

namespace LocalClaude.Tests.Results;

public sealed class PairedComparisonTests
{
    private static List<PairedSample> Pairs(params (double Baseline, double Candidate)[] values) =>
        values.Select((v, i) => new PairedSample(i + 1, v.Baseline, v.Candidate, i % 2 == 0)).ToList();

    [Fact]
    public void A_load_that_comes_and_goes_weighs_on_both_sides_of_each_pair_and_gives_no_verdict()
    {
        // Decode tok/s: rounds 2-3 ran beside a CPU hog, which slowed whichever side it met, both of them.
        var pairs = Pairs((100, 101), (55, 60), (62, 54), (99, 98), (101, 100));
        var outcome = PairedComparison.Compare(pairs, higherIsBetter: true, relativeThreshold: 0.15);

        outcome.Verdict.Should().Be(PairedVerdict.NoChange);
        outcome.Baseline.N.Should().Be(5);
        outcome.Baseline.Min.Should().Be(55);
        outcome.Baseline.Max.Should().Be(101);
    }

    [Fact]
    public void A_real_difference_beyond_threshold_and_noise_gets_a_verdict_in_the_right_direction()
    {
        // The candidate decodes 30% slower in every pair; the machine's own noise is a few percent.
        var slower = Pairs((100, 70), (98, 69), (103, 71), (97, 68), (101, 72));
        var worse = PairedComparison.Compare(slower, higherIsBetter: true, relativeThreshold: 0.15);
        worse.Verdict.Should().Be(PairedVerdict.Worse);
        (worse.RatioHigh < 0.85).Should().BeTrue($"interval {worse.RatioLow}–{worse.RatioHigh}");

        // TTFB: lower is better, so a candidate taking 30% less is better.
        var faster = PairedComparison.Compare(Pairs((2.0, 1.4), (2.1, 1.45), (1.9, 1.35), (2.0, 1.41), (2.05, 1.42)), higherIsBetter: false, relativeThreshold: 0.25);
        faster.Verdict.Should().Be(PairedVerdict.Better);
    }

    [Fact]
    public void A_median_beyond_threshold_with_pairs_all_over_the_place_is_inconclusive()
    {
        var pairs = Pairs((100, 60), (100, 130), (100, 55), (100, 110), (100, 65));
        var outcome = PairedComparison.Compare(pairs, higherIsBetter: true, relativeThreshold: 0.15);

        outcome.Verdict.Should().Be(PairedVerdict.Inconclusive);
        outcome.Why.Should().Contain("reaches within ±15%");
        (outcome.RatioLow < 0.85 && outcome.RatioHigh > 0.85).Should().BeTrue();
    }

    [Fact]
    public void Too_few_samples_never_give_a_verdict_on_a_difference()
    {
        var single = PairedComparison.CompareUnpaired([100], [50], higherIsBetter: true, relativeThreshold: 0.15);
        single.Verdict.Should().Be(PairedVerdict.Inconclusive);
        single.Why.Should().Contain("n=1");
        // Within the threshold is "no change" at any n.
        PairedComparison.CompareUnpaired([100], [95], true, 0.15).Verdict.Should().Be(PairedVerdict.NoChange);
    }

    [Fact]
    public void The_interval_is_seeded_so_a_verdict_recomputed_from_the_stored_samples_is_the_same()
    {
        var pairs = Pairs((100, 80), (100, 90), (100, 70), (100, 95), (100, 85), (100, 75));
        var first = PairedComparison.Compare(pairs, true, 0.1);
        var again = PairedComparison.Compare(pairs.ToList(), true, 0.1);
        (again with { }).Should().Be(first);
        again.RatioLow.Should().Be(first.RatioLow);
    }

    [Fact]
    public void Spread_reports_n_median_min_max_and_quartiles()
    {
        var s = SampleSpread.Of([5, 1, 3, 2, 4]);
        (((int, double, double, double, double, double))((s.N, s.Median, s.Min, s.Max, s.Q1, s.Q3))).Should().Be((5, 3.0, 1.0, 5.0, 2.0, 4.0));
        SampleSpread.Of([1, 2, 3, 4]).Median.Should().Be(2.5);
        Assert.Equal(4.0 / 3, s.RelativeWidth, 9);
    }

    [Fact]
    public async Task Rounds_alternate_who_goes_first_and_pair_values_by_name()
    {
        var order = new List<string>();
        Task<IReadOnlyDictionary<string, double>> Side(string name, int round)
        {
            order.Add($"{name}{round}");
            IReadOnlyDictionary<string, double> values = new Dictionary<string, double> { ["m"] = name == "A" ? 10 + round : 20 + round };
            return Task.FromResult(values);
        }
        var pairs = await PairedComparison.MeasureAsync(4, (r, _) => Side("A", r), (r, _) => Side("B", r), TestContext.Current.CancellationToken);

        order.Should().Equal(["A0", "B0", "B1", "A1", "A2", "B2", "B3", "A3"]);
        var m = pairs.Should().ContainSingle().Which;
        m.Samples.Select(s => s.BaselineFirst).Should().Equal([true, false, true, false]);
        m.Samples.Select(s => (s.Baseline, s.Candidate)).Should().Equal([(10.0, 20.0), (11, 21), (12, 22), (13, 23)]);
    }
}
