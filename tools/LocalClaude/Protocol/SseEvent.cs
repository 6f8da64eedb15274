namespace LocalClaude.Protocol;

/// <summary>
/// One dispatched server-sent event.
/// <paramref name="Index"/>: 0-based position among dispatched events.
/// <paramref name="EventName"/>: the event: field, null when the block had none (EventSource would call it "message").
/// <paramref name="Data"/>: data: lines joined with \n.
/// <paramref name="LastEventId"/>: the id buffer at dispatch (it persists across events, as in EventSource), null if never set.
/// <paramref name="Retry"/>: a valid retry: value inside this block.
/// <paramref name="ByteOffset"/>/<paramref name="ByteLength"/>: where the block's first field line starts and how many bytes
/// up to the end of the blank line that dispatched it (the LF of a CRLF not counted; comments inside the block included).
/// <paramref name="LineNumber"/>: 1-based line of the first field line.
/// <paramref name="ArrivedAt"/>: time on the reader's clock when the event became complete; null for in-memory parses.
/// <paramref name="IsTerminated"/>: false for a final event that was not closed by a blank line (a real EventSource drops it).
/// </summary>
public sealed record SseEvent(
    int Index,
    string? EventName,
    string Data,
    string? LastEventId,
    int? Retry,
    long ByteOffset,
    long ByteLength,
    int LineNumber,
    int DataLineCount,
    TimeSpan? ArrivedAt,
    bool IsTerminated);

/// <summary>A comment line (": text"); <paramref name="Text"/> is what follows the colon, one leading space removed.</summary>
public sealed record SseComment(string Text, long ByteOffset, int LineNumber);

public enum SseAnomalyKind
{
    ByteOrderMark,
    InvalidUtf8,
    UnknownField,
    InvalidRetry,
    EventWithoutData,
    UnterminatedFinalEvent,
}

/// <summary>Something legal-but-odd or broken in the SSE framing. <paramref name="EventIndex"/> is set when it belongs to a dispatched event.</summary>
public sealed record SseAnomaly(SseAnomalyKind Kind, long ByteOffset, int LineNumber, int? EventIndex, string Detail);

[Flags]
public enum SseLineEndings
{
    None = 0,
    Lf = 1,
    CrLf = 2,
    Cr = 4,
}

/// <summary>What the reader saw besides the events themselves.</summary>
public sealed record SseStreamSummary(
    long TotalBytes,
    int LineCount,
    bool HadByteOrderMark,
    SseLineEndings LineEndings,
    IReadOnlyList<SseComment> Comments,
    IReadOnlyList<SseAnomaly> Anomalies);

/// <summary>A fully parsed in-memory stream.</summary>
public sealed record SseDocument(IReadOnlyList<SseEvent> Events, SseStreamSummary Summary);
