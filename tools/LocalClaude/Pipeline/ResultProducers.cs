using LocalClaude.Agents;
using LocalClaude.Conformance;
using LocalClaude.Infrastructure;
using LocalClaude.Results;
using LocalClaude.Traffic;

namespace LocalClaude.Pipeline;

/// <summary>
/// The producers the report and the gate run, in the order of <see cref="ResultKinds.Produced"/>: the one place
/// that wires concrete producers, so no producer folder knows the pipeline and the report knows none of them.
/// </summary>
public static class ResultProducers
{
    public static IReadOnlyList<IResultProducer> Create(LocalClaudeContext context, ProgressLog progress)
    {
        return
        [
            new ConformanceResultProducer(context, progress),
            new ReplayResultProducer(context, progress),
            new E2EResultProducer(context, progress),
        ];
    }
}
