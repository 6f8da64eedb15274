namespace LocalClaude.Protocol;

/// <summary>How bad a protocol finding is. Ordered: a higher value is worse.</summary>
public enum FindingSeverity
{
    /// <summary>Informational (an unknown event type, a BOM); never fails a gate.</summary>
    Note = 0,

    /// <summary>Differs from Anthropic's API, but clients tolerate it.</summary>
    Deviation = 1,

    /// <summary>Breaks the Anthropic or SSE specification.</summary>
    Violation = 2,

    /// <summary>Known to break Claude Code or the official SDKs (e.g. "Content block not found").</summary>
    ClientBreak = 3,
}

public static class FindingSeverityExtensions
{
    /// <summary>Violations and client breaks make a stream or body "bad".</summary>
    public static bool IsBlocking(this FindingSeverity severity) =>
        severity is FindingSeverity.Violation or FindingSeverity.ClientBreak;

    /// <summary>The name used in reports: note, deviation, violation, client-break.</summary>
    public static string ToReportName(this FindingSeverity severity) => severity switch
    {
        FindingSeverity.Note => "note",
        FindingSeverity.Deviation => "deviation",
        FindingSeverity.Violation => "violation",
        FindingSeverity.ClientBreak => "client-break",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };

    public static FindingSeverity ParseReportName(string name) => name switch
    {
        "note" => FindingSeverity.Note,
        "deviation" => FindingSeverity.Deviation,
        "violation" => FindingSeverity.Violation,
        "client-break" => FindingSeverity.ClientBreak,
        _ => throw new FormatException($"Unknown finding severity '{name}'."),
    };
}
