using System.Buffers.Binary;
using System.Text;

namespace LocalClaude.Gguf;

/// <summary>
/// Reads a GGUF (v2 or v3) header: metadata of every type, tensor infos, and on request a tensor's bytes.
/// Malformed input raises <see cref="GgufFormatException"/> naming the file and the offset.
/// </summary>
public sealed class GgufReader : IDisposable
{
    // Nested arrays recurse; a hostile file must not overflow the stack.
    private const int MaxArrayDepth = 16;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Dictionary<string, GgufValue> _metadataByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName = new(StringComparer.Ordinal);
    private readonly byte[] _scratch = new byte[8];

    /// <summary>Parses the header of a seekable stream; <paramref name="sourceName"/> appears in error messages.</summary>
    public GgufReader(Stream stream, string sourceName, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("the stream must be readable and seekable", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        SourceName = sourceName;
        try
        {
            (Version, Metadata, Tensors, Alignment, DataOffset) = ReadHeader();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string SourceName { get; }

    public uint Version { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; }

    /// <summary>Tensor infos in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    public uint Alignment { get; }

    /// <summary>Absolute position of the (aligned) tensor data section.</summary>
    public long DataOffset { get; }

    public static GgufReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), path);

    public GgufValue this[string key] =>
        _metadataByKey.TryGetValue(key, out var value)
            ? value
            : throw new KeyNotFoundException($"{SourceName}: no metadata key '{key}'");

    public bool TryGetValue(string key, out GgufValue value) => _metadataByKey.TryGetValue(key, out value!);

    public GgufTensorInfo Tensor(string name) =>
        _tensorsByName.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"{SourceName}: no tensor '{name}'");

    /// <summary>The tensor's encoded bytes, without padding.</summary>
    public byte[] ReadTensorBytes(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var bytes = new byte[checked((int)tensor.ByteSize)];
        var position = DataOffset + (long)tensor.Offset;
        _stream.Position = position;
        try
        {
            _stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw Error(position, $"tensor '{tensor.Name}' runs past the end of the file", e);
        }

        return bytes;
    }

    /// <summary>The tensor decoded to floats (F32, F16, BF16, Q8_0).</summary>
    public float[] ReadTensorValues(GgufTensorInfo tensor) => GgmlQuantization.Decode(tensor.Type, ReadTensorBytes(tensor));

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private (uint, IReadOnlyList<KeyValuePair<string, GgufValue>>, IReadOnlyList<GgufTensorInfo>, uint, long) ReadHeader()
    {
        _stream.Position = 0;
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(magic, "the magic");
        if (!magic.SequenceEqual("GGUF"u8))
        {
            throw Error(0, $"not a GGUF file: magic is {Convert.ToHexString(magic)}, expected 47475546 (\"GGUF\")");
        }

        var versionOffset = _stream.Position;
        var version = ReadUInt32("the version");
        if (version is not (2 or 3))
        {
            throw Error(versionOffset, $"GGUF version {version} is not supported (2 and 3 are)");
        }

        var countsOffset = _stream.Position;
        var tensorCount = ReadUInt64("the tensor count");
        var metadataCount = ReadUInt64("the metadata count");

        // Every entry takes at least a few bytes: larger counts are corrupt, not merely big.
        if (tensorCount > (ulong)Remaining || metadataCount > (ulong)Remaining)
        {
            throw Error(countsOffset, $"tensor count {tensorCount} or metadata count {metadataCount} exceeds the file size");
        }

        var metadata = new List<KeyValuePair<string, GgufValue>>((int)metadataCount);
        for (var i = 0UL; i < metadataCount; i++)
        {
            var keyOffset = _stream.Position;
            var key = ReadString($"metadata key {i}");
            if (key.Length == 0)
            {
                throw Error(keyOffset, $"metadata key {i} is empty");
            }

            if (_metadataByKey.ContainsKey(key))
            {
                throw Error(keyOffset, $"duplicate metadata key '{key}'");
            }

            var type = ReadValueType($"the type of '{key}'");
            var value = ReadValue(type, key, depth: 0);
            _metadataByKey.Add(key, value);
            metadata.Add(new(key, value));
        }

        var alignment = GgufWriter.DefaultAlignment;
        if (_metadataByKey.TryGetValue(GgufWriter.AlignmentKey, out var alignmentValue))
        {
            if (alignmentValue.Type != GgufValueType.UInt32)
            {
                throw Error(_stream.Position, $"{GgufWriter.AlignmentKey} is {alignmentValue.Type}, must be UInt32");
            }

            alignment = alignmentValue.AsUInt32();
            if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            {
                throw Error(_stream.Position, $"{GgufWriter.AlignmentKey} {alignment} is not a power of two");
            }
        }

        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        for (var i = 0UL; i < tensorCount; i++)
        {
            tensors.Add(ReadTensorInfo(i));
        }

        var dataOffset = GgufWriter.PaddedSize(_stream.Position, alignment);
        foreach (var tensor in tensors)
        {
            if (tensor.Offset % alignment != 0)
            {
                throw Error(dataOffset, $"tensor '{tensor.Name}' has offset {tensor.Offset}, not a multiple of the alignment {alignment}");
            }

            var end = (decimal)dataOffset + tensor.Offset + tensor.ByteSize;
            if (end > _stream.Length)
            {
                throw Error(dataOffset, $"tensor '{tensor.Name}' ({tensor.ByteSize} bytes at data offset {tensor.Offset}) ends past the end of the file ({_stream.Length} bytes)");
            }
        }

        return (version, metadata, tensors, alignment, dataOffset);
    }

