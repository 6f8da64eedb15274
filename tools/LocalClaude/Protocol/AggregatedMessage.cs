using System.Text.Json;

namespace LocalClaude.Protocol;

/// <summary>
/// The message a stream builds (or a non-streaming body holds), as far as it could be read.
/// Fields the server never sent are null.
/// </summary>
public sealed record AggregatedMessage(
    string? Id,
    string? Model,
    string? Role,
    IReadOnlyList<AggregatedBlock> Content,
    string? StopReason,
    string? StopSequence,
    MessageUsage Usage)
{
    public static AggregatedMessage Empty { get; } = new(null, null, null, [], null, null, MessageUsage.None);

    /// <summary>All text blocks concatenated.</summary>
    public string Text => string.Concat(Content.OfType<AggregatedTextBlock>().Select(block => block.Text));

    public IEnumerable<AggregatedToolUseBlock> ToolUses => Content.OfType<AggregatedToolUseBlock>();
}

/// <summary>One content block; <see cref="Index"/> is its position in the message.</summary>
public abstract record AggregatedBlock(int Index, string Type);

public sealed record AggregatedTextBlock(int Index, string Text) : AggregatedBlock(Index, "text");

/// <summary>A thinking block; <see cref="Signature"/> is null when none was sent.</summary>
public sealed record AggregatedThinkingBlock(int Index, string Thinking, string? Signature) : AggregatedBlock(Index, "thinking");

public sealed record AggregatedRedactedThinkingBlock(int Index, string Data) : AggregatedBlock(Index, "redacted_thinking");

/// <summary>
/// A tool_use, server_tool_use or mcp_tool_use block. <see cref="InputJson"/> is the input as sent (the concatenated
/// partial_json, or the body's input); <see cref="Input"/> the parsed object, null when it does not parse to an object.
/// </summary>
public sealed record AggregatedToolUseBlock(int Index, string Type, string? Id, string? Name, JsonElement? Input, string InputJson)
    : AggregatedBlock(Index, Type);

/// <summary>A block of any other type, kept as the JSON that described it.</summary>
public sealed record AggregatedOtherBlock(int Index, string Type, JsonElement Json) : AggregatedBlock(Index, Type);

/// <summary>Token usage; in a stream, message_delta values override message_start's (they are cumulative).</summary>
public sealed record MessageUsage(long? InputTokens, long? OutputTokens, long? CacheCreationInputTokens, long? CacheReadInputTokens)
{
    public static MessageUsage None { get; } = new(null, null, null, null);

    public MessageUsage MergedWith(MessageUsage later) => new(
        later.InputTokens ?? InputTokens,
        later.OutputTokens ?? OutputTokens,
        later.CacheCreationInputTokens ?? CacheCreationInputTokens,
        later.CacheReadInputTokens ?? CacheReadInputTokens);
}

/// <summary>
/// Times on the reader's clock (see <see cref="SseReader"/>); all null when the stream was parsed from memory.
/// </summary>
public sealed record StreamTimings(TimeSpan? FirstEvent, TimeSpan? FirstContentDelta, TimeSpan? LastEvent)
{
    public static StreamTimings Unknown { get; } = new(null, null, null);
}
