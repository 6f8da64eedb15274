using System.Text.Json.Nodes;
using LocalClaude.Client;
using LocalClaude.Protocol;
using LocalClaude.Results;

namespace LocalClaude.Conformance;

/// <summary>An exchange with the server under test, already run through the matching validator.</summary>
public sealed record CheckedExchange(
    MessagesExchange Exchange,
    IReadOnlyList<Finding> Findings,
    AggregatedMessage? Message,
    StreamValidationResult? Stream,
    ErrorBodyValidationResult? Error)
{
    public int Status => (int)Exchange.Status;
    public bool Ok => Status is >= 200 and < 300 && Exchange.TransportError is null;
    public bool HasBlockingFindings => Findings.Any(f => f.IsBlocking);

    /// <summary>Validates whatever came back: an SSE stream, a message body, or an error body.</summary>
    public static CheckedExchange From(MessagesExchange exchange)
    {
        if (exchange.TransportError is not null && exchange.Status == 0)
            return new CheckedExchange(exchange, [], null, null, null);
        var status = (int)exchange.Status;
        // A body we cut short on purpose says nothing about the protocol: only its status counts.
        if (exchange.Truncated) return new CheckedExchange(exchange, [], null, null, null);
        if (status is >= 200 and < 300 && exchange.IsEventStream)
        {
            var document = SseReader.Parse(exchange.ResponseBody);
            // Events parsed after the fact: give them the time their bytes arrived, so TTFB and pings can be judged.
            document = document with { Events = document.Events.Select(e => e with { ArrivedAt = exchange.ArrivalOf(e.ByteOffset + e.ByteLength - 1) }).ToList() };
            var stream = AnthropicStreamValidator.Validate(document);
            return new CheckedExchange(exchange, stream.Findings, stream.Message, stream, null);
        }
        if (status is >= 200 and < 300 && exchange.PathAndQuery.Contains("/count_tokens", StringComparison.Ordinal))
            return new CheckedExchange(exchange, CountTokensFindings(exchange.ResponseText), null, null, null);
        if (status is >= 200 and < 300)
        {
            var body = AnthropicMessageValidator.Validate(exchange.ResponseText, status);
            return new CheckedExchange(exchange, body.Findings, body.Message, null, null);
        }
        var error = AnthropicErrorValidator.Validate(exchange.ResponseText, status);
        return new CheckedExchange(exchange, error.Findings, null, null, error);
    }

    /// <summary>count_tokens answers <c>{"input_tokens": N}</c>; anything else is a violation.</summary>
    private static IReadOnlyList<Finding> CountTokensFindings(string text)
    {
        try
        {
            if (JsonNode.Parse(text)?["input_tokens"] is JsonValue v && v.TryGetValue<long>(out var n) && n >= 0) return [];
        }
        catch (System.Text.Json.JsonException) { }
        return [FindingCatalog.MessageUsageInvalid.Whole($"count_tokens answer has no non-negative integer input_tokens: {Excerpt(text, 120)}")];
    }

    public IEnumerable<FindingRecord> FindingRecords() =>
        Findings.Select(f => new FindingRecord(f.Id, f.Severity.ToReportName(), f.EventIndex, f.Message));

    /// <summary>The request and an excerpt of the answer, as the report shows them.</summary>
    public Evidence ToEvidence(string? route = null, string? note = null) => new()
    {
        Request = $"{Exchange.Method} {Exchange.PathAndQuery} {Excerpt(Exchange.RequestBody, 700)}",
        Response = Exchange.TransportError is { } t ? $"transport error: {t}" : Excerpt(Exchange.ResponseText, 900),
        Status = Status,
        Route = route,
        Note = Exchange.RetriedAfter is { } lost
            ? string.Join("; ", new[] { note, $"sent twice: the first attempt failed before any answer ({lost})" }.OfType<string>())
            : note,
    };

    public static string Excerpt(string text, int max)
    {
        text = text.Trim();
        return text.Length <= max ? text : text[..(max / 2)] + $" …[{text.Length - max} chars]… " + text[^(max / 2)..];
    }

    /// <summary>The response body as JSON (non-streaming answers and errors), or null.</summary>
    public JsonNode? Json()
    {
        try { return JsonNode.Parse(Exchange.ResponseText); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
