using System.Text;
using System.Text.Json;

namespace LocalClaude.Protocol;

public enum ProtocolInputKind
{
    /// <summary>Could not be read, or is none of the kinds below.</summary>
    Unrecognised,

    /// <summary>A text/event-stream body.</summary>
    SseStream,

    /// <summary>A non-streaming message body.</summary>
    MessageBody,

    /// <summary>An error body (Anthropic- or OpenAI-shaped).</summary>
    ErrorBody,

    /// <summary>Starts like JSON but does not parse, so whether it is a message or an error cannot be told.</summary>
    MalformedJson,
}

/// <summary>The verdict the validate command turns into an exit code.</summary>
public enum ValidationOutcome
{
    /// <summary>No violation or client break (exit 0); notes and deviations may be present.</summary>
    Clean = 0,

    /// <summary>At least one violation or client break (exit 1).</summary>
    Bad = 1,

    /// <summary>The input could not be read or recognised (exit 2).</summary>
    Unrecognised = 2,
}

/// <summary>
/// The result of validating one file or byte array. <see cref="Stream"/> or <see cref="Error"/> carry the details for
/// their kind; <see cref="Problem"/> says why an input is <see cref="ProtocolInputKind.Unrecognised"/>.
/// </summary>
public sealed record ProtocolReport(
    string Source,
    ProtocolInputKind Kind,
    IReadOnlyList<Finding> Findings,
    int? HttpStatus,
    bool FromHttpCapture,
    AggregatedMessage? Message,
    StreamValidationResult? Stream,
    ErrorBodyValidationResult? Error,
    string? Problem)
{
    public ValidationOutcome Outcome =>
        Kind == ProtocolInputKind.Unrecognised ? ValidationOutcome.Unrecognised
        : Findings.Any(finding => finding.IsBlocking) ? ValidationOutcome.Bad
        : ValidationOutcome.Clean;

    /// <summary>Clean 0, bad 1 (a verdict), unrecognised 2 (could not validate).</summary>
    public int ExitCode => Outcome switch
    {
        ValidationOutcome.Clean => Infrastructure.ExitCodes.Ok,
        ValidationOutcome.Bad => Infrastructure.ExitCodes.Verdict,
        _ => Infrastructure.ExitCodes.CouldNotRun,
    };

    /// <summary>One line for a console: source, kind, verdict and counts per severity.</summary>
    public string Headline
    {
        get
        {
            if (Kind == ProtocolInputKind.Unrecognised)
            {
                return $"{Source}: not recognised: {Problem}";
            }

            var counts = Findings.GroupBy(finding => finding.Severity)
                .OrderByDescending(group => group.Key)
                .Select(group => $"{group.Count()} {group.Key.ToReportName()}");
            var status = HttpStatus is { } code ? $" (HTTP {code})" : "";
            var verdict = Outcome == ValidationOutcome.Bad ? "bad" : "clean";
            var detail = Findings.Count == 0 ? "no findings" : string.Join(", ", counts);
            return $"{Source}: {Kind}{status}: {verdict}: {detail}";
        }
    }

    internal static ProtocolReport NotRecognised(string source, string problem) =>
        new(source, ProtocolInputKind.Unrecognised, [], null, false, null, null, null, problem);
}

