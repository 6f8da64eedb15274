using System.Buffers.Binary;
using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

/// <summary>Q8_0 against ggml's <c>quantize_row_q8_0_ref</c>: d = amax/127 as fp16, q = roundf(x/d).</summary>
public sealed class Q8_0QuantizationTests
{
    private static (ushort ScaleBits, sbyte[] Quants) QuantizeOneBlock(float[] block)
    {
        var bytes = new byte[34];
        GgmlQuantization.QuantizeQ8_0(block, bytes);
        return (BinaryPrimitives.ReadUInt16LittleEndian(bytes), bytes[2..].Select(b => (sbyte)b).ToArray());
    }

    [Fact]
    public void A_block_whose_amax_is_127_has_scale_one_and_rounds_halves_away_from_zero()
    {
        var block = new float[32];
        block[0] = 127f;
        block[1] = 2.5f;   // banker's rounding would give 2
        block[2] = -2.5f;  // and -2
        block[3] = 0.49f;
        block[4] = -127f;
        block[5] = 3.5f;

        var (scale, q) = QuantizeOneBlock(block);

        ((int)(scale)).Should().Be(0x3C00); // fp16 1.0
        q[..6].Should().Equal([127, 3, -3, 0, -127, 4]);
        Assert.All(q[6..], v => ((int)(v)).Should().Be(0));
    }

    [Theory]
    [InlineData(1, 0x3C00)] // amax/127 = 1 + 1·2^-11: halfway between 0x3C00 (even) and 0x3C01: down
    [InlineData(3, 0x3C02)] // amax/127 = 1 + 3·2^-11: halfway between 0x3C01 and 0x3C02 (even): up
    public void The_fp16_scale_rounds_ties_to_even(int elevenths, int expectedScaleBits)
    {
        var block = new float[32];
        block[0] = 127f * (1f + elevenths * MathF.Pow(2, -11)); // exact in single precision

        var (scale, q) = QuantizeOneBlock(block);

        ((int)(scale)).Should().Be(expectedScaleBits);
        ((int)(q[0])).Should().Be(127);
    }

    [Fact]
    public void An_all_zero_block_has_zero_scale_and_zero_quants()
    {
        var (scale, q) = QuantizeOneBlock(new float[32]);

        ((int)(scale)).Should().Be(0);
        Assert.All(q, v => ((int)(v)).Should().Be(0));
    }

    [Fact]
    public void Random_blocks_match_an_independent_reference_and_dequantize_within_a_step()
    {
        var random = new DeterministicRandom(7);
        var values = new float[32 * 50];
        random.FillUniform(values, 3.0);
        values[40] = 0f;
        var bytes = new byte[50 * 34];

        GgmlQuantization.QuantizeQ8_0(values, bytes);

        for (var block = 0; block < 50; block++)
        {
            var x = values.AsSpan(block * 32, 32);
            var amax = 0f;
            foreach (var v in x)
            {
                amax = Math.Max(amax, Math.Abs(v));
            }

            var d = amax / 127f;
            var id = d == 0 ? 0 : 1f / d;
            BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(block * 34)).Should().Be(BitConverter.HalfToUInt16Bits((Half)d));
            for (var j = 0; j < 32; j++)
            {
                var scaled = x[j] * id;
                var expected = (sbyte)(Math.Sign(scaled) * Math.Floor(Math.Abs((double)scaled) + 0.5));
                ((sbyte)bytes[block * 34 + 2 + j]).Should().Be(expected);
            }
        }

        // Half a step, plus up to 127 times the fp16 rounding of the scale (2^-11 relative), which q does not see.
        var decoded = GgmlQuantization.Decode(GgmlType.Q8_0, bytes);
        for (var i = 0; i < values.Length; i++)
        {
            var step = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i / 32 * 34));
            var tolerance = step * (0.5f + 127f / 2048f) + 1e-6f;
            decoded[i].Should().BeInRange(values[i] - tolerance, values[i] + tolerance);
        }
    }

    [Fact]
    public void Lengths_that_are_not_whole_blocks_are_rejected()
    {
        var error = FluentActions.Invoking(() => GgmlQuantization.QuantizeQ8_0(new float[33], new byte[68])).Should().ThrowExactly<ArgumentException>().Which;
        error.Message.Should().Contain("multiple of 32");
    }
}
