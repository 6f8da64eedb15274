using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.Pipeline;

/// <summary>A phase (one producer on one profile) that produced no result file, and why.</summary>
public sealed record PhaseFailure(string Profile, string Kind, string Message);

public sealed record ProfileRunResults(IReadOnlyList<LoadedResultFile> Files, IReadOnlyList<PhaseFailure> Failures);

/// <summary>
/// Runs every producer on every profile, one phase at a time, saving each result file as soon as it exists so a
/// later failure or Ctrl-C loses no finished phase. A phase that throws or times out is recorded and the next one runs.
/// A long phase prints a line every <paramref name="heartbeat"/> (default a minute) so a CI log shows it is alive.
/// </summary>
public sealed class ProfileRunner(IReadOnlyList<IResultProducer> producers, ProgressLog progress, TimeSpan phaseTimeout, TimeSpan? heartbeat = null)
{
    public static readonly TimeSpan DefaultPhaseTimeout = TimeSpan.FromHours(2);
    private readonly TimeSpan _heartbeat = heartbeat ?? TimeSpan.FromMinutes(1);

    public async Task<ProfileRunResults> RunAsync(
        IReadOnlyList<ModelProfile> profiles, LlamaServerOverride? server, string resultsDirectory, CancellationToken ct)
    {
        if (producers.Count == 0)
            throw new InvalidOperationException(
                "no result producers are wired yet (conformance, replay and E2E runners plug in through ResultProducers.Create in tools/LocalClaude/Pipeline/ResultProducers.cs); " +
                "use --merge DIR with result files, or compare report.json files");
        Directory.CreateDirectory(resultsDirectory);
        var files = new List<LoadedResultFile>();
        var failures = new List<PhaseFailure>();
        for (var p = 0; p < profiles.Count; p++)
        {
            var profile = server is null ? profiles[p] : profiles[p] with { LlamaServer = server.Binary };
            for (var k = 0; k < producers.Count; k++)
            {
                var producer = producers[k];
                var phase = $"[{profile.Name}] {producer.Kind}";
                progress.Step($"{phase} (profile {p + 1}/{profiles.Count}, phase {k + 1}/{producers.Count}){(server is null ? "" : $" on {server.Label}")}");
                var clock = Stopwatch.StartNew();
                using var alive = new Timer(_ => progress.Info($"{phase}: still running ({Span(clock.Elapsed)})"), null, _heartbeat, _heartbeat);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(phaseTimeout);
                try
                {
                    var result = await producer.RunAsync(profile, server, timeout.Token);
                    if (result.Kind != producer.Kind || result.Run.Profile != profile.Name)
                        throw new InvalidDataException(
                            $"producer '{producer.Kind}' returned a '{result.Kind}' file for profile '{result.Run.Profile}', expected '{producer.Kind}' for '{profile.Name}'");
                    var path = Path.Combine(resultsDirectory, ReportWriter.ResultFileName(profile.Name, producer.Kind));
                    result.Save(path);
                    files.Add(new LoadedResultFile(result, path));
                    progress.Info($"{phase}: {Describe(result)} in {clock.Elapsed.TotalSeconds:0.0} s → {path}");
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    failures.Add(new PhaseFailure(profile.Name, producer.Kind, $"timed out after {Span(phaseTimeout)}"));
                    progress.Warn($"{phase}: timed out after {Span(phaseTimeout)}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Add(new PhaseFailure(profile.Name, producer.Kind, e.Message));
                    progress.Warn($"{phase}: failed after {clock.Elapsed.TotalSeconds:0.0} s: {e.Message}");
                }
            }
        }
        return new ProfileRunResults(files, failures);
    }

    private static string Span(TimeSpan t) => t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s" : $"{t.TotalSeconds:0.#} s";

    private static string Describe(Results.ResultFile result)
    {
        var parts = new List<string>();
        if (result.Checks.Count > 0) parts.Add(ReportFormat.Counts(OutcomeCounts.Of(result.Checks.Select(c => c.Outcome))));
        if (result.Trials.Count > 0) parts.Add($"{result.Trials.Count(t => t.Passed)}/{result.Trials.Count} trials passed");
        if (result.Requests.Count > 0) parts.Add($"{result.Requests.Count} requests replayed");
        return parts.Count == 0 ? "no checks" : string.Join("; ", parts);
    }
}
