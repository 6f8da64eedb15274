using System.Globalization;

namespace LocalClaude.Gguf;

/// <summary>
/// One GGUF metadata value: a scalar, a string or an array. Arrays are homogeneous; an array of arrays
/// is allowed by the spec (each inner array carries its own element type), but note that ggml's own
/// loader (<c>gguf.cpp</c>) rejects nested arrays, so llama.cpp will not load a file that has one.
/// Equality is structural and bitwise for floats, so a value read back equals the value written.
/// </summary>
public sealed class GgufValue : IEquatable<GgufValue>
{
    // A boxed primitive, a string, or a GgufValue[] for arrays.
    private readonly object _payload;

    private GgufValue(GgufValueType type, object payload, GgufValueType? elementType = null)
    {
        Type = type;
        _payload = payload;
        ElementType = elementType;
    }

    public GgufValueType Type { get; }

    /// <summary>The element type when <see cref="Type"/> is <see cref="GgufValueType.Array"/>; otherwise null.</summary>
    public GgufValueType? ElementType { get; }

    public static GgufValue UInt8(byte value) => new(GgufValueType.UInt8, value);
    public static GgufValue Int8(sbyte value) => new(GgufValueType.Int8, value);
    public static GgufValue UInt16(ushort value) => new(GgufValueType.UInt16, value);
    public static GgufValue Int16(short value) => new(GgufValueType.Int16, value);
    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Int32(int value) => new(GgufValueType.Int32, value);
    public static GgufValue UInt64(ulong value) => new(GgufValueType.UInt64, value);
    public static GgufValue Int64(long value) => new(GgufValueType.Int64, value);
    public static GgufValue Float32(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Float64(double value) => new(GgufValueType.Float64, value);
    public static GgufValue Bool(bool value) => new(GgufValueType.Bool, value);

    public static GgufValue String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.String, value);
    }

    /// <summary>An array whose items all have type <paramref name="elementType"/>.</summary>
    public static GgufValue Array(GgufValueType elementType, IEnumerable<GgufValue> items)
    {
        if (!Enum.IsDefined(elementType))
        {
            throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "not a GGUF value type");
        }

        ArgumentNullException.ThrowIfNull(items);
        var array = items.ToArray();
        for (var i = 0; i < array.Length; i++)
        {
            if (array[i] is null)
            {
                throw new ArgumentException($"array item {i} is null", nameof(items));
            }

            if (array[i].Type != elementType)
            {
                throw new ArgumentException(
                    $"array of {elementType} has item {i} of type {array[i].Type}", nameof(items));
            }
        }

        return new(GgufValueType.Array, array, elementType);
    }

    public static GgufValue Strings(IEnumerable<string> items) => Array(GgufValueType.String, items.Select(String));
    public static GgufValue Int32s(IEnumerable<int> items) => Array(GgufValueType.Int32, items.Select(Int32));
    public static GgufValue UInt32s(IEnumerable<uint> items) => Array(GgufValueType.UInt32, items.Select(UInt32));
    public static GgufValue Float32s(IEnumerable<float> items) => Array(GgufValueType.Float32, items.Select(Float32));

    public byte AsUInt8() => As<byte>(GgufValueType.UInt8);
    public sbyte AsInt8() => As<sbyte>(GgufValueType.Int8);
    public ushort AsUInt16() => As<ushort>(GgufValueType.UInt16);
    public short AsInt16() => As<short>(GgufValueType.Int16);
    public uint AsUInt32() => As<uint>(GgufValueType.UInt32);
    public int AsInt32() => As<int>(GgufValueType.Int32);
    public ulong AsUInt64() => As<ulong>(GgufValueType.UInt64);
    public long AsInt64() => As<long>(GgufValueType.Int64);
    public float AsFloat32() => As<float>(GgufValueType.Float32);
    public double AsFloat64() => As<double>(GgufValueType.Float64);
    public bool AsBool() => As<bool>(GgufValueType.Bool);
    public string AsString() => As<string>(GgufValueType.String);
    public IReadOnlyList<GgufValue> AsArray() => As<GgufValue[]>(GgufValueType.Array);

    /// <summary>The items of a string array.</summary>
    public IReadOnlyList<string> AsStrings() => ItemsOf(GgufValueType.String).Select(v => v.AsString()).ToArray();

    /// <summary>The items of an int32 array.</summary>
    public IReadOnlyList<int> AsInt32s() => ItemsOf(GgufValueType.Int32).Select(v => v.AsInt32()).ToArray();

    private IReadOnlyList<GgufValue> ItemsOf(GgufValueType elementType)
    {
        var items = AsArray();
        if (ElementType != elementType)
        {
            throw new InvalidOperationException($"value is an array of {ElementType}, not of {elementType}");
        }

        return items;
    }

    private T As<T>(GgufValueType expected)
    {
        if (Type != expected)
        {
            throw new InvalidOperationException($"value is {Type}, not {expected}");
        }

        return (T)_payload;
    }

    public bool Equals(GgufValue? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.Type != Type || other.ElementType != ElementType)
        {
            return false;
        }

        return (_payload, other._payload) switch
        {
            (float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b),
            (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
            (GgufValue[] a, GgufValue[] b) => a.AsSpan().SequenceEqual(b),
            var (a, b) => a.Equals(b),
        };
    }

    public override bool Equals(object? obj) => Equals(obj as GgufValue);

    public override int GetHashCode() => _payload switch
    {
        // Arrays can be huge (a vocabulary): hash the shape, not the items.
        GgufValue[] items => HashCode.Combine(Type, ElementType, items.Length),
        float f => HashCode.Combine(Type, BitConverter.SingleToInt32Bits(f)),
        double d => HashCode.Combine(Type, BitConverter.DoubleToInt64Bits(d)),
        var other => HashCode.Combine(Type, other),
    };

    public override string ToString() => _payload switch
    {
        GgufValue[] items => $"array<{ElementType}>[{items.Length}]",
        string s => $"string \"{(s.Length > 80 ? s[..80] + "…" : s)}\"",
        IFormattable f => $"{Type} {f.ToString(null, CultureInfo.InvariantCulture)}",
        var other => $"{Type} {other}",
    };
}
