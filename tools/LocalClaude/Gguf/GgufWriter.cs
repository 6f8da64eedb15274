using System.Buffers.Binary;

namespace LocalClaude.Gguf;

/// <summary>
/// Builds a GGUF v3 file: metadata in insertion order, then tensor infos, then tensor data, laid out
/// as ggml's <c>gguf_write_out</c> does (data section and every tensor padded with zeros to the
/// alignment). The same inputs always give the same bytes.
/// </summary>
public sealed class GgufWriter
{
    public const uint Version = 3;
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";

    private static readonly byte[] Magic = "GGUF"u8.ToArray();

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly Dictionary<string, int> _metadataIndex = new(StringComparer.Ordinal);
    private readonly List<GgufTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata => _metadata;

    public IReadOnlyList<GgufTensor> Tensors => _tensors;

    /// <summary>From <c>general.alignment</c> when set, else 32.</summary>
    public uint Alignment =>
        _metadataIndex.TryGetValue(AlignmentKey, out var i) ? _metadata[i].Value.AsUInt32() : DefaultAlignment;

    /// <summary>Adds a metadata entry; a key may appear once.</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Length == 0)
        {
            throw new ArgumentException("metadata key is empty", nameof(key));
        }

        if (_metadataIndex.ContainsKey(key))
        {
            throw new ArgumentException($"metadata key '{key}' is already set", nameof(key));
        }

        ValidateStrings(key, value);
        if (key == AlignmentKey)
        {
            ValidateAlignment(value);
        }

        _metadataIndex.Add(key, _metadata.Count);
        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>Replaces the value of an existing key in place (keeping its position), or adds it.</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        if (!_metadataIndex.TryGetValue(key, out var index))
        {
            return Add(key, value);
        }

        ArgumentNullException.ThrowIfNull(value);
        ValidateStrings(key, value);
        if (key == AlignmentKey)
        {
            ValidateAlignment(value);
        }

