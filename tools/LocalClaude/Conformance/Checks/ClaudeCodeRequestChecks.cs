using System.Text.Json.Nodes;
using LocalClaude.Client;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>The fields, query and headers the real Claude Code 2.1.328 sends: each must be accepted.</summary>
internal static class ClaudeCodeRequestChecks
{
    public const string Area = "claude-code";

    public static IEnumerable<ConformanceCheck> All =>
    [
        Accepted("request.thinking-adaptive", "thinking {type: adaptive}", b => b.With("thinking", JsonNode.Parse("""{"type":"adaptive","display":"omitted"}"""))),
        Accepted("request.context-management", "context_management edits (clear_thinking)", b => b.With("context_management", JsonNode.Parse("""{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]}"""))),
        Accepted("request.output-config-effort", "output_config {effort: high}", b => b.With("output_config", JsonNode.Parse("""{"effort":"high"}"""))),
        Accepted("request.metadata-user-id", "metadata.user_id as a JSON string", b => b.With("metadata", JsonNode.Parse("""{"user_id":"{\"device_id\":\"0f3c\",\"account_uuid\":\"\",\"session_id\":\"7d1e\"}"}"""))),
        Accepted("request.defer-loading-tool", "a tool with defer_loading: true", b => b.With("tools", new JsonArray(WeatherTool().With("defer_loading", true), BashTool()))),
        Accepted("request.beta-query", "POST /v1/messages?beta=true", b => b, path: CheckContext.MessagesPath + "?beta=true"),
        Accepted("request.claude-code-headers", "Claude Code's headers (anthropic-beta, x-app, user agent, session id, x-stainless-*)", b => b, headers: ClaudeCodeHeaders),
        new("request.output-config-format", Area, "output_config.format (a JSON schema, as the background title call sends) is honoured", OutputFormat),
    ];

    private static IReadOnlyDictionary<string, string> ClaudeCodeHeaders(string apiKey)
    {
        var headers = RawMessagesClient.DefaultHeaders(apiKey);
        headers["anthropic-beta"] = "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14";
        headers["anthropic-dangerous-direct-browser-access"] = "true";
        headers["x-app"] = "cli";
        headers["user-agent"] = "claude-cli/2.1.328 (external, sdk-cli)";
        headers["x-claude-code-session-id"] = "4b6f3c2a-0000-4000-8000-000000000000";
        headers["x-stainless-lang"] = "js";
        headers["x-stainless-package-version"] = "0.70.0";
        headers["x-stainless-retry-count"] = "0";
        headers["x-stainless-timeout"] = "600";
        return headers;
    }

    private static ConformanceCheck Accepted(string id, string what, Func<JsonObject, JsonObject> change, string path = CheckContext.MessagesPath,
        Func<string, IReadOnlyDictionary<string, string>>? headers = null) =>
        new(id, Area, $"Accepted: {what}", async (c, ct) =>
        {
            var x = await c.PostAsync(change(Greedy(c.Model, maxTokens: 8, stream: true)), ct, path, headers?.Invoke(c.ApiKey));
            return x.Ok
                ? CheckVerdict.Pass($"accepted ({x.Message?.Usage.OutputTokens} tokens streamed)").JudgedBy(x)
                : CheckVerdict.Fail($"HTTP {x.Status}: {x.Error?.ErrorMessage}").With(x);
        });

    private static async Task<CheckVerdict> OutputFormat(CheckContext c, CancellationToken ct)
    {
        var format = JsonNode.Parse("""
            {"format":{"type":"json_schema","schema":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"],"additionalProperties":false}}}
            """);
        var body = Greedy(c.Model, "Write a 3-word title for a chat about the sea, as JSON.", maxTokens: 48).With("output_config", format).With("tools", new JsonArray());
        var x = await c.PostAsync(body, ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}: {x.Error?.ErrorMessage}").With(x);
        var text = x.Message!.Text.Trim();
        var parsed = TryParse(text);
        var verdict = parsed?["title"] is JsonValue
            ? CheckVerdict.Pass($"answer is JSON with a title: {CheckedExchange.Excerpt(text, 80)}")
            : CheckVerdict.Deviation(c.Synthetic
                ? "accepted, but the schema is not enforced (random weights produced free text, which a grammar would have prevented)"
                : "accepted, but the answer is not JSON matching the schema");
        return verdict.JudgedBy(x);
    }

    private static JsonNode? TryParse(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
