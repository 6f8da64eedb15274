using System.Text.Json.Nodes;
using LocalClaude.Protocol;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>Extended thinking: block order, signature, budget, and thinking sent back in the history.</summary>
internal static class ThinkingChecks
{
    public const string Area = "thinking";
    private const string Route = "a template whose generation prompt opens <think> (thinking needs no instruction following)";

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("thinking.block-order", Area, "Streamed thinking: the thinking block comes first and stops before the text block starts", BlockOrder),
        new("thinking.signature", Area, "A thinking block carries a signature", Signature),
        new("thinking.budget", Area, "budget_tokens bounds the thinking", Budget),
        new("thinking.history", Area, "A thinking block sent back in the history is accepted and reaches the prompt", History),
        new("thinking.official-sdk", Area, "The official Anthropic C# SDK consumes a thinking stream", OfficialSdk),
    ];

    private static JsonObject ThinkingRequest(CheckContext c, int budget, bool stream, int maxTokens = 96) =>
        Greedy(c.Model, "Think about the sea, then answer in one line.", maxTokens, stream)
            .With("thinking", new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget });

    private static CheckVerdict? NeedsThinking(CheckContext c) =>
        c.Capabilities.Thinking ? null : CheckVerdict.NotApplicable("profile has THINKING = no");

    private static string RouteFor(CheckContext c) => c.Synthetic ? Route : NaturalRoute;

    private static async Task<CheckVerdict> BlockOrder(CheckContext c, CancellationToken ct)
    {
        if (NeedsThinking(c) is { } na) return na;
        var x = await c.PostAsync(ThinkingRequest(c, 48, stream: true), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x, RouteFor(c));
        var blocks = x.Message!.Content;
        if (blocks.FirstOrDefault() is not AggregatedThinkingBlock)
            return CheckVerdict.Fail($"first block is {blocks.FirstOrDefault()?.Type ?? "none"}, not thinking").With(x, RouteFor(c)).JudgedBy(x);
        return CheckVerdict.Pass($"blocks: {string.Join(", ", blocks.Select(b => b.Type))}").With(x, RouteFor(c)).JudgedBy(x);
    }

    private static async Task<CheckVerdict> Signature(CheckContext c, CancellationToken ct)
    {
        if (NeedsThinking(c) is { } na) return na;
        var plain = await c.PostAsync(ThinkingRequest(c, 48, stream: false), ct);
        var streamed = await c.PostAsync(ThinkingRequest(c, 48, stream: true), ct);
        if (!plain.Ok || !streamed.Ok) return CheckVerdict.Fail($"HTTP {plain.Status} / {streamed.Status}").With(streamed, RouteFor(c));
        var signatures = new[] { plain, streamed }
            .Select(x => x.Message!.Content.OfType<AggregatedThinkingBlock>().FirstOrDefault()?.Signature).ToList();
        if (signatures.Any(s => s is null)) return CheckVerdict.Fail("a thinking block without a signature field").With(streamed, RouteFor(c)).JudgedBy(plain, streamed);
        var verdict = signatures.All(s => s!.Length > 0)
            ? CheckVerdict.Pass("signature present, streamed and not")
            : CheckVerdict.Deviation("the signature is empty (local servers cannot sign; clients accept it)");
        return verdict.With(streamed, RouteFor(c)).JudgedBy(plain, streamed);
    }

    private static async Task<CheckVerdict> Budget(CheckContext c, CancellationToken ct)
    {
        if (NeedsThinking(c) is { } na) return na;
        const int budget = 16;
        var x = await c.PostAsync(ThinkingRequest(c, budget, stream: false, maxTokens: 160), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x, RouteFor(c));
        var thinking = x.Message!.Content.OfType<AggregatedThinkingBlock>().FirstOrDefault()?.Thinking;
        if (thinking is null) return CheckVerdict.Fail("no thinking block").With(x, RouteFor(c)).JudgedBy(x);
        var tokens = await CountTextTokensAsync(c, thinking, ct);
        // A few tokens of slack: the closing tag and a forced end-of-thinking message may be counted in.
        var verdict = tokens <= budget + 8
            ? CheckVerdict.Pass($"thinking {tokens} tokens with budget_tokens {budget}")
            : CheckVerdict.Fail($"thinking ran {tokens} tokens past budget_tokens {budget}");
        return verdict.WithMetric("thinking.budget_tokens_used", tokens).With(x, RouteFor(c)).JudgedBy(x);
    }

    /// <summary>Tokens of a text by count_tokens: the text as a user message, minus an empty baseline.</summary>
    internal static async Task<long> CountTextTokensAsync(CheckContext c, string text, CancellationToken ct)
    {
        async Task<long> Count(string t)
        {
            var body = new JsonObject { ["model"] = c.Model, ["messages"] = new JsonArray(User(t)) };
            var x = await c.PostAsync(body, ct, CheckContext.CountTokensPath);
            return x.Json()?["input_tokens"]?.GetValue<long>() ?? throw new InvalidOperationException($"count_tokens answered HTTP {x.Status}");
        }
        return await Count("x" + text) - await Count("x");
    }

    private static async Task<CheckVerdict> History(CheckContext c, CancellationToken ct)
    {
        if (NeedsThinking(c) is { } na) return na;
        const string secret = "The lighthouse keeper counts exactly seventeen gulls every morning.";
        JsonObject Conversation(bool withThinking)
        {
            var assistant = new JsonArray();
            if (withThinking) assistant.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = secret, ["signature"] = "c2lnbmF0dXJl" });
            assistant.Add(new JsonObject { ["type"] = "text", ["text"] = "The sea is calm." });
            var body = Greedy(c.Model, maxTokens: 8).With("thinking", new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 16 });
            body["messages"] = new JsonArray(User("Describe the sea."), Assistant(assistant), User("And now?"));
            return body;
        }
        var with = await c.PostAsync(Conversation(true), ct);
        var without = await c.PostAsync(Conversation(false), ct);
        if (!with.Ok) return CheckVerdict.Fail($"history with a thinking block answered HTTP {with.Status}").With(with);
        if (!without.Ok) return CheckVerdict.Fail($"HTTP {without.Status}").With(without);
        long Prompt(CheckedExchange x) => (x.Message!.Usage.InputTokens ?? 0) + (x.Message.Usage.CacheReadInputTokens ?? 0) + (x.Message.Usage.CacheCreationInputTokens ?? 0);
        var delta = Prompt(with) - Prompt(without);
        var verdict = delta > 0
            ? CheckVerdict.Pass($"accepted; the thinking adds {delta} prompt tokens")
            : CheckVerdict.Deviation("accepted, but the thinking block is dropped from the prompt (same prompt size with and without it)");
        return verdict.WithMetric("thinking.history_prompt_tokens_added", delta).With(with).JudgedBy(with, without);
    }

    private static async Task<CheckVerdict> OfficialSdk(CheckContext c, CancellationToken ct)
    {
        if (NeedsThinking(c) is { } na) return na;
        var x = await c.PostAsync(ThinkingRequest(c, 48, stream: true), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x, RouteFor(c));
        return await StreamingChecks.ConsumedByOfficialSdk(x, c.Model, ct);
    }
}
