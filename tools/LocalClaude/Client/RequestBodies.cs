using System.Text;
using System.Text.Json.Nodes;

namespace LocalClaude.Client;

/// <summary>Request bodies the checks send. Greedy sampling makes the answers repeatable on any model.</summary>
public static class RequestBodies
{
    public const string Prompt = "Write one short sentence about the sea.";

    public static JsonObject Greedy(string model, string prompt = Prompt, int maxTokens = 24, bool stream = false) => new()
    {
        ["model"] = model,
        ["max_tokens"] = maxTokens,
        ["temperature"] = 0,
        ["top_k"] = 1,
        ["stream"] = stream,
        ["messages"] = new JsonArray(User(prompt)),
    };

    public static JsonObject User(string text) => new() { ["role"] = "user", ["content"] = text };
    public static JsonObject Assistant(JsonNode content) => new() { ["role"] = "assistant", ["content"] = content };

    public static JsonObject WithStream(this JsonObject body, bool stream)
    {
        var copy = (JsonObject)body.DeepClone();
        copy["stream"] = stream;
        return copy;
    }

    public static JsonObject With(this JsonObject body, string key, JsonNode? value)
    {
        var copy = (JsonObject)body.DeepClone();
        copy[key] = value;
        return copy;
    }

    public static JsonObject Without(this JsonObject body, string key)
    {
        var copy = (JsonObject)body.DeepClone();
        copy.Remove(key);
        return copy;
    }

    /// <summary>A tool in Anthropic's shape.</summary>
    public static JsonObject WeatherTool() => JsonNode.Parse("""
        {"name":"get_weather","description":"Current weather for a city.",
         "input_schema":{"type":"object","properties":{"city":{"type":"string","description":"City name"}},"required":["city"]}}
        """)!.AsObject();

    public static JsonObject TimeTool() => JsonNode.Parse("""
        {"name":"get_time","description":"Current time in a timezone.",
         "input_schema":{"type":"object","properties":{"timezone":{"type":"string"}},"required":["timezone"]}}
        """)!.AsObject();

    /// <summary>Claude Code's Bash tool, as 2.1.328 declares it (shortened description).</summary>
    public static JsonObject BashTool() => JsonNode.Parse("""
        {"name":"Bash","description":"Executes a given bash command and returns its output.",
         "input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
           "properties":{"command":{"type":"string","description":"The command to execute"},
                         "timeout":{"type":"number","description":"Optional timeout in milliseconds (max 600000)"},
                         "description":{"type":"string","description":"Clear, concise description of what this command does"}},
           "required":["command"]}}
        """)!.AsObject();

    /// <summary>
    /// The route to a real tool_use block on a model that will not call tools by itself: the assistant turn is prefilled
    /// with a complete call in the template's syntax (Qwen's <c>&lt;tool_call&gt;</c>), the grammar requires a call
    /// (<c>tool_choice</c> any), and a stop sequence ends generation where a second call would start.
    /// </summary>
    public static JsonObject ToolCallByPrefill(string model, string tool, JsonObject input, JsonArray tools, bool stream, JsonNode? toolChoice = null)
    {
        var call = new JsonObject { ["name"] = tool, ["arguments"] = input.DeepClone() };
        return new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = 64,
            ["temperature"] = 0,
            ["top_k"] = 1,
            ["stream"] = stream,
            ["tools"] = tools.DeepClone(),
            ["tool_choice"] = toolChoice?.DeepClone() ?? new JsonObject { ["type"] = "any" },
            ["stop_sequences"] = new JsonArray("<tool_call>"),
            ["messages"] = new JsonArray(
                User($"Call {tool}."),
                Assistant($"<tool_call>\n{call.ToJsonString()}\n</tool_call>")),
        };
    }

    public const string PrefillRoute = "assistant prefill with a <tool_call> + tool_choice any + stop sequence (random weights do not call tools by themselves)";
    public const string NaturalRoute = "asked in plain words; the model chose";

    /// <summary>A 1x1 PNG (red pixel).</summary>
    public const string TinyPngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    public static JsonObject ImageBlock() => new()
    {
        ["type"] = "image",
        ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = TinyPngBase64 },
    };

    /// <summary>A word from the middle of the text, so that stopping on it is observable.</summary>
    public static string? PickStopSequence(string text)
    {
        var words = text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length >= 3).ToList();
        if (words.Count < 2) return null;
        var word = words[words.Count / 2];
        // The stop must not occur before its chosen place, or the comparison is about another position.
        return text.IndexOf(word, StringComparison.Ordinal) > 0 ? word : null;
    }

    /// <summary>A deterministic text of about <paramref name="tokens"/> tokens (a numbered list of short lines).</summary>
    public static string LongText(int tokens, string salt)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Reference notes {salt}. Use them when asked.");
        // Digits and short words: about 3 characters a token with the Qwen tokenizer.
        for (var i = 0; sb.Length < tokens * 3; i++)
            sb.AppendLine($"{i:D5}. The harbour log lists ship {i * 7 % 997} arriving at dock {i % 31}.");
        return sb.ToString();
    }
}
