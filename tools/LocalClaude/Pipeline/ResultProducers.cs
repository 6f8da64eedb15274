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
    /// <param name="claudeCodeVersion">The installed Claude Code the E2E tasks run (null: the pinned one).</param>
    public static IReadOnlyList<IResultProducer> Create(LocalClaudeContext context, ProgressLog progress, string? claudeCodeVersion = null)
    {
        return
        [
            new ConformanceResultProducer(context, progress),
            new ReplayResultProducer(context, progress),
            new E2EResultProducer(context, progress, claudeCodeVersion: claudeCodeVersion),
        ];
    }
}
