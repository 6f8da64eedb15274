namespace LocalClaude.Gguf;

/// <summary>
/// Shape and seed of a random-weights <c>llama</c>-architecture model small enough to run on a CPU.
/// Defaults are the product's default model; use <c>with</c> for variants.
/// </summary>
public sealed record TinyModelSpec
{
    public const string Architecture = "llama";

    public string Name { get; init; } = "localclaude-tiny";
    public int EmbeddingLength { get; init; } = 64;
    public int BlockCount { get; init; } = 2;
    public int FeedForwardLength { get; init; } = 128;
    public int HeadCount { get; init; } = 4;
    public int HeadCountKv { get; init; } = 4;
    public float RmsNormEpsilon { get; init; } = 1e-6f;
    public float RopeFreqBase { get; init; } = 1e6f;
    public int RopeDimensionCount { get; init; } = 16;
    public int ContextLength { get; init; } = 32768;
    public ulong Seed { get; init; } = 20261124;

    /// <summary>Type of the two vocabulary-sized tensors, <c>token_embd.weight</c> and <c>output.weight</c>.</summary>
    public GgmlType LargeTensorType { get; init; } = GgmlType.Q8_0;

    /// <summary>Type of the attention and feed-forward matrices (norms are always F32).</summary>
    public GgmlType ProjectionTensorType { get; init; } = GgmlType.F32;

    public int HeadDimension => EmbeddingLength / HeadCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistency.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Name), "Name is empty");
        Require(EmbeddingLength > 0 && BlockCount > 0 && FeedForwardLength > 0 && HeadCount > 0 && HeadCountKv > 0 && ContextLength > 0,
            "sizes must be positive");
        Require(EmbeddingLength % HeadCount == 0, $"EmbeddingLength {EmbeddingLength} is not a multiple of HeadCount {HeadCount}");
        Require(HeadCount % HeadCountKv == 0, $"HeadCount {HeadCount} is not a multiple of HeadCountKv {HeadCountKv}");
        Require(RopeDimensionCount > 0 && RopeDimensionCount % 2 == 0 && RopeDimensionCount <= HeadDimension,
            $"RopeDimensionCount {RopeDimensionCount} must be even and at most the head dimension {HeadDimension}");
        Require(float.IsFinite(RmsNormEpsilon) && RmsNormEpsilon > 0, "RmsNormEpsilon must be positive");
        Require(float.IsFinite(RopeFreqBase) && RopeFreqBase > 0, "RopeFreqBase must be positive");
        foreach (var (type, what) in new[] { (LargeTensorType, nameof(LargeTensorType)), (ProjectionTensorType, nameof(ProjectionTensorType)) })
        {
            Require(type is GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0, $"{what} {type}: only F32, F16 and Q8_0 are written");
        }

        // Q8_0 packs rows in blocks of 32: every row length of a Q8_0 tensor must divide.
        Require(LargeTensorType != GgmlType.Q8_0 || EmbeddingLength % GgmlQuantization.Q8_0BlockSize == 0,
            $"Q8_0 large tensors need EmbeddingLength to be a multiple of 32; got {EmbeddingLength}");
        Require(ProjectionTensorType != GgmlType.Q8_0
                || (EmbeddingLength % GgmlQuantization.Q8_0BlockSize == 0 && FeedForwardLength % GgmlQuantization.Q8_0BlockSize == 0),
            $"Q8_0 projections need EmbeddingLength and FeedForwardLength to be multiples of 32; got {EmbeddingLength}, {FeedForwardLength}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"invalid tiny model spec: {message}");
        }
    }
}
