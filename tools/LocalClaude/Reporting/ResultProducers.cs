namespace LocalClaude.Reporting;

/// <summary>The producers the CLI runs, in order. Each runner adds itself here when it lands.</summary>
public static class ResultProducers
{
    public static readonly IReadOnlyList<string> KnownKinds = ["conformance", "replay", "e2e"];

    public static IReadOnlyList<IResultProducer> Create(LocalClaudeContext context, Infrastructure.ProgressLog progress)
    {
        return
        [
            new Conformance.ConformanceResultProducer(context, progress),
            new Traffic.ReplayResultProducer(context, progress),
            new Agents.E2EResultProducer(context, progress),
        ];
    }
}
