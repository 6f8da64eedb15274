using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalClaude.Traffic;

/// <summary>
/// A field-level diff of two JSON values: one line per added (+), removed (-) or changed (~) path, e.g.
/// <c>~ input_schema.properties.timeout.maximum: 600000 -> 1200000</c>. Arrays of names (a schema's <c>required</c>,
/// an <c>enum</c>) compare as sets; other arrays by position. Long strings show only the neighbourhood of the first
/// difference, so a one-word change in a 2 KB tool description reads as one word.
/// </summary>
public static class JsonNodeDiff
{
    private const int Context = 40;

    public static IReadOnlyList<string> Lines(JsonNode? before, JsonNode? after)
    {
        var lines = new List<string>();
        Walk("", before, after, lines);
        return lines;
    }

    private static void Walk(string path, JsonNode? before, JsonNode? after, List<string> lines)
    {
        var at = path.Length == 0 ? "(root)" : path;
        switch (before, after)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)).Order(StringComparer.Ordinal))
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (!b.ContainsKey(key)) lines.Add($"- {child}: {Short(a[key])}");
                    else if (!a.ContainsKey(key)) lines.Add($"+ {child}: {Short(b[key])}");
                    else Walk(child, a[key], b[key], lines);
                }
                break;
            case (JsonArray a, JsonArray b) when IsStringSet(a) && IsStringSet(b):
                var left = a.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                var right = b.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                foreach (var added in right.Except(left).Order(StringComparer.Ordinal)) lines.Add($"+ {at}[]: \"{added}\"");
                foreach (var removed in left.Except(right).Order(StringComparer.Ordinal)) lines.Add($"- {at}[]: \"{removed}\"");
                break;
            case (JsonArray a, JsonArray b):
                for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
                {
                    if (i >= b.Count) lines.Add($"- {at}[{i}]: {Short(a[i])}");
                    else if (i >= a.Count) lines.Add($"+ {at}[{i}]: {Short(b[i])}");
                    else Walk($"{at}[{i}]", a[i], b[i], lines);
                }
                break;
            default:
                if (JsonNode.DeepEquals(before, after)) return;
                if (before is JsonValue x && after is JsonValue y
                    && x.GetValueKind() == JsonValueKind.String && y.GetValueKind() == JsonValueKind.String)
                    lines.Add($"~ {at}: {StringChange(x.GetValue<string>(), y.GetValue<string>())}");
                else
                    lines.Add($"~ {at}: {Short(before)} -> {Short(after)}");
                break;
        }
    }

    private static bool IsStringSet(JsonArray array) =>
        array.Count > 0 && array.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String);

    /// <summary>Both strings around their first difference, with the length change: <c>"…ends at 2 min…" -> "…ends at 10 min…" (+1 chars)</c>.</summary>
    private static string StringChange(string before, string after)
    {
        if (before.Length + after.Length <= 2 * Context) return $"{Quote(before)} -> {Quote(after)}";
        var start = 0;
        while (start < before.Length && start < after.Length && before[start] == after[start]) start++;
        var endBefore = before.Length;
        var endAfter = after.Length;
        while (endBefore > start && endAfter > start && before[endBefore - 1] == after[endAfter - 1]) { endBefore--; endAfter--; }
        // The window opens and closes at word boundaries (both strings share the prefix, so they open at the same place).
        var from = Math.Max(0, start - Context / 2);
        while (from > 0 && before[from - 1] != ' ' && start - from < Context) from--;
        // Several edits far apart in one long text (a tool description) show as the first one only, marked as more.
        var spread = Math.Max(endBefore, endAfter) - start > 2 * Context;
        string Window(string s, int end)
        {
            var to = Math.Min(s.Length, (spread ? start + Context : Math.Max(end, start)) + Context / 2);
            while (to < s.Length && s[to] != ' ' && to - end < Context) to++;
            return (from > 0 ? "…" : "") + s[from..to] + (to < s.Length ? "…" : "");
        }
        var delta = after.Length - before.Length;
        return $"{Quote(Window(before, endBefore))} -> {Quote(Window(after, endAfter))} ({(delta >= 0 ? "+" : "")}{delta} chars{(spread ? ", more changes further on" : "")})";
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s, FixtureJson.Wire);

    private static string Short(JsonNode? node)
    {
        var json = node?.ToJsonString(FixtureJson.Wire) ?? "null";
        return json.Length <= 2 * Context ? json : json[..(2 * Context)] + $"… ({json.Length} chars)";
    }
}
