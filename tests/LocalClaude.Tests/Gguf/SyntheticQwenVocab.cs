using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

/// <summary>
/// A vocab-only GGUF shaped like llama.cpp's <c>ggml-vocab-qwen2.gguf</c> (Qwen2 control tokens at
/// 151643–151645, <c>[PAD…]</c> placeholders after), so tiny-model tests run without a source tree.
/// </summary>
public sealed class SyntheticQwenVocab : IDisposable
{
    public const int TokenCount = 151_680;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gguf-vocab-");

    public SyntheticQwenVocab()
    {
        Path = System.IO.Path.Combine(_directory.FullName, "vocab.gguf");
        new GgufWriter()
            .Add("general.architecture", GgufValue.String("qwen2"))
            .Add("tokenizer.ggml.model", GgufValue.String("gpt2"))
            .Add("tokenizer.ggml.pre", GgufValue.String("qwen2"))
            .Add("tokenizer.ggml.tokens", GgufValue.Strings(Enumerable.Range(0, TokenCount).Select(TokenText)))
            .Add("tokenizer.ggml.token_type", GgufValue.Int32s(Enumerable.Range(0, TokenCount).Select(TokenType)))
            .Add("tokenizer.ggml.merges", GgufValue.Strings(["Ġ t", "h e"]))
            .Add("tokenizer.ggml.eos_token_id", GgufValue.UInt32(151643))
            .Add("tokenizer.chat_template", GgufValue.String("{{ old }}"))
            .WriteToFile(Path);
    }

    public string Path { get; }

    public static string TokenText(int id) => id switch
    {
        151643 => "<|endoftext|>",
        151644 => "<|im_start|>",
        151645 => "<|im_end|>",
        >= 151646 => $"[PAD{id}]",
        _ => $"t{id}",
    };

    private static int TokenType(int id) => id switch
    {
        >= 151643 and <= 151645 => 3,
        >= 151646 => 4,
        _ => 1,
    };

    public void Dispose() => _directory.Delete(recursive: true);
}
