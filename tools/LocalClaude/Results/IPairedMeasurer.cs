using LocalClaude.Profiles;

namespace LocalClaude.Results;

/// <summary>
/// Measures the gated speed metrics on two builds in turn (both servers up at once, requests alternating between
/// them) and returns a result file of kind <see cref="ResultKinds.Paired"/> holding every pair.
/// </summary>
public interface IPairedMeasurer
{
    Task<ResultFile> MeasureAsync(ModelProfile profile, LlamaServerOverride baseline, LlamaServerOverride candidate, int rounds, CancellationToken ct);
}
