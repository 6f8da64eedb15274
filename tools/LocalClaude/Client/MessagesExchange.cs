using System.Net;

namespace LocalClaude.Client;

/// <summary>One request to a Messages endpoint and everything that came back, with timings.</summary>
public sealed record MessagesExchange
{
    public required string Method { get; init; }
    /// <summary>Path and query, e.g. <c>/v1/messages?beta=true</c>.</summary>
    public required string PathAndQuery { get; init; }
    public required string RequestBody { get; init; }
    public IReadOnlyDictionary<string, string> RequestHeaders { get; init; } = new Dictionary<string, string>();
    /// <summary>0 when no HTTP answer arrived (connection refused, reset, timeout).</summary>
    public HttpStatusCode Status { get; init; }
    public IReadOnlyDictionary<string, string> ResponseHeaders { get; init; } = new Dictionary<string, string>();
    public byte[] ResponseBody { get; init; } = [];
    /// <summary>When each chunk of the body arrived, relative to the request start: (byte offset, time).</summary>
    public IReadOnlyList<(long Offset, TimeSpan At)> Chunks { get; init; } = [];
    public TimeSpan? TimeToFirstByte { get; init; }
    public TimeSpan Total { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>Transport failure (no status, or the body broke off), if any.</summary>
    public string? TransportError { get; init; }
    /// <summary>The request failed after connecting and before any status line (a connection the server had just closed).</summary>
    public bool FailedBeforeAnswer { get; init; }
    /// <summary>Why the first attempt failed, when this is the answer to a second one (see <c>RawMessagesClient.SendAsync</c>).</summary>
    public string? RetriedAfter { get; init; }
    /// <summary>We hung up on purpose after the first bytes (see <c>stopAfterBytes</c>): the body is incomplete by design.</summary>
    public bool Truncated { get; init; }

    public bool IsEventStream => ResponseHeaders.TryGetValue("content-type", out var ct) && ct.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
    public string ResponseText => System.Text.Encoding.UTF8.GetString(ResponseBody);

    /// <summary>Arrival time of the byte at <paramref name="offset"/> (the chunk that carried it).</summary>
    public TimeSpan ArrivalOf(long offset)
    {
        var at = Total;
        for (var i = Chunks.Count - 1; i >= 0; i--)
        {
            if (Chunks[i].Offset > offset) at = Chunks[i].At;
            else { at = Chunks[i].At; break; }
        }
        return at;
    }
}
