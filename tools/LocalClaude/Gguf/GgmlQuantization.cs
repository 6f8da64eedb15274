using System.Buffers.Binary;

namespace LocalClaude.Gguf;

/// <summary>Encoding and decoding of the tensor types the writer produces, bit-exact with ggml's reference code.</summary>
public static class GgmlQuantization
{
    /// <summary>Elements per Q8_0 block (ggml's <c>QK8_0</c>).</summary>
    public const int Q8_0BlockSize = 32;

    /// <summary>Bytes per Q8_0 block: an fp16 scale and 32 signed bytes.</summary>
    public const int Q8_0BlockBytes = 2 + Q8_0BlockSize;

    /// <summary>
    /// <c>quantize_row_q8_0_ref</c>: per block of 32, d = amax/127 stored as fp16 (round to nearest even),
    /// q = roundf(x * (1/d)) (half away from zero), all in single precision.
    /// </summary>
    public static void QuantizeQ8_0(ReadOnlySpan<float> values, Span<byte> destination)
    {
        if (values.Length % Q8_0BlockSize != 0)
        {
            throw new ArgumentException(
                $"Q8_0 needs a multiple of {Q8_0BlockSize} values; got {values.Length}", nameof(values));
        }

        var blocks = values.Length / Q8_0BlockSize;
        if (destination.Length < blocks * Q8_0BlockBytes)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} bytes; {blocks * Q8_0BlockBytes} needed", nameof(destination));
        }

        for (var block = 0; block < blocks; block++)
        {
            var x = values.Slice(block * Q8_0BlockSize, Q8_0BlockSize);
            var y = destination.Slice(block * Q8_0BlockBytes, Q8_0BlockBytes);

            var amax = 0f;
            foreach (var v in x)
            {
                if (!float.IsFinite(v))
                {
                    throw new ArgumentException(
                        $"Q8_0 cannot encode the non-finite value {v} (block {block})", nameof(values));
                }

                amax = MathF.Max(amax, MathF.Abs(v));
            }

            var d = amax / 127f;
            var id = d != 0f ? 1f / d : 0f;
            BinaryPrimitives.WriteHalfLittleEndian(y, (Half)d);
            for (var j = 0; j < Q8_0BlockSize; j++)
            {
                y[2 + j] = unchecked((byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero));
            }
        }
    }

    /// <summary><c>dequantize_row_q8_0</c>: x = q * fp16 scale.</summary>
    public static void DequantizeQ8_0(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length % Q8_0BlockBytes != 0)
        {
            throw new ArgumentException(
                $"Q8_0 data is a multiple of {Q8_0BlockBytes} bytes; got {source.Length}", nameof(source));
        }

        var blocks = source.Length / Q8_0BlockBytes;
        if (destination.Length < blocks * Q8_0BlockSize)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} values; {blocks * Q8_0BlockSize} needed", nameof(destination));
        }

        for (var block = 0; block < blocks; block++)
        {
            var y = source.Slice(block * Q8_0BlockBytes, Q8_0BlockBytes);
            var d = (float)BinaryPrimitives.ReadHalfLittleEndian(y);
            for (var j = 0; j < Q8_0BlockSize; j++)
            {
                destination[block * Q8_0BlockSize + j] = (sbyte)y[2 + j] * d;
            }
        }
    }

    /// <summary>fp32 → fp16 with round to nearest even, as ggml's <c>GGML_FP32_TO_FP16</c>.</summary>
    public static void EncodeF16(ReadOnlySpan<float> values, Span<byte> destination)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var half = (Half)values[i];
            if (Half.IsInfinity(half) && float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"F16 cannot hold {values[i]} (index {i}): outside ±65504", nameof(values));
            }

            BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], half);
        }
    }

    public static void EncodeF32(ReadOnlySpan<float> values, Span<byte> destination)
    {
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], values[i]);
        }
    }

    /// <summary>Decodes F32, F16, BF16 or Q8_0 data to floats.</summary>
    public static float[] Decode(GgmlType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case GgmlType.F32:
                {
                    var result = new float[data.Length / 4];
                    for (var i = 0; i < result.Length; i++)
                    {
                        result[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
                    }

                    return result;
                }
            case GgmlType.F16:
                {
                    var result = new float[data.Length / 2];
                    for (var i = 0; i < result.Length; i++)
                    {
                        result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]);
                    }

                    return result;
                }
            case GgmlType.BF16:
                {
                    var result = new float[data.Length / 2];
                    for (var i = 0; i < result.Length; i++)
                    {
                        result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]) << 16);
                    }

                    return result;
                }
            case GgmlType.Q8_0:
                {
                    var result = new float[data.Length / Q8_0BlockBytes * Q8_0BlockSize];
                    DequantizeQ8_0(data, result);
                    return result;
                }
            default:
                throw new NotSupportedException($"decoding {type} tensors is not implemented");
        }
    }
}
