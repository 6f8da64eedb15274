using System.Text;

namespace LocalClaude.Gguf;

/// <summary>
/// A tensor to write: name, shape (innermost dimension first, as ggml's <c>ne</c>), type and data.
/// Data is either floats that the writer encodes (F32, F16, Q8_0) or bytes already in the type's encoding.
/// The memory is not copied: leave it unchanged until the file is written.
/// </summary>
public sealed class GgufTensor
{
    /// <summary>ggml's <c>GGML_MAX_NAME</c> counts the terminating zero.</summary>
    public const int MaxNameBytes = 63;

    /// <summary>ggml's <c>GGML_MAX_DIMS</c>.</summary>
    public const int MaxDimensions = 4;

    private readonly ReadOnlyMemory<float> _values;
    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly bool _isEncoded;

    private GgufTensor(string name, long[] shape, GgmlType type, ReadOnlyMemory<float> values, ReadOnlyMemory<byte> encoded, bool isEncoded)
    {
        Name = name;
        Shape = shape;
        Type = type;
        ElementCount = shape.Aggregate(1L, (a, b) => checked(a * b));
        ByteSize = GgmlTypeLayout.Of(type).BytesFor(ElementCount);
        _values = values;
        _encoded = encoded;
        _isEncoded = isEncoded;
    }

    public string Name { get; }

    /// <summary>Dimensions, innermost (row length) first.</summary>
    public IReadOnlyList<long> Shape { get; }

    public GgmlType Type { get; }

    public long ElementCount { get; }

    /// <summary>Encoded size in bytes, without alignment padding.</summary>
    public long ByteSize { get; }

    /// <summary>A tensor given as floats, encoded as <paramref name="type"/> (F32, F16 or Q8_0) when written.</summary>
    public static GgufTensor FromValues(string name, IReadOnlyList<long> shape, GgmlType type, ReadOnlyMemory<float> values)
    {
        if (type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0))
        {
            throw new ArgumentException(
                $"tensor '{name}': encoding floats as {type} is not supported (F32, F16, Q8_0 are)", nameof(type));
        }

        var checkedShape = Validate(name, shape, type);
        var count = checkedShape.Aggregate(1L, (a, b) => checked(a * b));
        if (values.Length != count)
        {
            throw new ArgumentException(
                $"tensor '{name}': shape [{string.Join(", ", checkedShape)}] has {count} elements but {values.Length} values were given",
                nameof(values));
        }

        // Fail here rather than halfway through writing a file.
        var span = values.Span;
        for (var i = 0; i < span.Length; i++)
        {
            if (type == GgmlType.Q8_0 && !float.IsFinite(span[i]))
            {
                throw new ArgumentException($"tensor '{name}': Q8_0 cannot encode the non-finite value {span[i]} at index {i}", nameof(values));
            }

            if (type == GgmlType.F16 && float.IsFinite(span[i]) && Half.IsInfinity((Half)span[i]))
            {
                throw new ArgumentException($"tensor '{name}': F16 cannot hold {span[i]} at index {i} (outside ±65504)", nameof(values));
            }
        }

        return new GgufTensor(name, checkedShape, type, values, default, isEncoded: false);
    }

    /// <summary>A tensor whose bytes are already in <paramref name="type"/>'s encoding (any known ggml type).</summary>
    public static GgufTensor FromEncoded(string name, IReadOnlyList<long> shape, GgmlType type, ReadOnlyMemory<byte> data)
    {
        var checkedShape = Validate(name, shape, type);
        var count = checkedShape.Aggregate(1L, (a, b) => checked(a * b));
        var expected = GgmlTypeLayout.Of(type).BytesFor(count);
        if (data.Length != expected)
        {
            throw new ArgumentException(
                $"tensor '{name}': {type} [{string.Join(", ", checkedShape)}] takes {expected} bytes but {data.Length} were given",
                nameof(data));
        }

        return new GgufTensor(name, checkedShape, type, default, data, isEncoded: true);
    }

    private static long[] Validate(string name, IReadOnlyList<long> shape, GgmlType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name.Length == 0)
        {
            throw new ArgumentException("tensor name is empty", nameof(name));
        }

        if (GgufStrings.Utf8.GetByteCount(name) > MaxNameBytes)
        {
            throw new ArgumentException($"tensor name '{name}' is longer than {MaxNameBytes} UTF-8 bytes", nameof(name));
        }

        if (!GgmlTypeLayout.TryGet(type, out var layout))
        {
            throw new ArgumentException($"tensor '{name}': unknown ggml type {(uint)type}", nameof(type));
        }

        if (shape.Count is < 1 or > MaxDimensions)
        {
            throw new ArgumentException(
                $"tensor '{name}': {shape.Count} dimensions; 1 to {MaxDimensions} are allowed", nameof(shape));
        }

        var copy = shape.ToArray();
        if (copy.Any(d => d < 1))
        {
            throw new ArgumentException(
                $"tensor '{name}': every dimension must be at least 1; got [{string.Join(", ", copy)}]", nameof(shape));
        }

        if (copy[0] % layout.BlockSize != 0)
        {
            throw new ArgumentException(
                $"tensor '{name}': {type} packs {layout.BlockSize} values per block, so rows (Shape[0]) must be a multiple of {layout.BlockSize}; got {copy[0]}",
                nameof(shape));
        }

        return copy;
    }

    /// <summary>Writes the encoded bytes in chunks so that a large tensor needs no second full-size buffer.</summary>
    internal void WriteData(Stream destination)
    {
        if (_isEncoded)
        {
            destination.Write(_encoded.Span);
            return;
        }

        // A multiple of the Q8_0 block size, so chunks never split a block.
        const int chunkValues = 32 * 4096;
        var buffer = new byte[GgmlTypeLayout.Of(GgmlType.F32).BytesFor(chunkValues)];
        for (var start = 0; start < _values.Length; start += chunkValues)
        {
            var chunk = _values.Span.Slice(start, Math.Min(chunkValues, _values.Length - start));
            var bytes = (int)GgmlTypeLayout.Of(Type).BytesFor(chunk.Length);
            var span = buffer.AsSpan(0, bytes);
            try
            {
                switch (Type)
                {
                    case GgmlType.F32: GgmlQuantization.EncodeF32(chunk, span); break;
                    case GgmlType.F16: GgmlQuantization.EncodeF16(chunk, span); break;
                    case GgmlType.Q8_0: GgmlQuantization.QuantizeQ8_0(chunk, span); break;
                    default: throw new InvalidOperationException($"unexpected type {Type}");
                }
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"tensor '{Name}' at value offset {start}: {e.Message}", e);
            }

            destination.Write(span);
        }
    }
}

internal static class GgufStrings
{
    /// <summary>Strict UTF-8: lone surrogates and invalid bytes throw instead of becoming U+FFFD.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
