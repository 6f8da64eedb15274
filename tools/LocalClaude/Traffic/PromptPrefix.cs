using System.Text.Json.Nodes;

namespace LocalClaude.Traffic;

/// <summary>
/// Where a turn's prompt stops extending the previous turn's, in the order a chat template renders it (system blocks,
/// tools, messages). A difference before the new messages is what forces a server to reprocess the prompt.
/// </summary>
public static class PromptPrefix
{
    /// <summary>Null when <paramref name="current"/> only appends to <paramref name="previous"/>; else the first differing part, e.g. <c>system[0]</c>.</summary>
    public static string? FirstDifference(JsonNode? previous, JsonNode? current)
    {
        if (previous is not JsonObject before || current is not JsonObject after) return "body";
        var oldSystem = Blocks(before["system"]);
        var newSystem = Blocks(after["system"]);
        for (var i = 0; i < Math.Max(oldSystem.Count, newSystem.Count); i++)
            if (i >= oldSystem.Count || i >= newSystem.Count || oldSystem[i] != newSystem[i])
                return $"system[{i}]" + (i == 0 && newSystem.Count > 0 && newSystem[0].Contains("billing-header", StringComparison.Ordinal) ? " (billing header)" : "");
        if (Canonical(before["tools"]) != Canonical(after["tools"])) return "tools";
        var oldMessages = before["messages"] as JsonArray ?? [];
        var newMessages = after["messages"] as JsonArray ?? [];
        for (var i = 0; i < oldMessages.Count; i++)
        {
            if (i >= newMessages.Count) return $"messages[{i}] (dropped)";
            if (Canonical(oldMessages[i]) != Canonical(newMessages[i]))
                return $"messages[{i}] (role {newMessages[i]?["role"]})";
        }
        return null;
    }

    private static List<string> Blocks(JsonNode? system) => system switch
    {
        JsonArray blocks => blocks.Select(Canonical).ToList(),
        JsonValue text => [text.ToJsonString()],
        _ => [],
    };

    /// <summary>
    /// The node as a template sees it: without cache_control marks, and with a content array of one text block written
    /// as the plain string. Claude Code marks the last message with cache_control as an array, and sends the same
    /// message as a string on the next turn: the rendered prompt is the same.
    /// </summary>
    private static string Canonical(JsonNode? node)
    {
        if (node is null) return "null";
        var copy = node.DeepClone();
        Strip(copy);
        if (copy is JsonObject message && message["content"] is JsonArray { Count: 1 } blocks
            && blocks[0] is JsonObject { Count: 2 } only && only["type"]?.ToString() == "text" && only["text"] is JsonValue text)
            message["content"] = text.DeepClone();
        return copy.ToJsonString();
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("cache_control");
                foreach (var (_, value) in obj) Strip(value);
                break;
            case JsonArray array:
                foreach (var item in array) Strip(item);
                break;
        }
    }
}
