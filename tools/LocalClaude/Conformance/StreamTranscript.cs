using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalClaude.Protocol;

namespace LocalClaude.Conformance;

/// <summary>One event of a transcript: its SSE name and its data with volatile values replaced (<c>&lt;id&gt;</c>, <c>&lt;n&gt;</c>).</summary>
public sealed record TranscriptEvent(string Name, string Data)
{
    public override string ToString() => $"{Name} {Data}";
}

/// <summary>
/// A normalized, readable transcript of an SSE stream: one line per event, ids, times and token counts scrubbed,
/// deterministic text kept. Committed as a snapshot, a change in llama-server's stream shape shows as a diff.
/// </summary>
public static class StreamTranscript
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> ScrubbedNumbers = ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"];
    private static readonly HashSet<string> ScrubbedStrings = ["id", "tool_use_id"];

    public static IReadOnlyList<TranscriptEvent> Normalize(ReadOnlySpan<byte> sse)
    {
        var events = new List<TranscriptEvent>();
        foreach (var e in SseReader.Parse(sse).Events)
        {
            var name = e.EventName ?? "(no event name)";
            JsonNode? data;
            try { data = JsonNode.Parse(e.Data); }
            catch (JsonException) { events.Add(new TranscriptEvent(name, e.Data)); continue; }
            Scrub(data);
            events.Add(new TranscriptEvent(name, data?.ToJsonString(Readable) ?? "null"));
        }
        return events;
    }

    private static void Scrub(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (ScrubbedNumbers.Contains(key) && value is JsonValue) o[key] = "<n>";
                    else if (ScrubbedStrings.Contains(key) && value is JsonValue v && v.TryGetValue<string>(out _)) o[key] = "<id>";
                    else Scrub(value);
                }
                break;
            case JsonArray a:
                foreach (var item in a) Scrub(item);
                break;
        }
    }
}
