using System.Text.Json.Nodes;

namespace LocalClaude.ScriptedControls;

/// <summary>One content block of a scripted assistant reply.</summary>
public abstract record ReplyBlock;

public sealed record TextReplyBlock(string Text) : ReplyBlock;

/// <summary>A tool call. <see cref="Input"/> is kept as JSON text so the record stays immutable and comparable.</summary>
public sealed record ToolUseReplyBlock(string Id, string Name, string InputJson) : ReplyBlock
{
    public static ToolUseReplyBlock Create(string id, string name, JsonObject input) =>
        new(id, name, input.ToJsonString());
}

/// <summary>What a control script answers to one request: the content blocks and the stop reason.</summary>
public sealed record ScriptedReply(IReadOnlyList<ReplyBlock> Blocks, string StopReason)
{
    public const string EndTurn = "end_turn";
    public const string ToolUse = "tool_use";

    public static ScriptedReply Text(string text) => new([new TextReplyBlock(text)], EndTurn);

    /// <summary>A reply with no content blocks at all (the API allows it; Claude Code shows an empty answer).</summary>
    public static ScriptedReply Empty() => new([], EndTurn);

    /// <summary>Value equality over the blocks too, so a replayed step compares equal to the first reply.</summary>
    public bool Equals(ScriptedReply? other) =>
        other is not null && StopReason == other.StopReason && Blocks.SequenceEqual(other.Blocks);

    public override int GetHashCode() => HashCode.Combine(StopReason, Blocks.Count);

    public static ScriptedReply ToolCall(string? preamble, ToolUseReplyBlock toolUse) =>
        new(preamble is null ? [toolUse] : [new TextReplyBlock(preamble), toolUse], ToolUse);
}
