namespace LocalClaude.Conformance;

/// <summary>
/// One check: a stable id (the report, the gate and the tests all read it), the area it belongs to,
/// a title, and what it does against the server under test.
/// </summary>
public sealed record ConformanceCheck(
    string Id,
    string Area,
    string Title,
    Func<CheckContext, CancellationToken, Task<CheckVerdict>> Run)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);
    public override string ToString() => Id;
}
