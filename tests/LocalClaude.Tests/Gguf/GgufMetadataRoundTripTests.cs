using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

public sealed class GgufMetadataRoundTripTests
{
    private static readonly (string Key, GgufValue Value)[] EveryType =
    [
        ("u8", GgufValue.UInt8(byte.MaxValue)),
        ("i8", GgufValue.Int8(sbyte.MinValue)),
        ("u16", GgufValue.UInt16(ushort.MaxValue)),
        ("i16", GgufValue.Int16(short.MinValue)),
        ("u32", GgufValue.UInt32(uint.MaxValue)),
        ("i32", GgufValue.Int32(int.MinValue)),
        ("u64", GgufValue.UInt64(ulong.MaxValue)),
        ("i64", GgufValue.Int64(long.MinValue)),
        ("f32", GgufValue.Float32(-1.5e-7f)),
        ("f32.nan", GgufValue.Float32(BitConverter.Int32BitsToSingle(0x7FC0_1234))),
        ("f32.negzero", GgufValue.Float32(-0f)),
        ("f64", GgufValue.Float64(Math.PI)),
        ("bool.true", GgufValue.Bool(true)),
        ("bool.false", GgufValue.Bool(false)),
        ("string", GgufValue.String("héllo <|im_end|> 🦙\n\0end")),
        ("string.empty", GgufValue.String("")),
        ("arr.u8", GgufValue.Array(GgufValueType.UInt8, [GgufValue.UInt8(0), GgufValue.UInt8(255)])),
        ("arr.i8", GgufValue.Array(GgufValueType.Int8, [GgufValue.Int8(-1)])),
        ("arr.u16", GgufValue.Array(GgufValueType.UInt16, [GgufValue.UInt16(513)])),
        ("arr.i16", GgufValue.Array(GgufValueType.Int16, [GgufValue.Int16(-513)])),
        ("arr.u32", GgufValue.UInt32s([1, 2, 3])),
        ("arr.i32", GgufValue.Int32s([-1, 0, int.MaxValue])),
        ("arr.u64", GgufValue.Array(GgufValueType.UInt64, [GgufValue.UInt64(1UL << 40)])),
        ("arr.i64", GgufValue.Array(GgufValueType.Int64, [GgufValue.Int64(-(1L << 40))])),
        ("arr.f32", GgufValue.Float32s([0.1f, float.NegativeInfinity])),
        ("arr.f64", GgufValue.Array(GgufValueType.Float64, [GgufValue.Float64(double.Epsilon)])),
        ("arr.bool", GgufValue.Array(GgufValueType.Bool, [GgufValue.Bool(true), GgufValue.Bool(false)])),
        ("arr.string", GgufValue.Strings(["a", "", "ü"])),
        ("arr.empty", GgufValue.Array(GgufValueType.Float32, [])),
        ("arr.nested", GgufValue.Array(GgufValueType.Array,
        [
            GgufValue.Strings(["x", "y"]),
            GgufValue.Int32s([7]),
            GgufValue.Array(GgufValueType.Array, [GgufValue.Array(GgufValueType.Bool, [])]),
        ])),
    ];

    [Fact]
    public void Every_metadata_type_reads_back_equal_and_in_order()
    {
        var writer = new GgufWriter();
        foreach (var (key, value) in EveryType)
        {
            writer.Add(key, value);
        }

        using var reader = GgufTestFiles.Read(GgufTestFiles.Write(writer));

        reader.Version.Should().Be(3u);
        reader.Tensors.Should().BeEmpty();
        reader.Metadata.Select(kv => kv.Key).Should().Equal(EveryType.Select(e => e.Key));
        foreach (var (key, value) in EveryType)
        {
            reader[key].Should().Be(value);
        }
    }

    [Fact]
    public void Typed_accessors_return_the_values_written()
    {
        using var reader = GgufTestFiles.Read(GgufTestFiles.Write(
            EveryType.Aggregate(new GgufWriter(), (w, e) => w.Add(e.Key, e.Value))));

        reader["u8"].AsUInt8().Should().Be(byte.MaxValue);
        reader["i8"].AsInt8().Should().Be(sbyte.MinValue);
        reader["u16"].AsUInt16().Should().Be(ushort.MaxValue);
        reader["i16"].AsInt16().Should().Be(short.MinValue);
        reader["u32"].AsUInt32().Should().Be(uint.MaxValue);
        reader["i32"].AsInt32().Should().Be(int.MinValue);
        reader["u64"].AsUInt64().Should().Be(ulong.MaxValue);
        reader["i64"].AsInt64().Should().Be(long.MinValue);
        reader["f32"].AsFloat32().Should().Be(-1.5e-7f);
        BitConverter.SingleToInt32Bits(reader["f32.nan"].AsFloat32()).Should().Be(0x7FC0_1234);
        float.IsNegative(reader["f32.negzero"].AsFloat32()).Should().BeTrue();
        reader["f64"].AsFloat64().Should().Be(Math.PI);
        reader["bool.true"].AsBool().Should().BeTrue();
        reader["bool.false"].AsBool().Should().BeFalse();
        reader["string"].AsString().Should().Be("héllo <|im_end|> 🦙\n\0end");
        reader["arr.string"].AsStrings().Should().Equal(["a", "", "ü"]);
        reader["arr.i32"].AsInt32s().Should().Equal([-1, 0, int.MaxValue]);
        var nested = reader["arr.nested"].AsArray();
        reader["arr.nested"].ElementType.Should().Be(GgufValueType.Array);
        nested[0].AsStrings().Should().Equal(["x", "y"]);
        nested[2].AsArray()[0].ElementType.Should().Be(GgufValueType.Bool);
        FluentActions.Invoking(() => reader["u8"].AsUInt32()).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => reader["arr.u32"].AsInt32s()).Should().ThrowExactly<InvalidOperationException>();
    }

    [Fact]
    public void Scalars_and_arrays_have_the_byte_layout_of_the_spec()
    {
        var writer = new GgufWriter()
            .Add("b", GgufValue.Bool(true))
            .Add("s", GgufValue.String("hi"))
            .Add("a", GgufValue.Array(GgufValueType.Array, [GgufValue.Array(GgufValueType.Int16, [GgufValue.Int16(-2)])]));

        var expected = GgufBytes.Header(tensors: 0, keys: 3)
            .Str("b").U32(7).Raw(1)
            .Str("s").U32(8).Str("hi")
            .Str("a").U32(9).U32(9).U64(1).U32(3).U64(1).Raw(0xFE, 0xFF)
            .PadTo(32)
            .ToArray();

        GgufTestFiles.Write(writer).Should().Equal(expected);
    }
}
