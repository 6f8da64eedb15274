namespace LocalClaude.Results;

/// <summary>The <see cref="ResultFile.Kind"/> values: each producer writes one, the report and the gate read them.</summary>
public static class ResultKinds
{
    public const string Conformance = "conformance";
    public const string Replay = "replay";
    public const string E2E = "e2e";
    /// <summary>The gate's paired speed measurement of two builds (not a producer's phase).</summary>
    public const string Paired = "paired";

    /// <summary>The producers' kinds in the order they run and the report shows them.</summary>
    public static readonly IReadOnlyList<string> Produced = [Conformance, Replay, E2E];
}