/// <summary>
/// The entry point for the validate command: decides what a file is (an SSE stream, a message body, an error body,
/// optionally wrapped in a raw HTTP response capture that gives the status and Content-Type) and validates it.
/// </summary>
public static class ProtocolFileValidator
{
    public static async Task<ProtocolReport> ValidateFileAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ProtocolReport.NotRecognised(path, $"cannot read the file: {exception.Message}");
        }

        return ValidateBytes(bytes, path);
    }

    public static ProtocolReport ValidateFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ProtocolReport.NotRecognised(path, $"cannot read the file: {exception.Message}");
        }

        return ValidateBytes(bytes, path);
    }

    public static ProtocolReport ValidateBytes(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.IsEmpty)
        {
            return ProtocolReport.NotRecognised(source, "the input is empty");
        }

        if (!HttpResponseCapture.LooksLikeCapture(bytes))
        {
            return ValidateBody(bytes.ToArray(), source, capture: null);
        }

        if (!HttpResponseCapture.TryParse(bytes, out var capture, out var error))
        {
            return ProtocolReport.NotRecognised(source, $"an HTTP response capture that cannot be read: {error}");
        }

        return ValidateBody(capture!.Body, source, capture);
    }

    private static ProtocolReport ValidateBody(byte[] body, string source, HttpResponseCapture? capture)
    {
        var status = capture?.StatusCode;
        var kind = Detect(body, capture, out var problem);
        var findings = new List<Finding>();
        ProtocolReport Report(AggregatedMessage? message, StreamValidationResult? stream, ErrorBodyValidationResult? error) =>
            new(source, kind, findings, status, capture is not null, message, stream, error, problem);

        if (kind == ProtocolInputKind.Unrecognised)
        {
            return ProtocolReport.NotRecognised(source, problem ?? "not recognised");
        }

        if (capture is not null)
        {
            CheckContentType(kind, capture, findings);
        }

        switch (kind)
        {
            case ProtocolInputKind.SseStream:
                {
                    if (status is { } code && code != 200)
                    {
                        findings.Add(FindingCatalog.HttpUnexpectedStatus.Whole($"an event stream with HTTP {code}"));
                    }

                    var stream = AnthropicStreamValidator.Validate(body);
                    findings.AddRange(stream.Findings);
                    return Report(stream.Message, stream, null);
                }

            case ProtocolInputKind.MessageBody:
                {
                    var result = AnthropicMessageValidator.Validate(DecodeText(body), status);
                    findings.AddRange(result.Findings);
                    return Report(result.Message, null, null);
                }

            case ProtocolInputKind.ErrorBody:
                {
                    var result = AnthropicErrorValidator.Validate(DecodeText(body), status);
                    findings.AddRange(result.Findings);
                    return Report(null, null, result);
                }

            default:
                findings.Add(FindingCatalog.BodyNotJson.Whole(problem ?? "the body is not JSON"));
                return Report(null, null, null);
        }
    }

    /// <summary>
    /// Content-Type and the status decide when there is a capture; otherwise the first meaningful characters do:
    /// '{' is JSON (an error when it has "type":"error" or an "error" object, a message when it has a message's fields),
    /// a first line that is an SSE comment or field is a stream.
    /// </summary>
    private static ProtocolInputKind Detect(byte[] body, HttpResponseCapture? capture, out string? problem)
    {
        problem = null;
        var status = capture?.StatusCode;
        if (capture?.MediaType == "text/event-stream")
        {
            return ProtocolInputKind.SseStream;
        }

        if (Array.IndexOf(body, (byte)0) >= 0)
        {
            problem = "the body contains NUL bytes (binary data)";
            return ProtocolInputKind.Unrecognised;
        }

        var text = DecodeText(body).TrimStart('\uFEFF');
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            if (!JsonRead.TryParse(trimmed, out var document, out var error))
            {
                problem = $"the body is not JSON ({error})";
                return status is { } code ? KindForStatus(code) : ProtocolInputKind.MalformedJson;
            }

            using (document)
            {
                var root = document!.RootElement;
                var looksLikeError = root.String("type") == "error" || root.IsObject("error");
                var looksLikeMessage = root.String("type") == "message" || root.Has("content") || root.Has("role") || root.Has("stop_reason");
                if (status is { } code)
                {
                    var byStatus = KindForStatus(code);
                    return byStatus == ProtocolInputKind.MessageBody && looksLikeError ? ProtocolInputKind.ErrorBody
                        : byStatus == ProtocolInputKind.ErrorBody && looksLikeMessage && !looksLikeError ? ProtocolInputKind.MessageBody
                        : byStatus;
                }

                if (looksLikeError)
                {
                    return ProtocolInputKind.ErrorBody;
                }

                if (looksLikeMessage)
                {
                    return ProtocolInputKind.MessageBody;
                }

                problem = $"JSON ({root.Kind()}) that is neither a message nor an error";
                return ProtocolInputKind.Unrecognised;
            }
        }

        if (LooksLikeSse(text))
        {
            return ProtocolInputKind.SseStream;
        }

        if (status is { } httpStatus)
        {
            problem = trimmed.Length == 0 ? "the body is empty" : $"the body is neither JSON nor an event stream: {JsonRead.Shorten(trimmed, 60)}";
            return KindForStatus(httpStatus) == ProtocolInputKind.MessageBody ? ProtocolInputKind.MalformedJson : ProtocolInputKind.ErrorBody;
        }

        problem = text.Trim().Length == 0
            ? "the input holds only whitespace"
            : $"neither JSON nor an event stream: {JsonRead.Shorten(trimmed, 60)}";
        return ProtocolInputKind.Unrecognised;
    }

    private static ProtocolInputKind KindForStatus(int status) =>
        status is >= 200 and < 300 ? ProtocolInputKind.MessageBody : ProtocolInputKind.ErrorBody;

    /// <summary>True when the first non-blank line is an SSE comment or one of the four SSE fields.</summary>
    private static bool LooksLikeSse(string text)
    {
        foreach (var line in text.Split(['\r', '\n']))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == ':')
            {
                return true;
            }

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            return field is "event" or "data" or "id" or "retry";
        }

        return false;
    }

    private static void CheckContentType(ProtocolInputKind kind, HttpResponseCapture capture, List<Finding> findings)
    {
        var expected = kind == ProtocolInputKind.SseStream ? "text/event-stream" : "application/json";
        var actual = capture.MediaType;
        if (actual != expected)
        {
            findings.Add(FindingCatalog.HttpContentTypeMismatch.Whole(actual is null
                ? $"no Content-Type; expected {expected}"
                : $"Content-Type {actual}; expected {expected}"));
        }
    }

    private static string DecodeText(byte[] body) => Encoding.UTF8.GetString(body);
}
