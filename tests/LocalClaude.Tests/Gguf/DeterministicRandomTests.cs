using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

public sealed class DeterministicRandomTests
{
    // Expected values from an independent Python implementation of splitmix64 and xoshiro256**.
    [Fact]
    public void SplitMix64_matches_the_reference_sequence()
    {
        var state = 0UL;
        DeterministicRandom.SplitMix64(ref state).Should().Be(0xe220a8397b1dcdafUL);
        state = 1234567;
        DeterministicRandom.SplitMix64(ref state).Should().Be(0x599ed017fb08fc85UL);
    }

    [Fact]
    public void Xoshiro256StarStar_matches_the_reference_sequence()
    {
        var random = new DeterministicRandom(12345);

        Enumerable.Range(0, 4).Select(_ => random.NextUInt64()).Should().Equal([0xbe6a36374160d49bUL, 0x214aaa0637a688c6UL, 0xf69d16de9954d388UL, 0x0c60048c4e96e033UL]);
    }

    [Fact]
    public void Uniform_fill_has_the_requested_spread_and_streams_differ_by_name()
    {
        var values = new float[100_000];
        DeterministicRandom.ForStream(1, "a").FillUniform(values, 0.5);
        var mean = values.Average();
        var variance = values.Select(v => (v - mean) * (v - mean)).Average();

        ((double)(mean)).Should().BeInRange(-0.01, 0.01);
        Math.Sqrt(variance).Should().BeInRange(0.49, 0.51);
        Assert.All(values, v => v.Should().BeInRange(-0.5f * MathF.Sqrt(3), 0.5f * MathF.Sqrt(3)));
        DeterministicRandom.ForStream(1, "b").NextUInt64().Should().NotBe(DeterministicRandom.ForStream(1, "a").NextUInt64());
        DeterministicRandom.ForStream(2, "a").NextUInt64().Should().NotBe(DeterministicRandom.ForStream(1, "a").NextUInt64());
    }
}
