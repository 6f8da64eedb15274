using System.Buffers.Binary;
using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

public sealed class GgufTensorTests
{
    private static float[] Ramp(int count, float scale = 0.37f) =>
        Enumerable.Range(0, count).Select(i => (i - count / 2) * scale).ToArray();

    [Fact]
    public void F32_F16_and_Q8_0_tensors_read_back_with_their_shape_type_and_data()
    {
        var f32 = Ramp(3 * 5);
        var f16 = Ramp(4 * 2 * 3, 0.011f);
        var q8 = Ramp(64 * 3);
        var writer = new GgufWriter()
            .AddTensor(GgufTensor.FromValues("a.f32", [3, 5], GgmlType.F32, f32))
            .AddTensor(GgufTensor.FromValues("b.f16", [4, 2, 3], GgmlType.F16, f16))
            .AddTensor(GgufTensor.FromValues("c.q8", [64, 3], GgmlType.Q8_0, q8));

        using var reader = GgufTestFiles.Read(GgufTestFiles.Write(writer));

        reader.Tensors.Select(t => t.Name).Should().Equal(["a.f32", "b.f16", "c.q8"]);
        reader.Tensor("a.f32").Shape.Should().Equal([3L, 5L]);
        reader.Tensor("b.f16").Shape.Should().Equal([4L, 2L, 3L]);
        reader.Tensor("c.q8").Type.Should().Be(GgmlType.Q8_0);
        reader.Tensor("c.q8").ByteSize.Should().Be(2 * 3 * 34);

        reader.ReadTensorValues(reader.Tensor("a.f32")).Should().Equal(f32);
        reader.ReadTensorValues(reader.Tensor("b.f16")).Should().Equal(f16.Select(v => (float)(Half)v));

        var expectedQ8 = new byte[2 * 3 * 34];
        GgmlQuantization.QuantizeQ8_0(q8, expectedQ8);
        reader.ReadTensorBytes(reader.Tensor("c.q8")).Should().Equal(expectedQ8);
    }

    [Fact]
    public void Pre_encoded_tensors_of_any_known_type_are_copied_verbatim()
    {
        var q4k = Enumerable.Range(0, 2 * 144).Select(i => (byte)(i * 7)).ToArray();
        var writer = new GgufWriter().AddTensor(GgufTensor.FromEncoded("k", [256, 2], GgmlType.Q4_K, q4k));

        using var reader = GgufTestFiles.Read(GgufTestFiles.Write(writer));

        reader.Tensor("k").Type.Should().Be(GgmlType.Q4_K);
        reader.ReadTensorBytes(reader.Tensor("k")).Should().Equal(q4k);
    }

    [Fact]
    public void The_file_has_the_exact_layout_of_ggml_gguf_write_out()
    {
        var writer = new GgufWriter()
            .Add("a", GgufValue.UInt32(7))
            .AddTensor(GgufTensor.FromValues("t", [2], GgmlType.F32, new[] { 1f, 2f }));

        var expected = GgufBytes.Header(tensors: 1, keys: 1)
            .Str("a").U32(4).U32(7)
            .Str("t").U32(1).U64(2).U32(0).U64(0)
            .PadTo(32)
            .F32(1f).F32(2f)
            .PadTo(32)
            .ToArray();

        expected.Length.Should().Be(128);
        GgufTestFiles.Write(writer).Should().Equal(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(64u)]
    [InlineData(1u)]
    public void Data_section_and_every_tensor_start_on_the_alignment_and_padding_is_zero(uint? alignment)
    {
        var writer = new GgufWriter();
        if (alignment is { } value)
        {
            writer.Add(GgufWriter.AlignmentKey, GgufValue.UInt32(value));
        }

        // Sizes 12, 34, 2 and 4 bytes: none a multiple of 32, so each needs padding.
        writer.Add("odd", GgufValue.String("xyz"))
            .AddTensor(GgufTensor.FromValues("three", [3], GgmlType.F32, new[] { 1f, 2f, 3f }))
            .AddTensor(GgufTensor.FromValues("block", [32], GgmlType.Q8_0, Ramp(32)))
            .AddTensor(GgufTensor.FromValues("one.f16", [1], GgmlType.F16, new[] { 1f }))
            .AddTensor(GgufTensor.FromValues("one", [1], GgmlType.F32, new[] { 5f }));
        var bytes = GgufTestFiles.Write(writer);
        var align = alignment ?? 32u;

        using var reader = GgufTestFiles.Read(bytes);

        reader.Alignment.Should().Be(align);
        (reader.DataOffset % align).Should().Be(0);
        var expectedOffset = 0UL;
        foreach (var tensor in reader.Tensors)
        {
            tensor.Offset.Should().Be(expectedOffset);
            var end = reader.DataOffset + (long)tensor.Offset + tensor.ByteSize;
            var paddedEnd = reader.DataOffset + (long)tensor.Offset + ((tensor.ByteSize + align - 1) / align * align);
            Assert.All(bytes[(int)end..(int)paddedEnd], b => ((int)(b)).Should().Be(0));
            expectedOffset = (ulong)(paddedEnd - reader.DataOffset);
        }

        // The last tensor is padded too, as gguf.cpp does.
        ((long)(bytes.Length)).Should().Be(reader.DataOffset + (long)expectedOffset);
        Assert.Equal([1f, 2f, 3f], reader.ReadTensorValues(reader.Tensor("three")));
        Assert.Equal([5f], reader.ReadTensorValues(reader.Tensor("one")));
    }

    [Fact]
    public void The_same_inputs_give_the_same_bytes()
    {
        GgufWriter Build() => new GgufWriter()
            .Add("k", GgufValue.Strings(["a", "b"]))
            .AddTensor(GgufTensor.FromValues("t", [32, 2], GgmlType.Q8_0, Ramp(64)));

        GgufTestFiles.Write(Build()).Should().Equal(GgufTestFiles.Write(Build()));
    }

    [Fact]
    public void A_file_is_written_atomically_and_replaces_an_existing_one()
    {
        var dir = Directory.CreateTempSubdirectory("gguf-writer-");
        try
        {
            var path = Path.Combine(dir.FullName, "sub", "model.gguf");
            var writer = new GgufWriter().Add("k", GgufValue.UInt8(1));
            writer.WriteToFile(path);
            new GgufWriter().Add("k", GgufValue.UInt8(2)).WriteToFile(path);

            using (var reader = GgufReader.Open(path))
            {
                ((int)(reader["k"].AsUInt8())).Should().Be(2);
            }

            Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Should().Equal(["model.gguf"]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Writing_to_a_stream_starts_counting_alignment_at_its_position_and_leaves_it_open()
    {
        var writer = new GgufWriter().AddTensor(GgufTensor.FromValues("t", [1], GgmlType.F32, new[] { 1f }));
        using var stream = new MemoryStream();
        stream.Write(new byte[5]);

        writer.WriteTo(stream);

        stream.CanWrite.Should().BeTrue();
        stream.ToArray()[5..].Should().Equal(GgufTestFiles.Write(writer));
        BinaryPrimitives.ReadSingleLittleEndian(stream.ToArray().AsSpan(5 + 64)).Should().Be(1f);
    }
}
