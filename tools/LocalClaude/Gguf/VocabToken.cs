namespace LocalClaude.Gguf;

/// <summary>llama.cpp's <c>llama_token_type</c>, stored in <c>tokenizer.ggml.token_type</c>.</summary>
public enum VocabTokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

public sealed record VocabToken(int Id, string Text, VocabTokenType Type);

/// <summary>Qwen3's added tokens (its <c>tokenizer_config.json</c> <c>added_tokens_decoder</c>).</summary>
public static class Qwen3Vocab
{
    /// <summary>
    /// Ids 151643–151668. As llama.cpp's converter does, <c>&lt;|…|&gt;</c> tokens are control tokens and
    /// the others (tool call, tool response, think tags) user-defined, so they print as text.
    /// </summary>
    public static IReadOnlyList<VocabToken> AddedTokens { get; } = Build(
        (151643, "<|endoftext|>"),
        (151644, "<|im_start|>"),
        (151645, "<|im_end|>"),
        (151646, "<|object_ref_start|>"),
        (151647, "<|object_ref_end|>"),
        (151648, "<|box_start|>"),
        (151649, "<|box_end|>"),
        (151650, "<|quad_start|>"),
        (151651, "<|quad_end|>"),
        (151652, "<|vision_start|>"),
        (151653, "<|vision_end|>"),
        (151654, "<|vision_pad|>"),
        (151655, "<|image_pad|>"),
        (151656, "<|video_pad|>"),
        (151657, "<tool_call>"),
        (151658, "</tool_call>"),
        (151659, "<|fim_prefix|>"),
        (151660, "<|fim_middle|>"),
        (151661, "<|fim_suffix|>"),
        (151662, "<|fim_pad|>"),
        (151663, "<|repo_name|>"),
        (151664, "<|file_sep|>"),
        (151665, "<tool_response>"),
        (151666, "</tool_response>"),
        (151667, "<think>"),
        (151668, "</think>"));

    private static VocabToken[] Build(params (int Id, string Text)[] tokens) =>
        tokens.Select(t => new VocabToken(
                t.Id,
                t.Text,
                t.Text.StartsWith("<|", StringComparison.Ordinal) && t.Text.EndsWith("|>", StringComparison.Ordinal)
                    ? VocabTokenType.Control
                    : VocabTokenType.UserDefined))
            .ToArray();
}
