using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

public sealed class GgufWriterValidationTests
{
    [Fact]
    public void Q8_0_rows_that_are_not_a_multiple_of_32_are_rejected()
    {
        var error = FluentActions.Invoking(() =>
            GgufTensor.FromValues("w", [48, 2], GgmlType.Q8_0, new float[96])).Should().ThrowExactly<ArgumentException>().Which;

        error.Message.Should().Contain("'w'");
        error.Message.Should().Contain("multiple of 32");
    }

    [Fact]
    public void Duplicate_keys_and_tensor_names_are_rejected()
    {
        var writer = new GgufWriter()
            .Add("k", GgufValue.UInt8(1))
            .AddTensor(GgufTensor.FromValues("t", [1], GgmlType.F32, new[] { 1f }));

        FluentActions.Invoking(() => writer.Add("k", GgufValue.UInt8(2))).Should().ThrowExactly<ArgumentException>().Which.Message.Should().Contain("'k'");
        FluentActions.Invoking(() =>
            writer.AddTensor(GgufTensor.FromValues("t", [1], GgmlType.F32, new[] { 2f }))).Should().ThrowExactly<ArgumentException>().Which.Message.Should().Contain("'t'");
    }

    [Fact]
    public void Set_replaces_a_value_in_place()
    {
        var writer = new GgufWriter().Add("a", GgufValue.UInt8(1)).Add("b", GgufValue.UInt8(2));

        writer.Set("a", GgufValue.String("x"));

        writer.Metadata.Select(kv => kv.Key).Should().Equal(["a", "b"]);
        writer.Metadata[0].Value.AsString().Should().Be("x");
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(48u)]
    public void An_alignment_that_is_not_a_power_of_two_is_rejected(uint alignment) =>
        Assert.Throws<ArgumentException>(() => new GgufWriter().Add(GgufWriter.AlignmentKey, GgufValue.UInt32(alignment)));

    [Fact]
    public void An_alignment_that_is_not_uint32_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new GgufWriter().Add(GgufWriter.AlignmentKey, GgufValue.UInt64(32)));

    [Fact]
    public void Shape_and_data_must_agree()
    {
        FluentActions.Invoking(() =>
            GgufTensor.FromValues("t", [2, 3], GgmlType.F32, new float[5])).Should().ThrowExactly<ArgumentException>().Which.Message.Should().Contain("6 elements but 5");
        FluentActions.Invoking(() => GgufTensor.FromEncoded("t", [32], GgmlType.Q8_0, new byte[33])).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => GgufTensor.FromValues("t", [1, 1, 1, 1, 1], GgmlType.F32, new float[1])).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => GgufTensor.FromValues("t", [], GgmlType.F32, new float[1])).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => GgufTensor.FromValues("t", [0], GgmlType.F32, new float[0])).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void Names_must_fit_ggml_and_floats_only_encode_to_supported_types()
    {
        FluentActions.Invoking(() => GgufTensor.FromValues(new string('n', 64), [1], GgmlType.F32, new float[1])).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => GgufTensor.FromValues("", [1], GgmlType.F32, new float[1])).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => GgufTensor.FromValues("t", [256], GgmlType.Q4_K, new float[256])).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => GgufTensor.FromEncoded("t", [1], (GgmlType)4, new byte[1])).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void Values_the_type_cannot_hold_are_rejected_before_writing()
    {
        var nan = new float[32];
        nan[3] = float.NaN;
        FluentActions.Invoking(() =>
            GgufTensor.FromValues("t", [32], GgmlType.Q8_0, nan)).Should().ThrowExactly<ArgumentException>().Which.Message.Should().Contain("index 3");
        FluentActions.Invoking(() =>
            GgufTensor.FromValues("t", [1], GgmlType.F16, new[] { 70000f })).Should().ThrowExactly<ArgumentException>().Which.Message.Should().Contain("65504");
    }

    [Fact]
    public void Arrays_must_be_homogeneous_and_strings_valid_unicode()
    {
        FluentActions.Invoking(() =>
            GgufValue.Array(GgufValueType.UInt8, [GgufValue.UInt8(1), GgufValue.Int8(1)])).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => new GgufWriter().Add("s", GgufValue.String("\ud800"))).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => new GgufWriter().Add("s", GgufValue.Strings(["ok", "\udc00"]))).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => new GgufWriter().Add("", GgufValue.UInt8(1))).Should().ThrowExactly<ArgumentException>();
    }
}
