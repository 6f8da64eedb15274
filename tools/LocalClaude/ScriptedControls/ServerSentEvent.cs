namespace LocalClaude.ScriptedControls;

/// <summary>One SSE event as it goes on the wire: <c>event: NAME</c>, <c>data: JSON</c>, blank line.</summary>
public sealed record ServerSentEvent(string Event, string Data)
{
    public string ToWireFormat() => $"event: {Event}\ndata: {Data}\n\n";
}
