using System.Text;
using System.Text.Json;
using LocalClaude.Client;
using LocalClaude.Protocol;

namespace LocalClaude.Traffic;

/// <summary>Token counts an answer reported; all null when it reported none.</summary>
public sealed record AnswerUsage(long? InputTokens, long? OutputTokens, long? CacheReadTokens, long? CacheCreationTokens)
{
    public static AnswerUsage None { get; } = new(null, null, null, null);

    /// <summary>All prompt tokens: llama-server's input_tokens excludes the cached ones, as Anthropic's does.</summary>
    public long? PromptTokens => InputTokens is null && CacheReadTokens is null ? null
        : (InputTokens ?? 0) + (CacheReadTokens ?? 0) + (CacheCreationTokens ?? 0);

    /// <summary>Share of the prompt served from the cache, or null without usage.</summary>
    public double? CacheShare => PromptTokens is { } total and > 0 ? (double)(CacheReadTokens ?? 0) / total : null;
}

/// <summary>What checking one replayed answer found.</summary>
public sealed record AnswerVerdict(IReadOnlyList<Finding> Findings, AnswerUsage Usage, string? ErrorSummary)
{
    public bool HasClientBreak => Findings.Any(f => f.Severity == FindingSeverity.ClientBreak);
}

/// <summary>Checks an answer to a replayed request with the protocol validator, according to what the request was for.</summary>
public static class AnswerCheck
{
    public static AnswerVerdict Check(string purpose, MessagesExchange answer)
    {
        var status = (int)answer.Status;
        if (answer.TransportError is { } transport)
            return new AnswerVerdict([ReplayFindings.TransportError.Whole(transport)], AnswerUsage.None, transport);

        if (purpose == RequestPurpose.Probe)
        {
            return status is >= 200 and < 300
                ? new AnswerVerdict([], AnswerUsage.None, null)
                : new AnswerVerdict([ReplayFindings.ProbeStatus.Whole($"{answer.Method} {answer.PathAndQuery}: HTTP {status}")], AnswerUsage.None, null);
        }

        var findings = new List<Finding>();
        string? error = null;
        if (status is < 200 or >= 300)
        {
            error = ErrorText(answer);
            findings.Add(ReplayFindings.Rejected.Whole($"HTTP {status}: {error}"));
        }

        if (purpose == RequestPurpose.CountTokens && status is >= 200 and < 300)
            return new AnswerVerdict(CheckCountTokens(answer.ResponseBody), CountTokensUsage(answer.ResponseBody), null);

        // The validator's file entry point takes a raw HTTP capture, so the status and Content-Type are judged as for any file.
        var report = ProtocolFileValidator.ValidateBytes(Capture(answer), $"{answer.Method} {answer.PathAndQuery}");
        if (report.Kind == ProtocolInputKind.Unrecognised)
            findings.Add(FindingCatalog.BodyNotJson.Whole(report.Problem ?? "the answer is neither JSON nor an event stream"));
        findings.AddRange(report.Findings);
        var usage = report.Message?.Usage is { } u ? new AnswerUsage(u.InputTokens, u.OutputTokens, u.CacheReadInputTokens, u.CacheCreationInputTokens) : AnswerUsage.None;
        return new AnswerVerdict(findings, usage, error);
    }

    private static byte[] Capture(MessagesExchange answer)
    {
        var head = new StringBuilder($"HTTP/1.1 {(int)answer.Status} -\r\n");
        foreach (var (name, value) in answer.ResponseHeaders)
        {
            // The body below is already de-chunked and decompressed.
            if (name is "transfer-encoding" or "content-encoding" or "content-length") continue;
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. answer.ResponseBody];
    }

    private static IReadOnlyList<Finding> CheckCountTokens(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("input_tokens", out var tokens)
                && tokens.ValueKind == JsonValueKind.Number && tokens.TryGetInt64(out var n) && n >= 0)
                return [];
            return [ReplayFindings.CountTokensShape.Whole($"got {Shorten(Encoding.UTF8.GetString(body))}")];
        }
        catch (JsonException e)
        {
            return [FindingCatalog.BodyNotJson.Whole($"count_tokens answer is not JSON: {e.Message}")];
        }
    }

    private static AnswerUsage CountTokensUsage(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("input_tokens", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var n) && n >= 0
                ? new AnswerUsage(n, null, null, null)
                : AnswerUsage.None;
        }
        catch (JsonException) { return AnswerUsage.None; }
    }

    /// <summary>The error message of an error body (Anthropic- or OpenAI-shaped), else the start of the body.</summary>
    private static string ErrorText(MessagesExchange answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer.ResponseBody);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message))
                return Shorten(message.ToString());
        }
        catch (JsonException) { }
        return Shorten(answer.ResponseText);
    }

    private static string Shorten(string text, int max = 200) =>
        text.Length <= max ? text.ReplaceLineEndings(" ") : text[..max].ReplaceLineEndings(" ") + "…";
}
