using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

public sealed class GgufReaderMalformedInputTests
{
    private static GgufFormatException ReadFails(byte[] bytes)
    {
        var error = FluentActions.Invoking(() => GgufTestFiles.Read(bytes, "broken.gguf")).Should().ThrowExactly<GgufFormatException>().Which;
        error.Source.Should().Be("broken.gguf");
        error.Message.Should().StartWith($"broken.gguf: at offset {error.Offset}: ");
        return error;
    }

    [Fact]
    public void A_wrong_magic_is_reported_at_offset_zero()
    {
        var error = ReadFails("GGML"u8.ToArray().Concat(new byte[20]).ToArray());

        error.Offset.Should().Be(0);
        error.Message.Should().Contain("not a GGUF file");
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    public void Unsupported_versions_are_reported_at_the_version_field(uint version)
    {
        var bytes = new GgufBytes().Raw("GGUF"u8.ToArray()).U32(version).U64(0).U64(0).ToArray();

        var error = ReadFails(bytes);

        error.Offset.Should().Be(4);
        error.Message.Should().Contain($"version {version}");
    }

    [Fact]
    public void A_truncated_file_names_where_it_ended()
    {
        var full = GgufTestFiles.Write(new GgufWriter().Add("key", GgufValue.UInt64(1)));

        // Header 24 + key length 8 + "key" 3 + type 4 = 39; the u64 value needs 8 more bytes.
        var error = ReadFails(full[..42]);

        error.Offset.Should().Be(39);
        error.Message.Should().Contain("unexpected end of file");
    }

    [Fact]
    public void A_string_longer_than_the_file_is_rejected_without_allocating_it()
    {
        var bytes = GgufBytes.Header(0, 1).U64(ulong.MaxValue / 2).ToArray();

        var error = ReadFails(bytes);

        error.Offset.Should().Be(24);
        error.Message.Should().Contain("exceeds the rest of the file");
    }

    [Fact]
    public void An_unknown_value_type_is_reported_at_the_type_field()
    {
        var error = ReadFails(GgufBytes.Header(0, 1).Str("k").U32(13).ToArray());

        error.Offset.Should().Be(24 + 9);
        error.Message.Should().Contain("unknown value type 13");
    }

    [Fact]
    public void A_duplicate_key_is_reported_at_its_second_occurrence()
    {
        var bytes = GgufBytes.Header(0, 2).Str("k").U32(0).Raw(1).Str("k").U32(0).Raw(2).ToArray();

        var error = ReadFails(bytes);

        error.Offset.Should().Be(24 + 9 + 4 + 1);
        error.Message.Should().Contain("duplicate metadata key 'k'");
    }

    [Fact]
    public void A_bool_that_is_neither_zero_nor_one_is_rejected()
    {
        var error = ReadFails(GgufBytes.Header(0, 1).Str("b").U32(7).Raw(2).ToArray());

        error.Offset.Should().Be(24 + 9 + 4);
    }

    [Fact]
    public void An_array_longer_than_the_file_is_rejected()
    {
        var error = ReadFails(GgufBytes.Header(0, 1).Str("a").U32(9).U32(4).U64(1UL << 40).ToArray());

        error.Message.Should().Contain("array length");
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_rejected()
    {
        var error = ReadFails(GgufBytes.Header(0, 1).Str("s").U32(8).U64(2).Raw(0xC3, 0x28).ToArray());

        error.Offset.Should().Be(24 + 9 + 4);
        error.Message.Should().Contain("not valid UTF-8");
    }

    [Fact]
    public void An_alignment_of_the_wrong_type_is_rejected()
    {
        var error = ReadFails(GgufBytes.Header(0, 1).Str(GgufWriter.AlignmentKey).U32(10).U64(32).ToArray());

        error.Message.Should().Contain("must be UInt32");
    }

    private static GgufBytes OneTensor(uint dims, ulong[] shape, uint type, ulong offset = 0) =>
        GgufBytes.Header(1, 0).Str("t").U32(dims).Raw(shape.SelectMany(BitConverter.GetBytes).ToArray()).U32(type).U64(offset);

    [Fact]
    public void Tensor_infos_are_checked_like_ggml_does()
    {
        ReadFails(OneTensor(5, [1, 1, 1, 1, 1], 0).PadTo(32).ToArray()).Message.Should().Contain("5 dimensions");
        ReadFails(OneTensor(1, [32], 4).PadTo(32).ToArray()).Message.Should().Contain("unknown ggml type 4");
        ReadFails(OneTensor(1, [48], 8).PadTo(32).Raw(new byte[64]).ToArray()).Message.Should().Contain("not a multiple of the block size 32");
        ReadFails(OneTensor(1, [8], 0).PadTo(32).Raw(new byte[16]).ToArray()).Message.Should().Contain("ends past the end of the file");
        ReadFails(OneTensor(1, [1], 0, offset: 4).PadTo(32).Raw(new byte[32]).ToArray()).Message.Should().Contain("not a multiple of the alignment");
    }

    [Fact]
    public void A_duplicate_tensor_name_is_rejected()
    {
        var bytes = GgufBytes.Header(2, 0)
            .Str("t").U32(1).U64(1).U32(0).U64(0)
            .Str("t").U32(1).U64(1).U32(0).U64(32)
            .PadTo(32).Raw(new byte[64]).ToArray();

        ReadFails(bytes).Message.Should().Contain("duplicate tensor name 't'");
    }

    [Fact]
    public void A_well_formed_hand_built_file_reads()
    {
        var bytes = OneTensor(2, [2, 1], 0).PadTo(32).F32(1.5f).F32(-2f).PadTo(32).ToArray();

        using var reader = GgufTestFiles.Read(bytes);

        Assert.Equal([1.5f, -2f], reader.ReadTensorValues(reader.Tensor("t")));
    }

    [Fact]
    public void Opening_a_missing_file_throws_file_not_found() =>
        Assert.Throws<FileNotFoundException>(() => GgufReader.Open(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.gguf")));
}
