using System.Text.Json;
using System.Text.Json.Nodes;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>tool_choice, streamed tool arguments, and tool results in every shape Claude Code sends.</summary>
internal static class ToolChecks
{
    public const string Area = "tools";

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("tools.choice-auto", Area, "tool_choice auto with tools is accepted", ChoiceAuto),
        new("tools.choice-any", Area, "tool_choice any: the answer is a tool call", ChoiceAny),
        new("tools.choice-named", Area, "tool_choice {type:tool,name}: the named tool is the one called", ChoiceNamed),
        new("tools.choice-none", Area, "tool_choice none: no tool call", ChoiceNone),
        new("tools.input-json-delta", Area, "Streamed input_json_delta assembles to the same input as the non-streamed tool_use", InputJsonDelta),
        new("tools.result-string", Area, "tool_result with string content", (r, ct) => ResultRound(r, JsonValue.Create("file1.txt\nfile2.txt")!, false, ct)),
        new("tools.result-blocks", Area, "tool_result with text-block content", (r, ct) => ResultRound(r, JsonNode.Parse("""[{"type":"text","text":"file1.txt"},{"type":"text","text":"file2.txt"}]""")!, false, ct)),
        new("tools.result-is-error", Area, "tool_result with is_error true", (r, ct) => ResultRound(r, JsonValue.Create("bash: nosuchcmd: command not found")!, true, ct)),
        new("tools.result-image", Area, "tool_result holding an image: answered on a vision profile, a clear 4xx error elsewhere", ResultImage),
        new("tools.official-sdk", Area, "The official Anthropic C# SDK consumes a streamed tool call", OfficialSdk),
    ];

    private static JsonArray Tools() => new(WeatherTool(), TimeTool());

    /// <summary>A weather tool call: by prefill on random weights, by asking on a real model.</summary>
    public static async Task<(CheckedExchange Exchange, string Route)> CallWeatherToolAsync(CheckContext c, bool stream, CancellationToken ct, JsonNode? toolChoice = null)
    {
        if (c.Synthetic)
            return (await c.PostAsync(ToolCallByPrefill(c.Model, "get_weather", new JsonObject { ["city"] = "Paris" }, Tools(), stream, toolChoice), ct), PrefillRoute);
        var body = Greedy(c.Model, "What is the weather in Paris right now? Use the get_weather tool.", maxTokens: 256, stream: stream)
            .With("tools", Tools())
            .With("tool_choice", toolChoice?.DeepClone() ?? new JsonObject { ["type"] = "any" });
        return (await c.PostAsync(body, ct), NaturalRoute);
    }

    private static CheckVerdict? NeedsTools(CheckContext c) =>
        c.Capabilities.Tools ? null : CheckVerdict.NotApplicable("profile has TOOLS = no");

    private static async Task<CheckVerdict> ChoiceAuto(CheckContext c, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        var x = await c.PostAsync(Greedy(c.Model, "What is the weather in Paris?", maxTokens: 48)
            .With("tools", Tools()).With("tool_choice", new JsonObject { ["type"] = "auto" }), ct);
        return x.Ok ? CheckVerdict.Pass($"accepted; stop_reason {x.Message!.StopReason}").JudgedBy(x) : CheckVerdict.Fail($"HTTP {x.Status}").With(x);
    }

    private static async Task<CheckVerdict> ChoiceAny(CheckContext c, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        var (x, route) = await CallWeatherToolAsync(c, stream: false, ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x, route);
        if (!x.Message!.ToolUses.Any()) return CheckVerdict.Fail($"no tool_use block; stop_reason {x.Message.StopReason}").With(x, route).JudgedBy(x);
        if (!c.Synthetic) return CheckVerdict.Pass("the model called a tool").With(x, route).JudgedBy(x);

        // On random weights the prefill proves the plumbing; whether "any" is enforced shows without the prefill:
        // a grammar that requires a call leaves a random model no way to answer in prose.
        var free = await c.PostAsync(Greedy(c.Model, "What is the weather in Paris?", maxTokens: 48)
            .With("tools", Tools()).With("tool_choice", new JsonObject { ["type"] = "any" }), ct);
        if (!free.Ok) return CheckVerdict.Fail($"without prefill: HTTP {free.Status}").With(free);
        return (free.Message!.ToolUses.Any()
                ? CheckVerdict.Pass("a tool call comes back (prefill), and without prefill the grammar forced a call")
                : CheckVerdict.Deviation($"a tool call comes back by prefill, but without it the answer is prose (stop_reason {free.Message.StopReason}): tool_choice any is not enforced"))
            .With(x, route, note: $"without prefill: {CheckedExchange.Excerpt(free.Exchange.ResponseText, 300)}").JudgedBy(x, free);
    }

    private static async Task<CheckVerdict> ChoiceNamed(CheckContext c, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        // Ask for get_time while the conversation (or the model) goes for get_weather: the server must hold to the name.
        var named = new JsonObject { ["type"] = "tool", ["name"] = "get_time" };
        var (x, route) = await CallWeatherToolAsync(c, stream: false, ct, named);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x, route);
        var called = x.Message!.ToolUses.Select(t => t.Name).ToList();
        var verdict = called.Count == 0
            ? CheckVerdict.Fail($"no tool_use; stop_reason {x.Message.StopReason}")
            : called.All(n => n == "get_time")
                ? CheckVerdict.Pass("only get_time was called")
                : CheckVerdict.Deviation($"tool_choice named get_time but {string.Join(", ", called)} was called: the name is not enforced");
        return verdict.With(x, route).JudgedBy(x);
    }

    private static async Task<CheckVerdict> ChoiceNone(CheckContext c, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        var x = await c.PostAsync(Greedy(c.Model, "What is the weather in Paris? Use the get_weather tool.", maxTokens: 48)
            .With("tools", Tools()).With("tool_choice", new JsonObject { ["type"] = "none" }), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x);
        var verdict = x.Message!.ToolUses.Any()
            ? CheckVerdict.Deviation("tool_choice none, yet a tool was called")
            : CheckVerdict.Pass(c.Synthetic ? "no tool call (random weights never call tools unprompted, so this cannot be contradicted)" : "no tool call");
        return verdict.With(x, c.Synthetic ? "asked without prefill" : NaturalRoute).JudgedBy(x);
    }

    private static async Task<CheckVerdict> InputJsonDelta(CheckContext c, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        var (plain, route) = await CallWeatherToolAsync(c, stream: false, ct);
        var (streamed, _) = await CallWeatherToolAsync(c, stream: true, ct);
        if (!plain.Ok || !streamed.Ok) return CheckVerdict.Fail($"HTTP {plain.Status} / {streamed.Status}").With(streamed, route);
        var a = plain.Message!.ToolUses.FirstOrDefault();
        var b = streamed.Message!.ToolUses.FirstOrDefault();
        if (a is null || b is null) return CheckVerdict.Fail("no tool_use block to compare").With(streamed, route).JudgedBy(plain, streamed);
        var deltas = streamed.Exchange.ResponseText.Split('\n').Count(l => l.Contains("\"input_json_delta\""));
        var same = a.Input is { } ai && b.Input is { } bi && JsonElement.DeepEquals(ai, bi);
        var verdict = same
            ? CheckVerdict.Pass($"{deltas} input_json_delta event(s) assemble to {b.InputJson}")
            : CheckVerdict.Fail($"streamed input {b.InputJson} ≠ non-streamed {a.InputJson}");
        return verdict.With(streamed, route).JudgedWithAmbientBy(plain, streamed);
    }

    /// <summary>A second turn after a tool call, carrying the result the way Claude Code does.</summary>
    private static JsonObject ToolResultConversation(string model, JsonNode content, bool isError)
    {
        var body = Greedy(model, maxTokens: 16, stream: true).With("tools", new JsonArray(BashTool()));
        body["messages"] = new JsonArray(
            User("List the files."),
            Assistant(JsonNode.Parse("""[{"type":"text","text":"Listing them."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"Bash","input":{"command":"ls","description":"List files"}}]""")!),
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject
                {
                    ["type"] = "tool_result",
                    ["tool_use_id"] = "toolu_01A09q90qw90lq917835lq9",
                    ["content"] = content.DeepClone(),
                    ["is_error"] = isError,
                    ["cache_control"] = new JsonObject { ["type"] = "ephemeral" },
                }),
            });
        return body;
    }

    private static async Task<CheckVerdict> ResultRound(CheckContext c, JsonNode content, bool isError, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        var x = await c.PostAsync(ToolResultConversation(c.Model, content, isError), ct);
        return x.Ok ? CheckVerdict.Pass("accepted and answered").JudgedBy(x) : CheckVerdict.Fail($"HTTP {x.Status}").With(x);
    }

    private static async Task<CheckVerdict> ResultImage(CheckContext c, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        var content = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "screenshot:" }, ImageBlock());
        var x = await c.PostAsync(ToolResultConversation(c.Model, content, false), ct);
        return VisionChecks.JudgeImageAnswer(c, x);
    }

    private static async Task<CheckVerdict> OfficialSdk(CheckContext c, CancellationToken ct)
    {
        if (NeedsTools(c) is { } na) return na;
        var (x, route) = await CallWeatherToolAsync(c, stream: true, ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x, route);
        var verdict = await StreamingChecks.ConsumedByOfficialSdk(x, c.Model, ct);
        return verdict with { Evidence = verdict.Evidence! with { Route = route } };
    }
}
