namespace LocalClaude.Gguf;

/// <summary>
/// Tensor element types of ggml (numbering from <c>ggml.h</c>; gaps are types removed upstream).
/// The writer encodes floats as <see cref="F32"/>, <see cref="F16"/> and <see cref="Q8_0"/>;
/// the others are known so that the reader can size any tensor it meets.
/// </summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
    NVFP4 = 40,
    Q1_0 = 41,
    Q2_0 = 42,
}

/// <summary>Elements per block and bytes per block of a ggml type (gguf-py's <c>GGML_QUANT_SIZES</c>).</summary>
public readonly record struct GgmlTypeLayout(int BlockSize, int BlockBytes)
{
    private const int QK_K = 256;

    public static bool IsKnown(GgmlType type) => TryGet(type, out _);

    public static GgmlTypeLayout Of(GgmlType type) =>
        TryGet(type, out var layout)
            ? layout
            : throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ggml tensor type");

    public static bool TryGet(GgmlType type, out GgmlTypeLayout layout)
    {
        layout = type switch
        {
            GgmlType.F32 => new(1, 4),
            GgmlType.F16 => new(1, 2),
            GgmlType.Q4_0 => new(32, 2 + 16),
            GgmlType.Q4_1 => new(32, 2 + 2 + 16),
            GgmlType.Q5_0 => new(32, 2 + 4 + 16),
            GgmlType.Q5_1 => new(32, 2 + 2 + 4 + 16),
            GgmlType.Q8_0 => new(32, 2 + 32),
            GgmlType.Q8_1 => new(32, 2 + 2 + 32),
            GgmlType.Q2_K => new(QK_K, 2 + 2 + QK_K / 16 + QK_K / 4),
            GgmlType.Q3_K => new(QK_K, 2 + QK_K / 4 + QK_K / 8 + 12),
            GgmlType.Q4_K => new(QK_K, 2 + 2 + QK_K / 2 + 12),
            GgmlType.Q5_K => new(QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12),
            GgmlType.Q6_K => new(QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16),
            GgmlType.Q8_K => new(QK_K, 4 + QK_K + QK_K / 8),
            GgmlType.IQ2_XXS => new(QK_K, 2 + QK_K / 4),
            GgmlType.IQ2_XS => new(QK_K, 2 + QK_K / 4 + QK_K / 32),
            GgmlType.IQ3_XXS => new(QK_K, 2 + QK_K / 4 + QK_K / 8),
            GgmlType.IQ1_S => new(QK_K, 2 + QK_K / 8 + QK_K / 16),
            GgmlType.IQ4_NL => new(32, 2 + 16),
            GgmlType.IQ3_S => new(QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4),
            GgmlType.IQ2_S => new(QK_K, 2 + QK_K / 4 + QK_K / 16),
            GgmlType.IQ4_XS => new(QK_K, 2 + 2 + QK_K / 2 + QK_K / 64),
            GgmlType.I8 => new(1, 1),
            GgmlType.I16 => new(1, 2),
            GgmlType.I32 => new(1, 4),
            GgmlType.I64 => new(1, 8),
            GgmlType.F64 => new(1, 8),
            GgmlType.IQ1_M => new(QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32),
            GgmlType.BF16 => new(1, 2),
            GgmlType.TQ1_0 => new(QK_K, 2 + 4 * 13),
            GgmlType.TQ2_0 => new(QK_K, 2 + 64),
            GgmlType.MXFP4 => new(32, 1 + 16),
            GgmlType.NVFP4 => new(64, 4 + 32),
            GgmlType.Q1_0 => new(128, 2 + 16),
            GgmlType.Q2_0 => new(64, 2 + 16),
            _ => default,
        };
        return layout.BlockSize != 0;
    }

    /// <summary>Bytes of a tensor with <paramref name="elementCount"/> elements (a multiple of the block size).</summary>
    public long BytesFor(long elementCount) => elementCount / BlockSize * BlockBytes;
}
