using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

public sealed class TinyModelTests(SyntheticQwenVocab vocab) : IClassFixture<SyntheticQwenVocab>
{
    private const string Template = "{{ messages }}";

    /// <summary>Smaller than the product's default (vocab-sized tensors dominate), with grouped-query attention.</summary>
    private static readonly TinyModelSpec SmallSpec = new()
    {
        Name = "test-tiny",
        EmbeddingLength = 32,
        HeadCount = 2,
        HeadCountKv = 1,
        FeedForwardLength = 64,
        BlockCount = 1,
        Seed = 42,
    };

    private byte[] Write(TinyModelSpec spec, string template = Template)
    {
        using var stream = new MemoryStream();
        TinyModel.WriteTo(spec, vocab.Path, template, stream);
        return stream.ToArray();
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_different_weights()
    {
        var first = Write(SmallSpec);
        var second = Write(SmallSpec);
        var reseeded = Write(SmallSpec with { Seed = 43 });

        GgufTestFiles.Sha256(second).Should().Be(GgufTestFiles.Sha256(first));
        reseeded.Length.Should().Be(first.Length);
        GgufTestFiles.Sha256(reseeded).Should().NotBe(GgufTestFiles.Sha256(first));
        using var a = GgufTestFiles.Read(first);
        using var b = GgufTestFiles.Read(reseeded);
        b.Metadata.Should().Equal(a.Metadata);
        Assert.All(a.Tensors.Where(t => t.Name.EndsWith("_norm.weight", StringComparison.Ordinal)),
            t => b.ReadTensorBytes(t).Should().Equal(a.ReadTensorBytes(t)));
        Assert.All(a.Tensors.Where(t => !t.Name.EndsWith("_norm.weight", StringComparison.Ordinal)),
            t => b.ReadTensorBytes(t).Should().NotEqual(a.ReadTensorBytes(t)));
    }

    /// <summary>
    /// Pins the bytes across machines, .NET versions and refactorings. If a change to the weights or the
    /// layout is intended, update the hash and say so in the commit: every provisioned model changes.
    /// </summary>
    [Fact]
    public void The_bytes_are_pinned()
    {
        GgufTestFiles.Sha256(Write(SmallSpec)).Should().Be("c2788270bf93863452ba886dbdb08fe3061d1efeef85db27276b0fc3dc956bb7");
    }

    [Fact]
    public void The_model_has_llama_metadata_and_tensors_of_the_spec()
    {
        using var model = GgufTestFiles.Read(Write(SmallSpec));

        model["general.architecture"].AsString().Should().Be("llama");
        model["general.name"].AsString().Should().Be("test-tiny");
        model["general.file_type"].AsUInt32().Should().Be(7u);
        model["llama.vocab_size"].AsUInt32().Should().Be((uint)SyntheticQwenVocab.TokenCount);
        model["llama.context_length"].AsUInt32().Should().Be(32768u);
        model["llama.embedding_length"].AsUInt32().Should().Be(32u);
        model["llama.block_count"].AsUInt32().Should().Be(1u);
        model["llama.feed_forward_length"].AsUInt32().Should().Be(64u);
        model["llama.attention.head_count"].AsUInt32().Should().Be(2u);
        model["llama.attention.head_count_kv"].AsUInt32().Should().Be(1u);
        model["llama.attention.layer_norm_rms_epsilon"].AsFloat32().Should().Be(1e-6f);
        model["llama.rope.freq_base"].AsFloat32().Should().Be(1e6f);
        model["llama.rope.dimension_count"].AsUInt32().Should().Be(16u);

        var expected = new (string Name, long[] Shape, GgmlType Type)[]
        {
            ("token_embd.weight", [32, SyntheticQwenVocab.TokenCount], GgmlType.Q8_0),
            ("output_norm.weight", [32], GgmlType.F32),
            ("output.weight", [32, SyntheticQwenVocab.TokenCount], GgmlType.Q8_0),
            ("blk.0.attn_norm.weight", [32], GgmlType.F32),
            ("blk.0.attn_q.weight", [32, 32], GgmlType.F32),
            ("blk.0.attn_k.weight", [32, 16], GgmlType.F32),
            ("blk.0.attn_v.weight", [32, 16], GgmlType.F32),
            ("blk.0.attn_output.weight", [32, 32], GgmlType.F32),
            ("blk.0.ffn_norm.weight", [32], GgmlType.F32),
            ("blk.0.ffn_gate.weight", [32, 64], GgmlType.F32),
            ("blk.0.ffn_down.weight", [64, 32], GgmlType.F32),
            ("blk.0.ffn_up.weight", [32, 64], GgmlType.F32),
        };
        model.Tensors.Select(t => t.Name).Should().Equal(expected.Select(e => e.Name));
        foreach (var (name, shape, type) in expected)
        {
            model.Tensor(name).Shape.Should().Equal(shape);
            model.Tensor(name).Type.Should().Be(type);
        }

        Assert.All(model.ReadTensorValues(model.Tensor("output_norm.weight")), v => v.Should().Be(1f));
        var q = model.ReadTensorValues(model.Tensor("blk.0.attn_q.weight"));
        q.Max().Should().BeInRange(0.25f, MathF.Sqrt(3f / 32));
        model.ReadTensorBytes(model.Tensor("output.weight")).Should().NotEqual(model.ReadTensorBytes(model.Tensor("token_embd.weight")));
    }

    [Fact]
    public void Tokenizer_keys_are_copied_with_qwen3_tokens_in_the_placeholder_slots()
    {
        using var source = GgufReader.Open(vocab.Path);
        using var model = GgufTestFiles.Read(Write(SmallSpec, "{% custom %}"));

        var tokenizerKeys = source.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).Select(kv => kv.Key);
        model.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).Select(kv => kv.Key).Should().Equal(tokenizerKeys);
        model["tokenizer.ggml.merges"].Should().Be(source["tokenizer.ggml.merges"]);
        model["tokenizer.ggml.eos_token_id"].Should().Be(source["tokenizer.ggml.eos_token_id"]);
        model["tokenizer.chat_template"].AsString().Should().Be("{% custom %}");
        model["general.architecture"].AsString().Should().Be("llama");

