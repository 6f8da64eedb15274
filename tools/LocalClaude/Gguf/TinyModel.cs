namespace LocalClaude.Gguf;

/// <summary>
/// Writes a random-weights model that llama-server loads and runs on a CPU: a tokenizer copied from a
/// llama.cpp vocab-only GGUF (with Qwen3's special tokens put into its placeholder slots), a chat template,
/// and weights drawn from <see cref="TinyModelSpec.Seed"/>. The same inputs give the same bytes.
/// </summary>
public static class TinyModel
{
    public const string TokenizerKeyPrefix = "tokenizer.";
    public const string TokensKey = "tokenizer.ggml.tokens";
    public const string TokenTypesKey = "tokenizer.ggml.token_type";
    public const string ChatTemplateKey = "tokenizer.chat_template";

    /// <summary>Writes a preset, taking its vocabulary and template from a llama.cpp source tree.</summary>
    public static void Write(TinyModelPreset preset, string llamaCppSourceDir, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var vocabPath = InSourceTree(llamaCppSourceDir, preset.VocabRelativePath);
        var templatePath = InSourceTree(llamaCppSourceDir, preset.ChatTemplateRelativePath);
        Write(preset.Spec, vocabPath, File.ReadAllText(templatePath), outputPath);
    }

    /// <summary>Writes the model atomically to <paramref name="outputPath"/>.</summary>
    public static void Write(TinyModelSpec spec, string vocabPath, string chatTemplate, string outputPath)
    {
        using var vocab = GgufReader.Open(vocabPath);
        Build(spec, vocab, chatTemplate).WriteToFile(outputPath);
    }

    /// <summary>Writes the model to a stream.</summary>
    public static void WriteTo(TinyModelSpec spec, string vocabPath, string chatTemplate, Stream destination)
    {
        using var vocab = GgufReader.Open(vocabPath);
        Build(spec, vocab, chatTemplate).WriteTo(destination);
    }

    /// <summary>The complete model, ready to write; the vocabulary reader may be closed afterwards.</summary>
    public static GgufWriter Build(TinyModelSpec spec, GgufReader vocab, string chatTemplate)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(chatTemplate);
        spec.Validate();

        var tokenizer = TokenizerMetadata(vocab, chatTemplate);
        var vocabSize = tokenizer.First(kv => kv.Key == TokensKey).Value.AsArray().Count;

        var writer = new GgufWriter();
        const string arch = TinyModelSpec.Architecture;
        writer.Add("general.architecture", GgufValue.String(arch))
            .Add("general.name", GgufValue.String(spec.Name))
            .Add("general.file_type", GgufValue.UInt32(FileType(spec.LargeTensorType)));
        if (spec.LargeTensorType == GgmlType.Q8_0 || spec.ProjectionTensorType == GgmlType.Q8_0)
        {
            writer.Add("general.quantization_version", GgufValue.UInt32(2));
        }

        writer.Add($"{arch}.vocab_size", GgufValue.UInt32((uint)vocabSize))
            .Add($"{arch}.context_length", GgufValue.UInt32((uint)spec.ContextLength))
            .Add($"{arch}.embedding_length", GgufValue.UInt32((uint)spec.EmbeddingLength))
            .Add($"{arch}.block_count", GgufValue.UInt32((uint)spec.BlockCount))
            .Add($"{arch}.feed_forward_length", GgufValue.UInt32((uint)spec.FeedForwardLength))
            .Add($"{arch}.attention.head_count", GgufValue.UInt32((uint)spec.HeadCount))
            .Add($"{arch}.attention.head_count_kv", GgufValue.UInt32((uint)spec.HeadCountKv))
            .Add($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.Float32(spec.RmsNormEpsilon))
            .Add($"{arch}.rope.freq_base", GgufValue.Float32(spec.RopeFreqBase))
            .Add($"{arch}.rope.dimension_count", GgufValue.UInt32((uint)spec.RopeDimensionCount));
        foreach (var (key, value) in tokenizer)
        {
            writer.Add(key, value);
        }

        foreach (var tensor in Tensors(spec, vocabSize))
        {
            writer.AddTensor(tensor);
        }

