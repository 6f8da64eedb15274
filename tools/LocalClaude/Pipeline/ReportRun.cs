using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.Pipeline;

/// <summary>What <c>report</c> was asked to do: run producers on <see cref="Profiles"/>, or merge result folders.</summary>
public sealed record ReportRequest
{
    public required string OutputDirectory { get; init; }
    /// <summary>Profiles to run the producers on (ignored when merging).</summary>
    public IReadOnlyList<ModelProfile> Profiles { get; init; } = [];
    /// <summary>Folders or files of result files made elsewhere; when given, nothing runs.</summary>
    public IReadOnlyList<string> MergeFrom { get; init; } = [];
    /// <summary>When merging: keep only these profiles (empty: all).</summary>
    public IReadOnlyList<string> ProfileFilter { get; init; } = [];
    public TimeSpan PhaseTimeout { get; init; } = ProfileRunner.DefaultPhaseTimeout;
    /// <summary>Snapshots kept in history/ (0: all).</summary>
    public int KeepHistory { get; init; }
}

public sealed record ReportOutcome(CompatibilityReport Report, ReportFiles Files, IReadOnlyList<PhaseFailure> Failures)
{
    /// <summary>0: written and every phase ran; 1: written, but some phase produced no result (see the warnings).</summary>
    public int ExitCode => Failures.Count == 0 ? Infrastructure.ExitCodes.Ok : Infrastructure.ExitCodes.Verdict;
}

/// <summary>The <c>report</c> command's work: gather result files (run or merge), build, write.</summary>
public sealed class ReportRun(IReadOnlyList<IResultProducer> producers, ProgressLog progress, TimeProvider clock)
{
    public const string RunsFolder = "runs";

    public async Task<ReportOutcome> RunAsync(ReportRequest request, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var writer = new ReportWriter(request.OutputDirectory);
        var warnings = new List<string>();
        IReadOnlyList<LoadedResultFile> files;
        IReadOnlyList<PhaseFailure> failures = [];
        string? runDirectory = null;

        if (request.MergeFrom.Count > 0)
        {
            progress.Step($"merging result files from {string.Join(", ", request.MergeFrom)}");
            var set = ResultFileSet.Load(request.MergeFrom).ForProfiles(request.ProfileFilter.ToHashSet());
            warnings.AddRange(set.Warnings);
            files = set.Files;
            progress.Info($"{files.Count} result file(s) for {set.Profiles.Count} profile(s)");
        }
        else
        {
            if (request.Profiles.Count == 0) throw new ArgumentException("no profiles to run");
            runDirectory = Path.Combine(writer.OutputDirectory, RunsFolder, ReportWriter.SnapshotName(started));
            var results = await new ProfileRunner(producers, progress, request.PhaseTimeout).RunAsync(request.Profiles, null, runDirectory, ct);
            files = results.Files;
            failures = results.Failures;
            warnings.AddRange(failures.Select(f => $"{f.Profile} {f.Kind}: no result: {f.Message}"));
        }
        if (files.Count == 0)
        {
            if (runDirectory is not null && Directory.Exists(runDirectory) && !Directory.EnumerateFileSystemEntries(runDirectory).Any())
                Directory.Delete(runDirectory);
            throw new InvalidDataException(
                $"no result files to report on{(failures.Count > 0 ? $" (every phase failed: {failures[0].Profile} {failures[0].Kind}: {failures[0].Message})" : "")}; the previous report is left as it was");
        }

        progress.Step($"writing the report into {writer.OutputDirectory}");
        var history = writer.LoadHistory(warnings);
        var report = CompatibilityReportBuilder.Build(files, clock.GetUtcNow(), history, warnings);
        var written = writer.Write(report, files, request.KeepHistory);
        // The snapshot holds copies now; the run folder only matters when a run stops before this point.
        if (runDirectory is not null && Directory.Exists(runDirectory)) Directory.Delete(runDirectory, recursive: true);
        foreach (var path in new[] { written.Html, written.Json, written.Summary }) progress.Info(path);
        progress.Info($"snapshot: {written.Snapshot}");
        return new ReportOutcome(report, written, failures);
    }
}
