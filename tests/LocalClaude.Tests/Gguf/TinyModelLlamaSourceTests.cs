using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

/// <summary>Tiny models built from a real llama.cpp source tree (<c>LOCALCLAUDE_LLAMA_SRC</c>, else the provisioned one).</summary>
public sealed class TinyModelLlamaSourceTests
{
    public static TheoryData<string> PresetIds => new(TinyModelPresets.All.Select(p => p.Id));

    [Theory]
    [MemberData(nameof(PresetIds))]
    public void The_model_setup_wrote_is_byte_identical_to_a_fresh_write(string presetId)
    {
        var source = GgufTestFiles.LlamaSourceOrSkip();
        var installed = LocalClaude.Provisioning.GeneratedModels.PathFor(LocalClaude.Infrastructure.LocalClaudeHome.Default(), presetId);
        LocalClaude.Tests.Support.MissingPart.Require(File.Exists(installed), $"the generated model {installed} is missing");
        var fresh = Path.Combine(Directory.CreateTempSubdirectory("gguf-fresh-").FullName, "fresh.gguf");
        try
        {
            TinyModel.Write(TinyModelPresets.Get(presetId), source, fresh);
            GgufTestFiles.Sha256(File.ReadAllBytes(fresh)).Should().Be(GgufTestFiles.Sha256(File.ReadAllBytes(installed)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(fresh)!, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(PresetIds))]
    public void A_preset_is_written_reproducibly_with_the_vocab_and_template_of_the_source_tree(string presetId)
    {
        var source = GgufTestFiles.LlamaSourceOrSkip();
        var preset = TinyModelPresets.Get(presetId);
        var dir = Directory.CreateTempSubdirectory("gguf-tiny-");
        try
        {
            var first = Path.Combine(dir.FullName, preset.FileName);
            var second = Path.Combine(dir.FullName, "again.gguf");
            TinyModel.Write(preset, source, first);
            TinyModel.Write(preset, source, second);

            GgufTestFiles.Sha256(File.ReadAllBytes(second)).Should().Be(GgufTestFiles.Sha256(File.ReadAllBytes(first)));
            using var model = GgufReader.Open(first);
            using var vocab = GgufReader.Open(Path.Combine(source, preset.VocabRelativePath));
            var template = File.ReadAllText(Path.Combine(source, preset.ChatTemplateRelativePath));

            model[TinyModel.ChatTemplateKey].AsString().Should().Be(template);
            foreach (var (key, value) in vocab.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)))
            {
                if (key is not (TinyModel.TokensKey or TinyModel.TokenTypesKey or TinyModel.ChatTemplateKey))
                {
                    model[key].Should().Be(value);
                }
            }

            var tokens = model[TinyModel.TokensKey].AsStrings();
            tokens.Count.Should().Be(vocab[TinyModel.TokensKey].AsArray().Count);
            tokens.Skip(151657).Take(2).Should().Equal(["<tool_call>", "</tool_call>"]);
            tokens.Skip(151667).Take(2).Should().Equal(["<think>", "</think>"]);
            tokens[151669].Should().Be("[PAD151669]");
            model.Tensor("output.weight").Shape.Should().Equal([64L, tokens.Count]);
            model.Tensor("token_embd.weight").Type.Should().Be(GgmlType.Q8_0);
            new FileInfo(first).Length.Should().BeInRange(25_000_000, 30_000_000);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The vocab file was written by gguf-py: rewriting its metadata must give the same bytes (plus ggml's final padding).</summary>
    [Fact]
    public void Rewriting_the_vocab_file_reproduces_it_byte_for_byte()
    {
        var source = GgufTestFiles.LlamaSourceOrSkip();
        var path = Path.Combine(source, TinyModelPresets.Default.VocabRelativePath);
        var original = File.ReadAllBytes(path);
        using var vocab = GgufReader.Open(path);

        var rewritten = GgufTestFiles.Write(vocab.Metadata.Aggregate(new GgufWriter(), (w, kv) => w.Add(kv.Key, kv.Value)));

        rewritten[..original.Length].Should().Equal(original);
        Assert.All(rewritten[original.Length..], b => ((int)(b)).Should().Be(0));
        (rewritten.Length % 32).Should().Be(0);
    }
}