    private GgufTensorInfo ReadTensorInfo(ulong index)
    {
        var nameOffset = _stream.Position;
        var name = ReadString($"the name of tensor {index}");
        if (name.Length == 0)
        {
            throw Error(nameOffset, $"tensor {index} has an empty name");
        }

        if (Encoding.UTF8.GetByteCount(name) > GgufTensor.MaxNameBytes)
        {
            throw Error(nameOffset, $"tensor name '{name}' is longer than {GgufTensor.MaxNameBytes} bytes");
        }

        if (_tensorsByName.ContainsKey(name))
        {
            throw Error(nameOffset, $"duplicate tensor name '{name}'");
        }

        var dimensionsOffset = _stream.Position;
        var dimensionCount = ReadUInt32($"the dimension count of '{name}'");
        if (dimensionCount is < 1 or > GgufTensor.MaxDimensions)
        {
            throw Error(dimensionsOffset, $"tensor '{name}' has {dimensionCount} dimensions; 1 to {GgufTensor.MaxDimensions} are allowed");
        }

        var shape = new long[dimensionCount];
        var elements = 1m;
        for (var d = 0; d < shape.Length; d++)
        {
            var dimension = ReadUInt64($"dimension {d} of '{name}'");
            elements *= dimension;
            if (dimension > long.MaxValue || elements > long.MaxValue)
            {
                throw Error(dimensionsOffset, $"tensor '{name}' has too many elements");
            }

            shape[d] = (long)dimension;
        }

        var typeOffset = _stream.Position;
        var type = (GgmlType)ReadUInt32($"the type of '{name}'");
        if (!GgmlTypeLayout.TryGet(type, out var layout))
        {
            throw Error(typeOffset, $"tensor '{name}' has unknown ggml type {(uint)type}");
        }

        if (shape[0] % layout.BlockSize != 0)
        {
            throw Error(typeOffset, $"tensor '{name}' of type {type} has rows of {shape[0]}, not a multiple of the block size {layout.BlockSize}");
        }

        var offset = ReadUInt64($"the data offset of '{name}'");
        var info = new GgufTensorInfo(name, shape, type, offset);
        _tensorsByName.Add(name, info);
        return info;
    }

    private GgufValueType ReadValueType(string what)
    {
        var offset = _stream.Position;
        var raw = ReadUInt32(what);
        var type = (GgufValueType)raw;
        if (!Enum.IsDefined(type))
        {
            throw Error(offset, $"{what}: unknown value type {raw}");
        }

        return type;
    }

