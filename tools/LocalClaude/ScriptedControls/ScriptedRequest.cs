using System.Text.Json.Nodes;

namespace LocalClaude.ScriptedControls;

/// <summary>A parsed <c>POST /v1/messages</c> request as a control script sees it.</summary>
/// <param name="Number">1-based position among the messages requests this server has received.</param>
public sealed record ScriptedRequest(int Number, JsonObject Body, IReadOnlyDictionary<string, string> Headers)
{
    public string Model => Body["model"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? Body["model"]!.GetValue<string>()
        : "control";

    public bool IsStreaming => Body["stream"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public JsonArray Messages => Body["messages"] as JsonArray ?? [];

    /// <summary>Main-loop requests carry the tool definitions; background calls (titles, summaries) carry none.</summary>
    public bool HasTools => Body["tools"] is JsonArray { Count: > 0 };

    public IReadOnlyList<string> ToolNames =>
        (Body["tools"] as JsonArray ?? []).Select(t => t?["name"]?.GetValue<string>()).OfType<string>().ToArray();

    /// <summary>
    /// How many assistant turns in the conversation already called a tool. A scripted agent that makes one
    /// call per turn uses this as its step counter, so a retried request gets the same step again.
    /// </summary>
    public int CompletedToolTurns => Messages.OfType<JsonObject>().Count(m =>
        m["role"]?.GetValue<string>() == "assistant" &&
        m["content"] is JsonArray blocks &&
        blocks.OfType<JsonObject>().Any(b => b["type"]?.GetValue<string>() == "tool_use"));

    /// <summary>The project directory Claude Code announces in its prompt, or null.</summary>
    public string? WorkingDirectory => ClaudeCodePrompt.FindWorkingDirectory(Body);
}
