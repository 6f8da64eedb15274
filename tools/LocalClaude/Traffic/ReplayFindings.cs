using LocalClaude.Protocol;

namespace LocalClaude.Traffic;

/// <summary>Findings only replay can make: about whether the server took Claude Code's real requests at all.</summary>
public static class ReplayFindings
{
    public static readonly FindingDefinition Rejected = new("replay.rejected", FindingSeverity.ClientBreak,
        "The server answered one of Claude Code's real requests with an error status; Claude Code shows an API error and the turn fails.");
    public static readonly FindingDefinition TransportError = new("replay.transport-error", FindingSeverity.ClientBreak,
        "No complete answer: the connection failed, broke off or timed out.");
    public static readonly FindingDefinition CountTokensShape = new("replay.count-tokens-shape", FindingSeverity.Violation,
        "A count_tokens answer is not {\"input_tokens\": N} with a non-negative integer N.");
    public static readonly FindingDefinition ProbeStatus = new("replay.probe-status", FindingSeverity.Note,
        "A probe (HEAD /api/hello and the like) got a non-2xx status; Claude Code only uses it to test connectivity.");
    public static readonly FindingDefinition UnknownPlaceholder = new("replay.unknown-placeholder", FindingSeverity.Violation,
        "The fixture names a placeholder replay has no value for; the request was sent with it left in.");

    public static IReadOnlyList<FindingDefinition> All { get; } = [Rejected, TransportError, CountTokensShape, ProbeStatus, UnknownPlaceholder];
}
