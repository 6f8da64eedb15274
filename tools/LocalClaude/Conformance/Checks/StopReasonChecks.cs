using System.Text.Json.Nodes;
using LocalClaude.Client;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>Each stop reason Claude Code relies on, reached on purpose.</summary>
internal static class StopReasonChecks
{
    public const string Area = "stop-reasons";

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("stop.max-tokens", Area, "max_tokens reached: stop_reason max_tokens, output_tokens within the limit", MaxTokens),
        new("stop.end-turn", Area, "The model ends its turn: stop_reason end_turn", EndTurn),
        new("stop.stop-sequence", Area, "A stop sequence hit: stop_reason stop_sequence and the sequence named", StopSequence),
        new("stop.tool-use", Area, "A tool call: stop_reason tool_use with a tool_use block", ToolUse),
    ];

    private static async Task<CheckVerdict> MaxTokens(CheckContext c, CancellationToken ct)
    {
        const int limit = 5;
        var x = await c.PostAsync(Greedy(c.Model, maxTokens: limit, stream: true), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x);
        var m = x.Message!;
        if (m.StopReason != "max_tokens") return CheckVerdict.Fail($"stop_reason {m.StopReason ?? "null"} after {m.Usage.OutputTokens} tokens").JudgedBy(x);
        if (m.Usage.OutputTokens > limit) return CheckVerdict.Fail($"output_tokens {m.Usage.OutputTokens} > max_tokens {limit}").JudgedBy(x);
        return CheckVerdict.Pass($"max_tokens after {m.Usage.OutputTokens} tokens").JudgedBy(x);
    }

    private static async Task<CheckVerdict> EndTurn(CheckContext c, CancellationToken ct)
    {
        var x = await c.PostAsync(Greedy(c.Model, "Reply with just the word OK.", maxTokens: 256, stream: true), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x);
        var reason = x.Message!.StopReason;
        if (reason == "end_turn") return CheckVerdict.Pass($"end_turn after {x.Message.Usage.OutputTokens} tokens").With(x, NaturalRoute).JudgedBy(x);
        if (c.Synthetic && reason == "max_tokens")
            return CheckVerdict.NotApplicable("random weights do not sample the end-of-turn token; no request field reaches it (logit_bias is not passed through)")
                .With(x, NaturalRoute);
        return CheckVerdict.Fail($"asked for one word, got stop_reason {reason} after {x.Message.Usage.OutputTokens} tokens").JudgedBy(x);
    }

    private static async Task<CheckVerdict> StopSequence(CheckContext c, CancellationToken ct)
    {
        // Learn the greedy text first, then stop on a word from its middle: this works on any model.
        var probe = await c.PostAsync(Greedy(c.Model, maxTokens: 24), ct);
        if (!probe.Ok) return CheckVerdict.Fail($"HTTP {probe.Status}").With(probe);
        var text = probe.Message!.Text;
        var sequence = RequestBodies.PickStopSequence(text);
        if (sequence is null) return CheckVerdict.NotApplicable($"the greedy answer {StreamingChecks.Quote(text)} has no usable word to stop on").With(probe);

        var body = Greedy(c.Model, maxTokens: 24).With("stop_sequences", new JsonArray(sequence, "\u0001never"));
        var plain = await c.PostAsync(body, ct);
        var streamed = await c.PostAsync(body.WithStream(true), ct);
        if (!plain.Ok || !streamed.Ok) return CheckVerdict.Fail($"HTTP {plain.Status} / {streamed.Status}").With(streamed);
        var problems = new List<string>();
        foreach (var (label, x) in new[] { ("non-streamed", plain), ("streamed", streamed) })
        {
            var m = x.Message!;
            if (m.Text.Contains(sequence)) problems.Add($"{label}: text contains the stop sequence");
            if (m.StopSequence != sequence) problems.Add($"{label}: stop_sequence is {StreamingChecks.Quote(m.StopSequence)}");
            if (m.StopReason != "stop_sequence") problems.Add($"{label}: stop_reason is {m.StopReason}");
        }
        var stopped = problems.All(p => p.Contains("stop_reason"));
        var verdict = problems.Count == 0
            ? CheckVerdict.Pass($"stopped before {StreamingChecks.Quote(sequence)} with stop_reason stop_sequence")
            : stopped
                ? CheckVerdict.Deviation($"generation stops at {StreamingChecks.Quote(sequence)} and names it, but {string.Join("; ", problems)}")
                : CheckVerdict.Fail(string.Join("; ", problems));
        return verdict.JudgedBy(plain, streamed);
    }

    private static async Task<CheckVerdict> ToolUse(CheckContext c, CancellationToken ct)
    {
        if (!c.Capabilities.Tools) return CheckVerdict.NotApplicable("profile has TOOLS = no");
        var (x, route) = await ToolChecks.CallWeatherToolAsync(c, stream: true, ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x, route);
        var m = x.Message!;
        if (m.StopReason != "tool_use") return CheckVerdict.Fail($"stop_reason {m.StopReason}, {m.ToolUses.Count()} tool_use block(s)").JudgedBy(x);
        return CheckVerdict.Pass($"tool_use: {string.Join(", ", m.ToolUses.Select(t => t.Name))}").With(x, route).JudgedBy(x);
    }
}
