namespace LocalClaude.Protocol;

/// <summary>
/// One problem (or remark) about a stream or body.
/// <paramref name="EventIndex"/> is the 0-based index of the SSE event it concerns, null for whole-stream or body findings;
/// <paramref name="ByteOffset"/> is where that event starts in the stream, when known.
/// </summary>
public sealed record Finding(string Id, FindingSeverity Severity, int? EventIndex, string Message, long? ByteOffset = null)
{
    public bool IsBlocking => Severity.IsBlocking();

    public override string ToString()
    {
        var where = EventIndex is { } index ? $" event #{index}" : "";
        return $"[{Severity.ToReportName()}] {Id}{where}: {Message}";
    }
}

/// <summary>A catalog entry: the stable ID, its fixed severity and what it means.</summary>
public sealed record FindingDefinition(string Id, FindingSeverity Severity, string Description)
{
    public Finding At(int? eventIndex, string message, long? byteOffset = null) =>
        new(Id, Severity, eventIndex, message, byteOffset);

    public Finding At(SseEvent sseEvent, string message) =>
        new(Id, Severity, sseEvent.Index, message, sseEvent.ByteOffset);

    public Finding Whole(string message) => new(Id, Severity, null, message);
}