        var tokens = model["tokenizer.ggml.tokens"].AsStrings();
        var types = model["tokenizer.ggml.token_type"].AsInt32s();
        ((tokens[151657], types[151657])).Should().Be(("<tool_call>", 4));
        ((tokens[151658], types[151658])).Should().Be(("</tool_call>", 4));
        ((tokens[151667], types[151667])).Should().Be(("<think>", 4));
        ((tokens[151668], types[151668])).Should().Be(("</think>", 4));
        ((tokens[151645], types[151645])).Should().Be(("<|im_end|>", 3));
        ((tokens[151646], types[151646])).Should().Be(("<|object_ref_start|>", 3));
        ((tokens[151659], types[151659])).Should().Be(("<|fim_prefix|>", 3));
        ((tokens[151669], types[151669])).Should().Be(("[PAD151669]", 4));
        ((tokens[100], types[100])).Should().Be(("t100", 1));
        var sourceTokens = source["tokenizer.ggml.tokens"].AsStrings();
        // Changed: the 23 placeholders 151646–151668; the rest, control tokens 151643–151645 included, is as it was.
        tokens.Zip(sourceTokens).Count(p => p.First == p.Second).Should().Be(SyntheticQwenVocab.TokenCount - 23);
    }

    [Fact]
    public void Variants_are_one_call_away()
    {
        using var f16 = GgufTestFiles.Read(Write(SmallSpec with { LargeTensorType = GgmlType.F16, ProjectionTensorType = GgmlType.Q8_0 }));

        f16.Tensor("output.weight").Type.Should().Be(GgmlType.F16);
        f16.Tensor("blk.0.ffn_down.weight").Type.Should().Be(GgmlType.Q8_0);
        f16["general.file_type"].AsUInt32().Should().Be(1u);
    }

    [Fact]
    public void Inconsistent_specs_are_rejected()
    {
        FluentActions.Invoking(() => Write(SmallSpec with { EmbeddingLength = 48 })).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => Write(SmallSpec with { HeadCount = 3 })).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => Write(SmallSpec with { HeadCountKv = 3, HeadCount = 4 })).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => Write(SmallSpec with { RopeDimensionCount = 18 })).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => Write(SmallSpec with { LargeTensorType = GgmlType.Q4_0 })).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void A_vocabulary_without_qwen_placeholders_is_rejected()
    {
        var dir = Directory.CreateTempSubdirectory("gguf-vocab-");
        try
        {
            var path = Path.Combine(dir.FullName, "other.gguf");
            new GgufWriter()
                .Add("tokenizer.ggml.tokens", GgufValue.Strings(Enumerable.Range(0, 151_700).Select(i => $"x{i}")))
                .Add("tokenizer.ggml.token_type", GgufValue.Int32s(Enumerable.Repeat(1, 151_700)))
                .WriteToFile(path);

            var error = FluentActions.Invoking(() => TinyModel.WriteTo(SmallSpec, path, Template, Stream.Null)).Should().ThrowExactly<InvalidDataException>().Which;
            error.Message.Should().Contain("token 151643 is 'x151643'");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Presets_name_distinct_files_and_their_templates()
    {
        TinyModelPresets.Default.Id.Should().Be("default");
        TinyModelPresets.Thinking.Id.Should().Be("default-thinking");
        TinyModelPresets.Default.ChatTemplateRelativePath.Should().Be("models/templates/Qwen-Qwen3-0.6B.jinja");
        TinyModelPresets.Thinking.ChatTemplateRelativePath.Should().Be("models/templates/Qwen3.5-4B.jinja");
        TinyModelPresets.All.Select(p => p.FileName).Distinct().Count().Should().Be(TinyModelPresets.All.Count);
        TinyModelPresets.Get("default-thinking").Should().BeSameAs(TinyModelPresets.Thinking);
        FluentActions.Invoking(() => TinyModelPresets.Get("nope")).Should().ThrowExactly<ArgumentException>();
    }
}
