using LocalClaude.Profiles;

namespace LocalClaude.Results;

/// <summary>A llama-server binary that replaces the profile's LLAMA_SERVER for one run (the gate's baseline or candidate).</summary>
/// <param name="Binary">Absolute path of the llama-server executable.</param>
/// <param name="Label">What the user named it (<c>npm:3.21.1</c>, a registered name, a path), for logs and tables.</param>
public sealed record LlamaServerOverride(string Binary, string Label);

/// <summary>
/// The seam between the pipeline (report/gate runs) and the runners: conformance, replay and E2E each plug in one producer.
/// A producer starts whatever server it needs for <paramref name="profile"/> and returns its result file.
/// </summary>
public interface IResultProducer
{
    /// <summary><c>conformance</c>, <c>replay</c> or <c>e2e</c>: the <see cref="ResultFile.Kind"/> it writes.</summary>
    string Kind { get; }

    /// <summary>
    /// Runs for one profile. When <paramref name="server"/> is set, the profile passed in already has
    /// <c>LlamaServer</c> set to its binary: the override travels in the profile, so a producer that starts the
    /// profile's server gets it; <paramref name="server"/> only names it for logs and the result's command line.
    /// </summary>
    Task<ResultFile> RunAsync(ModelProfile profile, LlamaServerOverride? server, CancellationToken ct);
}
