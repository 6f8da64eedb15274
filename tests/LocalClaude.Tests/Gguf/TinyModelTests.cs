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

        Assert.Equal(GgufTestFiles.Sha256(first), GgufTestFiles.Sha256(second));
        Assert.Equal(first.Length, reseeded.Length);
        Assert.NotEqual(GgufTestFiles.Sha256(first), GgufTestFiles.Sha256(reseeded));
        using var a = GgufTestFiles.Read(first);
        using var b = GgufTestFiles.Read(reseeded);
        Assert.Equal(a.Metadata, b.Metadata);
        Assert.All(a.Tensors.Where(t => t.Name.EndsWith("_norm.weight", StringComparison.Ordinal)),
            t => Assert.Equal(a.ReadTensorBytes(t), b.ReadTensorBytes(t)));
        Assert.All(a.Tensors.Where(t => !t.Name.EndsWith("_norm.weight", StringComparison.Ordinal)),
            t => Assert.NotEqual(a.ReadTensorBytes(t), b.ReadTensorBytes(t)));
    }

    /// <summary>
    /// Pins the bytes across machines, .NET versions and refactorings. If a change to the weights or the
    /// layout is intended, update the hash and say so in the commit: every provisioned model changes.
    /// </summary>
    [Fact]
    public void The_bytes_are_pinned()
    {
        Assert.Equal("c2788270bf93863452ba886dbdb08fe3061d1efeef85db27276b0fc3dc956bb7", GgufTestFiles.Sha256(Write(SmallSpec)));
    }

    [Fact]
    public void The_model_has_llama_metadata_and_tensors_of_the_spec()
    {
        using var model = GgufTestFiles.Read(Write(SmallSpec));

        Assert.Equal("llama", model["general.architecture"].AsString());
        Assert.Equal("test-tiny", model["general.name"].AsString());
        Assert.Equal(7u, model["general.file_type"].AsUInt32());
        Assert.Equal((uint)SyntheticQwenVocab.TokenCount, model["llama.vocab_size"].AsUInt32());
        Assert.Equal(32768u, model["llama.context_length"].AsUInt32());
        Assert.Equal(32u, model["llama.embedding_length"].AsUInt32());
        Assert.Equal(1u, model["llama.block_count"].AsUInt32());
        Assert.Equal(64u, model["llama.feed_forward_length"].AsUInt32());
        Assert.Equal(2u, model["llama.attention.head_count"].AsUInt32());
        Assert.Equal(1u, model["llama.attention.head_count_kv"].AsUInt32());
        Assert.Equal(1e-6f, model["llama.attention.layer_norm_rms_epsilon"].AsFloat32());
        Assert.Equal(1e6f, model["llama.rope.freq_base"].AsFloat32());
        Assert.Equal(16u, model["llama.rope.dimension_count"].AsUInt32());

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
        Assert.Equal(expected.Select(e => e.Name), model.Tensors.Select(t => t.Name));
        foreach (var (name, shape, type) in expected)
        {
            Assert.Equal(shape, model.Tensor(name).Shape);
            Assert.Equal(type, model.Tensor(name).Type);
        }

        Assert.All(model.ReadTensorValues(model.Tensor("output_norm.weight")), v => Assert.Equal(1f, v));
        var q = model.ReadTensorValues(model.Tensor("blk.0.attn_q.weight"));
        Assert.InRange(q.Max(), 0.25f, MathF.Sqrt(3f / 32));
        Assert.NotEqual(model.ReadTensorBytes(model.Tensor("token_embd.weight")), model.ReadTensorBytes(model.Tensor("output.weight")));
    }

    [Fact]
    public void Tokenizer_keys_are_copied_with_qwen3_tokens_in_the_placeholder_slots()
    {
        using var source = GgufReader.Open(vocab.Path);
        using var model = GgufTestFiles.Read(Write(SmallSpec, "{% custom %}"));

        var tokenizerKeys = source.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).Select(kv => kv.Key);
        Assert.Equal(tokenizerKeys, model.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).Select(kv => kv.Key));
        Assert.Equal(source["tokenizer.ggml.merges"], model["tokenizer.ggml.merges"]);
        Assert.Equal(source["tokenizer.ggml.eos_token_id"], model["tokenizer.ggml.eos_token_id"]);
        Assert.Equal("{% custom %}", model["tokenizer.chat_template"].AsString());
        Assert.Equal("llama", model["general.architecture"].AsString());

        var tokens = model["tokenizer.ggml.tokens"].AsStrings();
        var types = model["tokenizer.ggml.token_type"].AsInt32s();
        Assert.Equal(("<tool_call>", 4), (tokens[151657], types[151657]));
        Assert.Equal(("</tool_call>", 4), (tokens[151658], types[151658]));
        Assert.Equal(("<think>", 4), (tokens[151667], types[151667]));
        Assert.Equal(("</think>", 4), (tokens[151668], types[151668]));
        Assert.Equal(("<|im_end|>", 3), (tokens[151645], types[151645]));
        Assert.Equal(("<|object_ref_start|>", 3), (tokens[151646], types[151646]));
        Assert.Equal(("<|fim_prefix|>", 3), (tokens[151659], types[151659]));
        Assert.Equal(("[PAD151669]", 4), (tokens[151669], types[151669]));
        Assert.Equal(("t100", 1), (tokens[100], types[100]));
        var sourceTokens = source["tokenizer.ggml.tokens"].AsStrings();
        // Changed: the 23 placeholders 151646–151668; the rest, control tokens 151643–151645 included, is as it was.
        Assert.Equal(SyntheticQwenVocab.TokenCount - 23, tokens.Zip(sourceTokens).Count(p => p.First == p.Second));
    }

    [Fact]
    public void Variants_are_one_call_away()
    {
        using var f16 = GgufTestFiles.Read(Write(SmallSpec with { LargeTensorType = GgmlType.F16, ProjectionTensorType = GgmlType.Q8_0 }));

        Assert.Equal(GgmlType.F16, f16.Tensor("output.weight").Type);
        Assert.Equal(GgmlType.Q8_0, f16.Tensor("blk.0.ffn_down.weight").Type);
        Assert.Equal(1u, f16["general.file_type"].AsUInt32());
    }

    [Fact]
    public void Inconsistent_specs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Write(SmallSpec with { EmbeddingLength = 48 }));
        Assert.Throws<ArgumentException>(() => Write(SmallSpec with { HeadCount = 3 }));
        Assert.Throws<ArgumentException>(() => Write(SmallSpec with { HeadCountKv = 3, HeadCount = 4 }));
        Assert.Throws<ArgumentException>(() => Write(SmallSpec with { RopeDimensionCount = 18 }));
        Assert.Throws<ArgumentException>(() => Write(SmallSpec with { LargeTensorType = GgmlType.Q4_0 }));
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

            var error = Assert.Throws<InvalidDataException>(() => TinyModel.WriteTo(SmallSpec, path, Template, Stream.Null));
            Assert.Contains("token 151643 is 'x151643'", error.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Presets_name_distinct_files_and_their_templates()
    {
        Assert.Equal("default", TinyModelPresets.Default.Id);
        Assert.Equal("default-thinking", TinyModelPresets.Thinking.Id);
        Assert.Equal("models/templates/Qwen-Qwen3-0.6B.jinja", TinyModelPresets.Default.ChatTemplateRelativePath);
        Assert.Equal("models/templates/Qwen3.5-4B.jinja", TinyModelPresets.Thinking.ChatTemplateRelativePath);
        Assert.Equal(TinyModelPresets.All.Count, TinyModelPresets.All.Select(p => p.FileName).Distinct().Count());
        Assert.Same(TinyModelPresets.Thinking, TinyModelPresets.Get("default-thinking"));
        Assert.Throws<ArgumentException>(() => TinyModelPresets.Get("nope"));
    }
}