    private GgufValue ReadValue(GgufValueType type, string key, int depth)
    {
        switch (type)
        {
            case GgufValueType.UInt8: return GgufValue.UInt8(Read(1, key)[0]);
            case GgufValueType.Int8: return GgufValue.Int8(unchecked((sbyte)Read(1, key)[0]));
            case GgufValueType.UInt16: return GgufValue.UInt16(BinaryPrimitives.ReadUInt16LittleEndian(Read(2, key)));
            case GgufValueType.Int16: return GgufValue.Int16(BinaryPrimitives.ReadInt16LittleEndian(Read(2, key)));
            case GgufValueType.UInt32: return GgufValue.UInt32(BinaryPrimitives.ReadUInt32LittleEndian(Read(4, key)));
            case GgufValueType.Int32: return GgufValue.Int32(BinaryPrimitives.ReadInt32LittleEndian(Read(4, key)));
            case GgufValueType.UInt64: return GgufValue.UInt64(BinaryPrimitives.ReadUInt64LittleEndian(Read(8, key)));
            case GgufValueType.Int64: return GgufValue.Int64(BinaryPrimitives.ReadInt64LittleEndian(Read(8, key)));
            case GgufValueType.Float32: return GgufValue.Float32(BinaryPrimitives.ReadSingleLittleEndian(Read(4, key)));
            case GgufValueType.Float64: return GgufValue.Float64(BinaryPrimitives.ReadDoubleLittleEndian(Read(8, key)));
            case GgufValueType.Bool:
                {
                    var offset = _stream.Position;
                    var raw = Read(1, key)[0];
                    return raw switch
                    {
                        0 => GgufValue.Bool(false),
                        1 => GgufValue.Bool(true),
                        _ => throw Error(offset, $"'{key}': bool byte is {raw}, not 0 or 1"),
                    };
                }
            case GgufValueType.String: return GgufValue.String(ReadString($"the value of '{key}'"));
            case GgufValueType.Array:
                {
                    var offset = _stream.Position;
                    if (depth >= MaxArrayDepth)
                    {
                        throw Error(offset, $"'{key}': arrays nested deeper than {MaxArrayDepth}");
                    }

                    var elementType = ReadValueType($"the element type of '{key}'");
                    var count = ReadUInt64($"the length of '{key}'");

                    // Each item takes at least one byte.
                    if (count > (ulong)Remaining)
                    {
                        throw Error(offset, $"'{key}': array length {count} exceeds the rest of the file ({Remaining} bytes)");
                    }

                    var items = new GgufValue[count];
                    for (var i = 0UL; i < count; i++)
                    {
                        items[i] = ReadValue(elementType, key, depth + 1);
                    }

                    return GgufValue.Array(elementType, items);
                }
            default:
                throw new InvalidOperationException($"unexpected value type {type}");
        }
    }

    private long Remaining => _stream.Length - _stream.Position;

    private ReadOnlySpan<byte> Read(int size, string what)
    {
        var span = _scratch.AsSpan(0, size);
        ReadExactly(span, $"the value of '{what}'");
        return span;
    }

    private uint ReadUInt32(string what)
    {
        var span = _scratch.AsSpan(0, 4);
        ReadExactly(span, what);
        return BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    private ulong ReadUInt64(string what)
    {
        var span = _scratch.AsSpan(0, 8);
        ReadExactly(span, what);
        return BinaryPrimitives.ReadUInt64LittleEndian(span);
    }

    private string ReadString(string what)
    {
        var offset = _stream.Position;
        var length = ReadUInt64($"the length of {what}");
        if (length > (ulong)Remaining)
        {
            throw Error(offset, $"{what}: string length {length} exceeds the rest of the file ({Remaining} bytes)");
        }

        var bytes = new byte[length];
        ReadExactly(bytes, what);
        try
        {
            return GgufStrings.Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Error(offset, $"{what} is not valid UTF-8", e);
        }
    }

    private void ReadExactly(Span<byte> destination, string what)
    {
        var offset = _stream.Position;
        try
        {
            _stream.ReadExactly(destination);
        }
        catch (EndOfStreamException e)
        {
            throw Error(offset, $"unexpected end of file reading {what} ({destination.Length} bytes needed, {Math.Max(0, _stream.Length - offset)} left)", e);
        }
    }

    private GgufFormatException Error(long offset, string detail, Exception? inner = null) =>
        new(SourceName, offset, detail, inner);
}
