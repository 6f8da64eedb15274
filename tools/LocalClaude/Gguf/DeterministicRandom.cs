namespace LocalClaude.Gguf;

/// <summary>
/// xoshiro256** seeded through splitmix64: a fixed, documented algorithm, so weights stay byte-identical
/// across .NET versions and platforms (System.Random's algorithm is not a compatibility promise).
/// Only integer and exactly rounded double arithmetic is used; no libm calls whose last bit may vary.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public DeterministicRandom(ulong seed)
    {
        var state = seed;
        _s0 = SplitMix64(ref state);
        _s1 = SplitMix64(ref state);
        _s2 = SplitMix64(ref state);
        _s3 = SplitMix64(ref state);
    }

    /// <summary>A generator for one named stream (e.g. one tensor), independent of the order streams are used in.</summary>
    public static DeterministicRandom ForStream(ulong seed, string streamName)
    {
        ArgumentNullException.ThrowIfNull(streamName);

        // FNV-1a over the UTF-8 name, then mixed with the seed.
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(streamName))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var state = seed ^ hash;
        return new DeterministicRandom(SplitMix64(ref state));
    }

    public static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [-bound, bound), rounded once to single precision.</summary>
    public float NextSymmetric(double bound) => (float)((NextDouble() * 2.0 - 1.0) * bound);

    /// <summary>Fills <paramref name="destination"/> with uniform values of standard deviation <paramref name="standardDeviation"/> (bound = σ·√3).</summary>
    public void FillUniform(Span<float> destination, double standardDeviation)
    {
        var bound = standardDeviation * Math.Sqrt(3.0);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = NextSymmetric(bound);
        }
    }
}