        return writer;
    }

    /// <summary>
    /// Every <c>tokenizer.*</c> entry of the vocabulary file in its order, with Qwen3's added tokens in
    /// their slots and the chat template replaced (or appended).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, GgufValue>> TokenizerMetadata(GgufReader vocab, string chatTemplate)
    {
        var entries = vocab.Metadata.Where(kv => kv.Key.StartsWith(TokenizerKeyPrefix, StringComparison.Ordinal)).ToList();
        var tokensIndex = entries.FindIndex(kv => kv.Key == TokensKey);
        var typesIndex = entries.FindIndex(kv => kv.Key == TokenTypesKey);
        if (tokensIndex < 0 || typesIndex < 0)
        {
            throw new InvalidDataException($"{vocab.SourceName}: no {TokensKey} or {TokenTypesKey}: not a vocabulary file");
        }

        var tokens = entries[tokensIndex].Value.AsStrings().ToArray();
        var types = entries[typesIndex].Value.AsInt32s().ToArray();
        if (tokens.Length != types.Length)
        {
            throw new InvalidDataException($"{vocab.SourceName}: {tokens.Length} tokens but {types.Length} token types");
        }

        foreach (var token in Qwen3Vocab.AddedTokens)
        {
            if (token.Id >= tokens.Length)
            {
                throw new InvalidDataException($"{vocab.SourceName}: {tokens.Length} tokens, too few for '{token.Text}' at {token.Id}");
            }

            var current = tokens[token.Id];
            if (current != token.Text && current != $"[PAD{token.Id}]")
            {
                throw new InvalidDataException(
                    $"{vocab.SourceName}: token {token.Id} is '{current}', neither '{token.Text}' nor a [PAD{token.Id}] placeholder: not a Qwen2 vocabulary");
            }

            tokens[token.Id] = token.Text;
            types[token.Id] = (int)token.Type;
        }

        entries[tokensIndex] = new(TokensKey, GgufValue.Strings(tokens));
        entries[typesIndex] = new(TokenTypesKey, GgufValue.Int32s(types));
        var templateIndex = entries.FindIndex(kv => kv.Key == ChatTemplateKey);
        var template = new KeyValuePair<string, GgufValue>(ChatTemplateKey, GgufValue.String(chatTemplate));
        if (templateIndex >= 0)
        {
            entries[templateIndex] = template;
        }
        else
        {
            entries.Add(template);
        }

        return entries;
    }

    /// <summary>
    /// llama tensors, dims innermost first. Uniform weights with σ = 1/√fan-in keep every layer's output
    /// near unit scale; the output projection is separate because tied embeddings made greedy output
    /// degenerate into newlines. Each tensor has its own random stream, keyed by name.
    /// </summary>
    private static IEnumerable<GgufTensor> Tensors(TinyModelSpec spec, int vocabSize)
    {
        var embd = spec.EmbeddingLength;
        var kv = spec.HeadDimension * spec.HeadCountKv;
        var ff = spec.FeedForwardLength;

        yield return Random(spec, "token_embd.weight", [embd, vocabSize], spec.LargeTensorType, 1.0);
        yield return Ones("output_norm.weight", embd);
        yield return Random(spec, "output.weight", [embd, vocabSize], spec.LargeTensorType, 1.0 / Math.Sqrt(embd));
        for (var block = 0; block < spec.BlockCount; block++)
        {
            var p = $"blk.{block}.";
            var type = spec.ProjectionTensorType;
            yield return Ones(p + "attn_norm.weight", embd);
            yield return Random(spec, p + "attn_q.weight", [embd, embd], type, 1.0 / Math.Sqrt(embd));
            yield return Random(spec, p + "attn_k.weight", [embd, kv], type, 1.0 / Math.Sqrt(embd));
            yield return Random(spec, p + "attn_v.weight", [embd, kv], type, 1.0 / Math.Sqrt(embd));
            yield return Random(spec, p + "attn_output.weight", [embd, embd], type, 1.0 / Math.Sqrt(embd));
            yield return Ones(p + "ffn_norm.weight", embd);
            yield return Random(spec, p + "ffn_gate.weight", [embd, ff], type, 1.0 / Math.Sqrt(embd));
            yield return Random(spec, p + "ffn_down.weight", [ff, embd], type, 1.0 / Math.Sqrt(ff));
            yield return Random(spec, p + "ffn_up.weight", [embd, ff], type, 1.0 / Math.Sqrt(embd));
        }
    }

    private static GgufTensor Random(TinyModelSpec spec, string name, long[] shape, GgmlType type, double standardDeviation)
    {
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        DeterministicRandom.ForStream(spec.Seed, name).FillUniform(values, standardDeviation);
        return GgufTensor.FromValues(name, shape, type, values);
    }

    private static GgufTensor Ones(string name, int length)
    {
        var values = new float[length];
        Array.Fill(values, 1f);
        return GgufTensor.FromValues(name, [length], GgmlType.F32, values);
    }

    // llama_ftype: ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7.
    private static uint FileType(GgmlType largeTensorType) => largeTensorType switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q8_0 => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(largeTensorType), largeTensorType, null),
    };

    private static string InSourceTree(string llamaCppSourceDir, string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(llamaCppSourceDir);
        var path = Path.Combine(llamaCppSourceDir, relativePath.Replace('/', Path.DirectorySeparatorChar));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{relativePath} not found in the llama.cpp source tree {llamaCppSourceDir}", path);
        }

        return path;
    }
}
