using LocalClaude.Protocol;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>The SSE stream itself, and that it tells the same as the non-streamed answer.</summary>
internal static class StreamingChecks
{
    public const string Area = "streaming";

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("stream.text", Area, "A streamed text answer follows the streaming spec (order, indices, deltas, usage, message_stop)", Text),
        new("stream.matches-non-stream", Area, "The streamed aggregate equals the non-streamed answer for the same greedy request", MatchesNonStream),
        new("stream.official-sdk", Area, "The official Anthropic C# SDK consumes the stream (CreateStreaming + Aggregate)", OfficialSdk),
    ];

    private static async Task<CheckVerdict> Text(CheckContext c, CancellationToken ct)
    {
        var x = await c.PostAsync(Greedy(c.Model, stream: true), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x);
        if (!x.Exchange.IsEventStream) return CheckVerdict.Fail($"content-type is '{x.Exchange.ResponseHeaders.GetValueOrDefault("content-type")}', not text/event-stream").With(x);
        return CheckVerdict.Pass($"{x.Stream!.EventCount} events, {x.Message!.Content.Count} block(s)").JudgedWithAmbientBy(x);
    }

    private static async Task<CheckVerdict> MatchesNonStream(CheckContext c, CancellationToken ct)
    {
        var plain = await c.PostAsync(Greedy(c.Model, maxTokens: 32), ct);
        var streamed = await c.PostAsync(Greedy(c.Model, maxTokens: 32, stream: true), ct);
        if (!plain.Ok || !streamed.Ok) return CheckVerdict.Fail($"HTTP {plain.Status} / {streamed.Status}").With(streamed);
        var a = plain.Message!;
        var b = streamed.Message!;
        var differences = new List<string>();
        if (a.Text != b.Text) differences.Add($"text differs: {Quote(a.Text)} vs streamed {Quote(b.Text)}");
        if (a.Content.Count != b.Content.Count) differences.Add($"{a.Content.Count} block(s) vs {b.Content.Count} streamed");
        if (a.StopReason != b.StopReason) differences.Add($"stop_reason {a.StopReason} vs {b.StopReason}");
        if (a.Usage.OutputTokens != b.Usage.OutputTokens) differences.Add($"output_tokens {a.Usage.OutputTokens} vs {b.Usage.OutputTokens}");
        var verdict = differences.Count == 0
            ? CheckVerdict.Pass($"same text ({b.Text.Length} chars), blocks, stop_reason and output_tokens")
            : CheckVerdict.Fail(string.Join("; ", differences));
        return verdict.JudgedBy(plain, streamed);
    }

    private static async Task<CheckVerdict> OfficialSdk(CheckContext c, CancellationToken ct)
    {
        var x = await c.PostAsync(Greedy(c.Model, stream: true), ct);
        if (!x.Ok) return CheckVerdict.Fail($"HTTP {x.Status}").With(x);
        return await ConsumedByOfficialSdk(x, c.Model, ct);
    }

    /// <summary>Feeds the bytes the server sent to the official SDK; an exception is a client-break.</summary>
    public static async Task<CheckVerdict> ConsumedByOfficialSdk(CheckedExchange x, string model, CancellationToken ct)
    {
        using var sdk = OfficialSdkStreamConsumer.ForRecordedResponse(x.Exchange.ResponseBody);
        var outcome = await sdk.ConsumeAsync(model, Prompt, 64, ct);
        if (outcome.Failure is { } failure)
            return CheckVerdict.Fail($"{failure.Id}: {failure.Message}") with
            {
                Evidence = x.ToEvidence(note: $"SDK events seen: {string.Join(", ", outcome.EventTypes)}"),
                Findings = [new(failure.Id, failure.Severity.ToReportName(), failure.EventIndex, failure.Message)],
            };
        var sameText = outcome.Message?.Text == x.Message?.Text;
        return (sameText
                ? CheckVerdict.Pass($"the SDK aggregated {outcome.Message?.Content.Count} block(s), text identical to the validator's aggregate")
                : CheckVerdict.Fail($"the SDK's aggregate text differs: {Quote(outcome.Message?.Text)} vs {Quote(x.Message?.Text)}"))
            .With(x, note: $"SDK events: {string.Join(", ", outcome.EventTypes.Distinct())}");
    }

    internal static string Quote(string? s) => s is null ? "null" : $"\"{CheckedExchange.Excerpt(s.Replace("\n", "\\n"), 60)}\"";
}
