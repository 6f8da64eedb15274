using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LocalClaude.ScriptedControls;

/// <summary>Facts a control reads out of Claude Code's request text.</summary>
public static partial class ClaudeCodePrompt
{
    /// <summary>
    /// The directory Claude Code works in. It announces it in an environment section, e.g. a line
    /// "Primary working directory: /path" (or "Working directory: /path"), either in the system prompt or in a
    /// role:system/user message. Returns the first absolute path found, or null.
    /// </summary>
    public static string? FindWorkingDirectory(JsonObject body)
    {
        foreach (var text in Texts(body))
        {
            var match = WorkingDirectoryLine().Match(text);
            if (match.Success) return match.Groups["path"].Value.TrimEnd();
        }
        return null;
    }

    /// <summary>All text in the system prompt and in the messages, in order.</summary>
    public static IEnumerable<string> Texts(JsonObject body)
    {
        foreach (var text in TextsOf(body["system"])) yield return text;
        if (body["messages"] is not JsonArray messages) yield break;
        foreach (var message in messages.OfType<JsonObject>())
            foreach (var text in TextsOf(message["content"]))
                yield return text;
    }

    private static IEnumerable<string> TextsOf(JsonNode? content)
    {
        switch (content)
        {
            case JsonValue value when value.TryGetValue<string>(out var s):
                yield return s;
                break;
            case JsonArray blocks:
                foreach (var block in blocks.OfType<JsonObject>())
                    if (block["text"] is JsonValue t && t.TryGetValue<string>(out var text))
                        yield return text;
                break;
        }
    }

    [GeneratedRegex(@"^[ \t\-*]*(?:Primary working directory|Working directory|Current working directory|cwd)\s*:\s*(?<path>/[^\r\n]*)$",
        RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex WorkingDirectoryLine();
}
