using System.Collections.Frozen;

namespace LocalClaude.Protocol;

/// <summary>The parts of the Anthropic Messages API the validators check against.</summary>
public static class AnthropicSpec
{
    public static readonly FrozenSet<string> StopReasons = FrozenSet.Create(StringComparer.Ordinal,
        "end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded");

    /// <summary>Block types whose input streams as input_json_delta.</summary>
    public static readonly FrozenSet<string> ToolBlockTypes = FrozenSet.Create(StringComparer.Ordinal,
        "tool_use", "server_tool_use", "mcp_tool_use");

    /// <summary>Content block types of the Messages API (including server-tool results), for the unknown-type note.</summary>
    public static readonly FrozenSet<string> BlockTypes = FrozenSet.Create(StringComparer.Ordinal,
        "text", "thinking", "redacted_thinking", "tool_use", "server_tool_use", "mcp_tool_use", "mcp_tool_result",
        "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result", "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result", "tool_search_tool_result", "container_upload");

    /// <summary>The block types each known delta type may be applied to.</summary>
    public static readonly FrozenDictionary<string, FrozenSet<string>> DeltaTargets = new Dictionary<string, FrozenSet<string>>
    {
        ["text_delta"] = FrozenSet.Create(StringComparer.Ordinal, "text"),
        ["citations_delta"] = FrozenSet.Create(StringComparer.Ordinal, "text"),
        ["input_json_delta"] = ToolBlockTypes,
        ["thinking_delta"] = FrozenSet.Create(StringComparer.Ordinal, "thinking"),
        ["signature_delta"] = FrozenSet.Create(StringComparer.Ordinal, "thinking"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The field each known delta type carries and its JSON kind ("string" or "object").</summary>
    public static readonly FrozenDictionary<string, (string Field, bool IsObject)> DeltaPayloads = new Dictionary<string, (string, bool)>
    {
        ["text_delta"] = ("text", false),
        ["citations_delta"] = ("citation", true),
        ["input_json_delta"] = ("partial_json", false),
        ["thinking_delta"] = ("thinking", false),
        ["signature_delta"] = ("signature", false),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Anthropic's error types and the HTTP status each comes with.</summary>
    public static readonly FrozenDictionary<string, int> ErrorTypeStatus = new Dictionary<string, int>
    {
        ["invalid_request_error"] = 400,
        ["authentication_error"] = 401,
        ["billing_error"] = 402,
        ["permission_error"] = 403,
        ["not_found_error"] = 404,
        ["request_too_large"] = 413,
        ["rate_limit_error"] = 429,
        ["api_error"] = 500,
        ["timeout_error"] = 504,
        ["overloaded_error"] = 529,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public const string MessageIdPrefix = "msg_";

    /// <summary>The id prefix Anthropic uses for a tool block type, null when it has none to check.</summary>
    public static string? ToolIdPrefix(string blockType) => blockType switch
    {
        "tool_use" => "toolu_",
        "server_tool_use" => "srvtoolu_",
        _ => null,
    };
}
