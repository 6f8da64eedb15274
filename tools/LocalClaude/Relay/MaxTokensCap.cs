using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalClaude.Relay;

/// <summary>
/// Lowers a Messages request's <c>max_tokens</c> to a profile's MAX_OUTPUT_TOKENS. Needed on CPU profiles: a random
/// model rarely stops, Claude Code asks for 32000 tokens, and llama-server's <c>-n</c> does not cap a request that
/// names its own max_tokens (v0.5.0 generated 7,400 tokens for one request started with <c>-n 256</c>).
/// </summary>
public static class MaxTokensCap
{
    /// <summary>The body with max_tokens lowered to <paramref name="cap"/>, or the same text when nothing needs lowering.</summary>
    public static string Apply(string json, int? cap)
    {
        if (cap is not { } limit || !json.Contains("\"max_tokens\"", StringComparison.Ordinal)) return json;
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { return json; }
        if (node is not JsonObject body || body["max_tokens"] is not JsonValue value || !value.TryGetValue<long>(out var asked) || asked <= limit)
            return json;
        body["max_tokens"] = limit;
        return body.ToJsonString(WireJson.Options);
    }

    public static byte[] Apply(byte[] json, int? cap) =>
        cap is null ? json : Encoding.UTF8.GetBytes(Apply(Encoding.UTF8.GetString(json), cap));
}
