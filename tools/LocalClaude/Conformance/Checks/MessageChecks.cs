using System.Text.Json.Nodes;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>The shape of a plain answer, model names, system prompts and system messages.</summary>
internal static class MessageChecks
{
    public const string Area = "message";

    /// <summary>Model names Claude Code sends (its defaults and the alias targets): a local server must serve them all.</summary>
    public static readonly string[] ClaudeModelNames =
        ["claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-opus-5-5"];

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("message.shape", Area, "A plain request gets an Anthropic message (type, role, content, stop_reason, usage, ids)", Shape),
        new("message.model-names", Area, "Claude model names are served (any name reaches the loaded model)", ModelNames),
        new("message.system-string", Area, "system as a string", SystemString),
        new("message.system-blocks", Area, "system as text blocks with cache_control (as Claude Code sends it)", SystemBlocks),
        new("message.role-system-in-messages", Area, "\"role\":\"system\" entries inside messages (Claude Code sends them mid-conversation)", RoleSystemInMessages),
    ];

    private static async Task<CheckVerdict> Shape(CheckContext c, CancellationToken ct)
    {
        var x = await c.PostAsync(Greedy(c.Model), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x);
        return CheckVerdict.Pass($"message with {x.Message?.Content.Count ?? 0} block(s), stop_reason {x.Message?.StopReason}").JudgedWithAmbientBy(x);
    }

    private static async Task<CheckVerdict> ModelNames(CheckContext c, CancellationToken ct)
    {
        var answered = new List<string>();
        CheckedExchange? last = null;
        foreach (var name in ClaudeModelNames)
        {
            var x = await c.PostAsync(Greedy(name, maxTokens: 4), ct);
            last = x;
            if (!x.Ok) return CheckVerdict.Fail($"'{name}' answered HTTP {x.Status}").With(x);
            answered.Add(x.Message?.Model ?? "?");
        }
        var renamed = answered.Distinct().Where(m => !ClaudeModelNames.Contains(m)).ToList();
        var verdict = renamed.Count > 0
            ? CheckVerdict.Deviation($"all {ClaudeModelNames.Length} names served; the response's model is '{string.Join("', '", renamed)}', not the requested name")
            : CheckVerdict.Pass($"all {ClaudeModelNames.Length} names served and echoed");
        return verdict.With(last!);
    }

    private static async Task<CheckVerdict> SystemString(CheckContext c, CancellationToken ct)
    {
        var x = await c.PostAsync(Greedy(c.Model, maxTokens: 8).With("system", "You are terse."), ct);
        return x.Ok ? CheckVerdict.Pass("accepted").JudgedBy(x) : CheckVerdict.Fail($"HTTP {x.Status}").With(x);
    }

    private static async Task<CheckVerdict> SystemBlocks(CheckContext c, CancellationToken ct)
    {
        var system = JsonNode.Parse("""
            [{"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.328.abc; cc_entrypoint=sdk-cli; cch=00000;"},
             {"type":"text","text":"You are Claude Code, Anthropic's official CLI for Claude.","cache_control":{"type":"ephemeral"}},
             {"type":"text","text":"Be terse.","cache_control":{"type":"ephemeral"}}]
            """);
        var body = Greedy(c.Model, maxTokens: 8).With("system", system);
        body["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Prompt, ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } }),
        });
        var x = await c.PostAsync(body, ct);
        return x.Ok ? CheckVerdict.Pass("accepted").JudgedBy(x) : CheckVerdict.Fail($"HTTP {x.Status}").With(x);
    }

    private static async Task<CheckVerdict> RoleSystemInMessages(CheckContext c, CancellationToken ct)
    {
        var body = Greedy(c.Model, maxTokens: 8);
        body["messages"] = new JsonArray(
            User("Hello."),
            Assistant("Hi."),
            new JsonObject { ["role"] = "system", ["content"] = "<system-reminder>Today's date is 2026-11-25.</system-reminder>" },
            User(Prompt));
        var x = await c.PostAsync(body, ct);
        return x.Ok
            ? CheckVerdict.Pass("accepted").JudgedBy(x)
            : CheckVerdict.Fail($"HTTP {x.Status}: Claude Code's mid-conversation system messages are refused").With(x);
    }
}
