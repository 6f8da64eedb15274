using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Client;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>Bad requests: the status Anthropic would give, and its error envelope.</summary>
internal static class ErrorChecks
{
    public const string Area = "errors";

    public static IEnumerable<ConformanceCheck> All =>
    [
        Expect("errors.malformed-json", "Malformed JSON", 400, c => c.PostRawAsync("{\"model\": \"x\", \"messages\": [", default)),
        Expect("errors.missing-messages", "No messages field", 400, c => c.PostAsync(Greedy(c.Model).Without("messages"), default)),
        Expect("errors.mistyped-max-tokens", "max_tokens as a string", 400, c => c.PostAsync(Greedy(c.Model).With("max_tokens", "many"), default)),
        // Streamed and cut short: a server that accepts it may generate thousands of tokens, and only the status matters.
        Expect("errors.missing-max-tokens", "No max_tokens (required by Anthropic)", 400,
            c => c.PostAsync(Greedy(c.Model, stream: true).Without("max_tokens"), default, stopAfterBytes: 1)),
        Expect("errors.empty-messages", "An empty messages array", 400, c => c.PostAsync(Greedy(c.Model).With("messages", new JsonArray()), default)),
        Expect("errors.unknown-role", "A message with an unknown role", 400, c => c.PostAsync(Greedy(c.Model).With("messages", new JsonArray(new JsonObject { ["role"] = "wizard", ["content"] = "hi" })), default)),
        Expect("errors.prompt-too-long", "A prompt longer than the context", 400, OverLongPrompt),
        Expect("errors.bad-auth", "A wrong API key", 401, BadAuth),
    ];

    private static ConformanceCheck Expect(string id, string what, int status, Func<CheckContext, Task<CheckedExchange>> send) =>
        new(id, Area, $"{what}: HTTP {status} with Anthropic's error envelope", async (c, ct) => Judge(await send(c), status));

    /// <summary>
    /// Refusing with the right status and envelope passes; refusing with another status or shape is a known deviation
    /// (clients still see an error); accepting what Anthropic refuses is a deviation too, since clients never send it.
    /// </summary>
    internal static CheckVerdict Judge(CheckedExchange x, int expected)
    {
        if (x.Exchange.TransportError is { } t) return CheckVerdict.Fail($"no answer: {t}").With(x);
        if (x.Ok) return CheckVerdict.Deviation($"accepted with HTTP {x.Status} where Anthropic answers {expected}").With(x);
        var verdict = x.Status == expected
            ? CheckVerdict.Pass($"HTTP {x.Status} {x.Error?.ErrorType}: {x.Error?.ErrorMessage}")
            : x.Status >= 500
                ? CheckVerdict.Deviation($"HTTP {x.Status} (a server error, which clients retry) where Anthropic answers {expected}: {x.Error?.ErrorMessage}")
                : CheckVerdict.Deviation($"HTTP {x.Status} where Anthropic answers {expected}: {x.Error?.ErrorMessage}");
        return verdict.JudgedBy(x);
    }

    private static async Task<CheckedExchange> OverLongPrompt(CheckContext c)
    {
        // More words than any context this suite runs with fits: each "lighthouse " is at least one token.
        var words = Math.Max(c.Profile.ContextSize, 8192) + 1024;
        var text = new StringBuilder(words * 11);
        for (var i = 0; i < words; i++) text.Append("lighthouse ");
        return await c.PostAsync(Greedy(c.Model, text.ToString(), maxTokens: 4), default);
    }

    private static async Task<CheckedExchange> BadAuth(CheckContext c)
    {
        var headers = RawMessagesClient.DefaultHeaders("wrong-" + c.ApiKey);
        return await c.PostAsync(Greedy(c.Model, maxTokens: 2), default, headers: headers);
    }
}
