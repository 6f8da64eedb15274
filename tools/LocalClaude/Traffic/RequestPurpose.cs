using System.Text.Json.Nodes;

namespace LocalClaude.Traffic;

/// <summary>What one of Claude Code's requests is for; replay reports and the cache analysis group by it.</summary>
public static class RequestPurpose
{
    /// <summary>A main-loop <c>/v1/messages</c> call: it carries the tool definitions.</summary>
    public const string Main = "main";
    /// <summary>A <c>/v1/messages</c> call without tools: title generation and other background ("Haiku") calls.</summary>
    public const string Background = "background";
    public const string CountTokens = "count-tokens";
    /// <summary>Anything that is not a POST to the Messages API, e.g. <c>HEAD /api/hello</c> at start-up.</summary>
    public const string Probe = "probe";
    public const string Other = "other";

    public static string Classify(string method, string pathAndQuery, JsonNode? body)
    {
        var path = pathAndQuery.Split('?', 2)[0].TrimEnd('/');
        if (!method.Equals("POST", StringComparison.OrdinalIgnoreCase)) return Probe;
        if (path.EndsWith("/v1/messages/count_tokens", StringComparison.Ordinal)) return CountTokens;
        if (!path.EndsWith("/v1/messages", StringComparison.Ordinal)) return Other;
        return body?["tools"] is JsonArray { Count: > 0 } ? Main : Background;
    }

    /// <summary>Requests whose answer is a Messages API response that the stream/body validator understands.</summary>
    public static bool IsMessages(string purpose) => purpose is Main or Background;
}
