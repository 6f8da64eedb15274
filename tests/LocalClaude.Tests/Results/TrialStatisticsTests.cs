using LocalClaude.Results;

namespace LocalClaude.Tests.Results;

public sealed class TrialStatisticsTests
{
    [Theory]
    [InlineData(5, 2, 1, 0.4)]
    [InlineData(5, 2, 2, 0.7)]       // 1 − C(3,2)/C(5,2) = 1 − 3/10
    [InlineData(5, 0, 5, 0.0)]
    [InlineData(5, 1, 5, 1.0)]
    [InlineData(10, 3, 4, 1 - 35.0 / 210)] // C(7,4)=35, C(10,4)=210
    [InlineData(1, 1, 1, 1.0)]
    public void Pass_at_k_is_the_unbiased_estimator(int n, int c, int k, double expected) =>
        Assert.Equal(expected, TrialStatistics.PassAtK(n, c, k), 9);

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(3, 4, 1)]
    [InlineData(3, 1, 4)]
    [InlineData(3, 1, 0)]
    public void Pass_at_k_refuses_impossible_counts(int n, int c, int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TrialStatistics.PassAtK(n, c, k));

    [Fact]
    public void Median_of_odd_and_even_counts()
    {
        TrialStatistics.Median([5, 1, 3]).Should().Be(3);
        TrialStatistics.Median([4, 1, 3, 2]).Should().Be(2.5);
        FluentActions.Invoking(() => TrialStatistics.Median([])).Should().ThrowExactly<ArgumentException>();
    }
}
