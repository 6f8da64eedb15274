namespace LocalClaude.Gguf;

/// <summary>
/// A tiny model the product ships: its spec, the file name to write, and the chat template and vocabulary
/// it takes from a llama.cpp source tree (paths relative to that tree, '/'-separated).
/// </summary>
public sealed record TinyModelPreset(
    string Id,
    string FileName,
    string ChatTemplateRelativePath,
    TinyModelSpec Spec)
{
    /// <summary>The Qwen2 vocabulary whose <c>[PAD…]</c> slots receive the Qwen3 special tokens.</summary>
    public string VocabRelativePath { get; init; } = "models/ggml-vocab-qwen2.gguf";
}

public static class TinyModelPresets
{
    /// <summary>Qwen3 0.6B's template: tools and optional <c>&lt;think&gt;</c>.</summary>
    public static TinyModelPreset Default { get; } = new(
        "default",
        "localclaude-tiny-default.gguf",
        "models/templates/Qwen-Qwen3-0.6B.jinja",
        new TinyModelSpec { Name = "localclaude-tiny-default" });

    /// <summary>Qwen3.5 4B's template, whose generation prompt opens <c>&lt;think&gt;</c>, so thinking blocks really occur.</summary>
    public static TinyModelPreset Thinking { get; } = new(
        "default-thinking",
        "localclaude-tiny-default-thinking.gguf",
        "models/templates/Qwen3.5-4B.jinja",
        new TinyModelSpec { Name = "localclaude-tiny-default-thinking" });

    public static IReadOnlyList<TinyModelPreset> All { get; } = [Default, Thinking];

    public static TinyModelPreset Get(string id) =>
        All.FirstOrDefault(p => p.Id == id)
        ?? throw new ArgumentException($"no tiny model preset '{id}'; known: {string.Join(", ", All.Select(p => p.Id))}", nameof(id));
}
