namespace LocalClaude.Relay;

/// <summary>
/// One request as the <see cref="RecordingProxy"/> saw it and the upstream's answer, verbatim (not yet scrubbed).
/// Times are on the proxy's clock, which starts when the proxy starts.
/// </summary>
public sealed record CapturedExchange
{
    /// <summary>1-based, in order of arrival at the proxy.</summary>
    public required int Sequence { get; init; }
    public required string Method { get; init; }
    /// <summary>Path and query, e.g. <c>/v1/messages?beta=true</c>.</summary>
    public required string PathAndQuery { get; init; }
    /// <summary>Request headers, names lower-case, in the order received.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; }
    /// <summary>The request body, decoded when the client compressed it.</summary>
    public required byte[] RequestBody { get; init; }
    /// <summary>0 when the upstream gave no answer (see <see cref="TransportError"/>).</summary>
    public required int Status { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; }
    /// <summary>The answer's body exactly as forwarded to the client.</summary>
    public required byte[] ResponseBody { get; init; }
    public required TimeSpan ArrivedAt { get; init; }
    /// <summary>When the first body byte went to the client; null when the body was empty.</summary>
    public TimeSpan? FirstByteAt { get; init; }
    /// <summary>When the last byte went to the client (or the exchange failed).</summary>
    public required TimeSpan CompletedAt { get; init; }
    public string? TransportError { get; init; }
    /// <summary>How many body chunks the upstream delivered; more than one shows the answer was streamed, not buffered.</summary>
    public int ChunkCount { get; init; }

    public string? RequestHeader(string name) =>
        RequestHeaders.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public string? ResponseHeader(string name) =>
        ResponseHeaders.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}
