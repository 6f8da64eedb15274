namespace LocalClaude.ScriptedControls;

/// <summary>One HTTP request a control server received, kept verbatim for inspection and fixtures.</summary>
public sealed record RecordedRequest(
    int Sequence,
    DateTimeOffset ReceivedAt,
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    int StatusCode);
