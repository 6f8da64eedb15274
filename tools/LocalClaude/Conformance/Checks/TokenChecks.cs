using System.Text.Json.Nodes;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>count_tokens against the usage of the same request.</summary>
internal static class TokenChecks
{
    public const string Area = "tokens";

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("tokens.count-matches-usage", Area, "count_tokens (system + tools) equals input_tokens + cached tokens of the same request", CountMatchesUsage),
    ];

    private static async Task<CheckVerdict> CountMatchesUsage(CheckContext c, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["model"] = c.Model,
            ["system"] = "You are a weather assistant. Answer briefly.",
            ["tools"] = new JsonArray(WeatherTool(), BashTool()),
            ["messages"] = new JsonArray(User("What is the weather in Lisbon today? " + Guid.NewGuid().ToString("N"))),
        };
        var counted = await c.PostAsync(body, ct, CheckContext.CountTokensPath + "?beta=true");
        if (!counted.Ok) return CheckVerdict.Fail($"count_tokens answered HTTP {counted.Status}").With(counted);
        var count = counted.Json()?["input_tokens"]?.GetValue<long>();
        if (count is null) return CheckVerdict.Fail("count_tokens answer has no input_tokens").With(counted);

        var sent = await c.PostAsync(body.With("max_tokens", 1).With("temperature", 0), ct);
        if (!sent.Ok) return CheckVerdict.Fail($"HTTP {sent.Status}").With(sent);
        var u = sent.Message!.Usage;
        var used = (u.InputTokens ?? 0) + (u.CacheReadInputTokens ?? 0) + (u.CacheCreationInputTokens ?? 0);
        var verdict = count == used
            ? CheckVerdict.Pass($"count_tokens {count} = input {u.InputTokens} + cache_read {u.CacheReadInputTokens ?? 0} + cache_creation {u.CacheCreationInputTokens ?? 0}")
            : CheckVerdict.Fail($"count_tokens {count} ≠ input {u.InputTokens} + cache_read {u.CacheReadInputTokens ?? 0} + cache_creation {u.CacheCreationInputTokens ?? 0} = {used}");
        return verdict.WithMetric("tokens.count_tokens", count.Value).WithMetric("tokens.usage_total", used).With(sent).JudgedBy(counted, sent);
    }
}