        _metadata[index] = new(key, value);
        return this;
    }

    /// <summary>Adds a tensor; names are unique.</summary>
    public GgufWriter AddTensor(GgufTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_tensorNames.Add(tensor.Name))
        {
            throw new ArgumentException($"tensor '{tensor.Name}' is already added", nameof(tensor));
        }

        _tensors.Add(tensor);
        return this;
    }

    /// <summary>Writes the file to <paramref name="destination"/> from its current position; positions in the file are counted from there.</summary>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var alignment = Alignment;
        // Not disposed: that would close the caller's stream.
        var buffered = new BufferedStream(destination, 1 << 16);
        var output = new CountingStream(buffered);

        output.Write(Magic);
        WriteUInt32(output, Version);
        WriteUInt64(output, (ulong)_tensors.Count);
        WriteUInt64(output, (ulong)_metadata.Count);

        foreach (var (key, value) in _metadata)
        {
            WriteString(output, key);
            WriteUInt32(output, (uint)value.Type);
            WriteValueBody(output, value);
        }

        var offset = 0L;
        foreach (var tensor in _tensors)
        {
            WriteString(output, tensor.Name);
            WriteUInt32(output, (uint)tensor.Shape.Count);
            foreach (var dimension in tensor.Shape)
            {
                WriteUInt64(output, (ulong)dimension);
            }

            WriteUInt32(output, (uint)tensor.Type);
            WriteUInt64(output, (ulong)offset);
            offset += PaddedSize(tensor.ByteSize, alignment);
        }

        Pad(output, alignment);
        foreach (var tensor in _tensors)
        {
            var before = output.Count;
            tensor.WriteData(output);
            if (output.Count - before != tensor.ByteSize)
            {
                throw new InvalidOperationException(
                    $"tensor '{tensor.Name}' wrote {output.Count - before} bytes; {tensor.ByteSize} expected");
            }

            Pad(output, alignment);
        }

        buffered.Flush();
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/> and renames it over the target, so readers never see half a file.</summary>
    public void WriteToFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteTo(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    internal static long PaddedSize(long size, uint alignment) => (size + alignment - 1) / alignment * alignment;

    private static void ValidateAlignment(GgufValue value)
    {
        if (value.Type != GgufValueType.UInt32)
        {
            throw new ArgumentException($"{AlignmentKey} must be a UInt32, not {value.Type}", nameof(value));
        }

        var alignment = value.AsUInt32();
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentException($"{AlignmentKey} must be a power of two; got {alignment}", nameof(value));
        }
    }

    // Fail at Add time rather than halfway through writing: strict UTF-8 rejects lone surrogates.
    private static void ValidateStrings(string key, GgufValue value)
    {
        try
        {
            GgufStrings.Utf8.GetByteCount(key);
            if (value.Type == GgufValueType.String)
            {
                GgufStrings.Utf8.GetByteCount(value.AsString());
            }
            else if (value.Type == GgufValueType.Array && value.ElementType is GgufValueType.String or GgufValueType.Array)
            {
                foreach (var item in value.AsArray())
                {
                    ValidateStrings(key, item);
                }
            }
        }
        catch (System.Text.EncoderFallbackException e)
        {
            throw new ArgumentException($"metadata key '{key}': a string is not valid UTF-16 ({e.Message})", nameof(value), e);
        }
    }

    private static void WriteValueBody(Stream output, GgufValue value)
    {
        switch (value.Type)
        {
            case GgufValueType.UInt8: output.WriteByte(value.AsUInt8()); break;
            case GgufValueType.Int8: output.WriteByte(unchecked((byte)value.AsInt8())); break;
            case GgufValueType.UInt16: WriteLittleEndian(output, value.AsUInt16(), BinaryPrimitives.WriteUInt16LittleEndian); break;
            case GgufValueType.Int16: WriteLittleEndian(output, value.AsInt16(), BinaryPrimitives.WriteInt16LittleEndian); break;
            case GgufValueType.UInt32: WriteUInt32(output, value.AsUInt32()); break;
            case GgufValueType.Int32: WriteLittleEndian(output, value.AsInt32(), BinaryPrimitives.WriteInt32LittleEndian); break;
            case GgufValueType.UInt64: WriteUInt64(output, value.AsUInt64()); break;
            case GgufValueType.Int64: WriteLittleEndian(output, value.AsInt64(), BinaryPrimitives.WriteInt64LittleEndian); break;
            case GgufValueType.Float32: WriteLittleEndian(output, value.AsFloat32(), BinaryPrimitives.WriteSingleLittleEndian); break;
            case GgufValueType.Float64: WriteLittleEndian(output, value.AsFloat64(), BinaryPrimitives.WriteDoubleLittleEndian); break;
            case GgufValueType.Bool: output.WriteByte(value.AsBool() ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(output, value.AsString()); break;
            case GgufValueType.Array:
                {
                    // An array is its element type, its length, then the bare items; an inner array is again type, length, items.
                    var items = value.AsArray();
                    WriteUInt32(output, (uint)value.ElementType!.Value);
                    WriteUInt64(output, (ulong)items.Count);
                    foreach (var item in items)
                    {
                        WriteValueBody(output, item);
                    }

                    break;
                }
            default:
                throw new InvalidOperationException($"unexpected value type {value.Type}");
        }
    }

    private delegate void SpanWriter<in T>(Span<byte> destination, T value);

    private static void WriteLittleEndian<T>(Stream output, T value, SpanWriter<T> write)
        where T : unmanaged
    {
        Span<byte> buffer = stackalloc byte[8];
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        write(buffer[..size], value);
        output.Write(buffer[..size]);
    }

    private static void WriteUInt32(Stream output, uint value) =>
        WriteLittleEndian(output, value, BinaryPrimitives.WriteUInt32LittleEndian);

    private static void WriteUInt64(Stream output, ulong value) =>
        WriteLittleEndian(output, value, BinaryPrimitives.WriteUInt64LittleEndian);

    private static void WriteString(Stream output, string value)
    {
        var bytes = GgufStrings.Utf8.GetBytes(value);
        WriteUInt64(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void Pad(CountingStream output, uint alignment)
    {
        var padding = PaddedSize(output.Count, alignment) - output.Count;
        for (var i = 0; i < padding; i++)
        {
            output.WriteByte(0);
        }
    }

    /// <summary>Counts bytes written, so alignment works on streams that cannot tell their position.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Count += buffer.Length;
        }

        public override void WriteByte(byte value)
        {
            inner.WriteByte(value);
            Count++;
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
