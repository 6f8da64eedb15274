using System.Text.Json;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Provisioning;
using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.Pipeline;

public sealed record GateRequest
{
    public required GateSource Baseline { get; init; }
    public required GateSource Candidate { get; init; }
    /// <summary>The profile to compare; null: the one profile both sides share, else <see cref="DefaultProfile"/>.</summary>
    public string? Profile { get; init; }
    public required string DefaultProfile { get; init; }
    /// <summary>Where gate.md, gate.json and the result files of build runs go.</summary>
    public required string OutputDirectory { get; init; }
    public GateOptions Options { get; init; } = GateOptions.Default;
    public TimeSpan PhaseTimeout { get; init; } = ProfileRunner.DefaultPhaseTimeout;
    /// <summary>Rounds of the paired speed measurement when both sides are builds.</summary>
    public int Rounds { get; init; } = PairedComparison.DefaultRounds;
    /// <summary>Two builds: only the paired speed measurement, no conformance, replay or E2E (minutes instead of an hour on a busy machine).</summary>
    public bool SpeedOnly { get; init; }
}

public sealed record GateOutcome(GateResult Result, string Markdown, string MarkdownPath, string JsonPath);

/// <summary>Thrown when a side cannot be had (a phase failed on a build, a report lacks the profile): the gate exits 2.</summary>
public sealed class GateCouldNotRunException(string message) : InvalidOperationException(message);

/// <summary>
/// The <c>gate</c> command's work: turn each side into a <see cref="ProfileSnapshot"/> (reading a report or result
/// files, or running the producers on a build with the same profile), compare, write gate.md and gate.json.
/// </summary>
/// <remarks>
/// When both sides are builds, an <see cref="IPairedMeasurer"/> then measures the speed metrics on both at once, in
/// turn, and the gate judges speed from those pairs; the paired file is saved beside the candidate's result files so
/// that a later gate over the saved folders recomputes the same verdict.
/// </remarks>
public sealed class GateRun(IReadOnlyList<IResultProducer> producers, Func<string, ModelProfile> findProfile, ProgressLog progress,
    IPairedMeasurer? pairedMeasurer = null)
{
    public async Task<GateOutcome> RunAsync(GateRequest request, CancellationToken ct)
    {
        var baseline = Load(request.Baseline);
        var candidate = Load(request.Candidate);
        var profile = request.Profile ?? ChooseProfile(baseline, candidate, request.DefaultProfile);
        progress.Step($"gate on profile '{profile}': baseline {request.Baseline.Spec}, candidate {request.Candidate.Spec}");

        if (request.SpeedOnly && (baseline.Source is not GateSource.Build || candidate.Source is not GateSource.Build))
            throw new GateCouldNotRunException("--speed-only measures two llama-server builds in pairs: both --baseline and --candidate must be builds");
        var before = request.SpeedOnly ? await VersionOnlyAsync(baseline, profile, ct)
            : await SnapshotAsync(baseline, profile, Path.Combine(request.OutputDirectory, "baseline"), request.PhaseTimeout, ct);
        var after = request.SpeedOnly ? await VersionOnlyAsync(candidate, profile, ct)
            : await SnapshotAsync(candidate, profile, Path.Combine(request.OutputDirectory, "candidate"), request.PhaseTimeout, ct);
        if (before.ServerVersion is not null && before.ServerVersion == after.ServerVersion)
            progress.Warn($"baseline and candidate report the same llama-server ({before.ServerVersion})");

        var pairs = await PairsAsync(request, baseline, candidate, profile, ct);
        // A side with nothing to compare is a broken run, unless the gate measured (or saved) pairs: speed only.
        if (pairs is not { Count: > 0 })
            foreach (var (side, snapshot) in new[] { (baseline, before), (candidate, after) })
                if (snapshot.IsEmpty) throw new GateCouldNotRunException($"{side.Source.Spec}: no checks, tasks or metrics for profile '{profile}'");
        var result = Gate.Compare(before, after, request.Options, pairs);
        var markdown = GateMarkdown.Render(result);
        var markdownPath = Path.Combine(request.OutputDirectory, GateMarkdown.FileName);
        var jsonPath = Path.Combine(request.OutputDirectory, "gate.json");
        AtomicFile.WriteAllText(markdownPath, markdown);
        AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(result, CompatibilityReport.Json));
        return new GateOutcome(result, markdown, markdownPath, jsonPath);
    }

    /// <summary>Pairs measured now (two builds), or read back from the candidate's saved result files; else none.</summary>
    private async Task<IReadOnlyList<PairedMetricSamples>?> PairsAsync(GateRequest request, LoadedSide baseline, LoadedSide candidate, string profile, CancellationToken ct)
    {
        if (baseline.Source is GateSource.Build b && candidate.Source is GateSource.Build c)
        {
            if (pairedMeasurer is null) return null;
            progress.Step($"paired speed measurement: {b.Spec} and {c.Spec} up at once, {request.Rounds} rounds in turn");
            ResultFile paired;
            try
            {
                paired = await pairedMeasurer.MeasureAsync(findProfile(profile), new LlamaServerOverride(b.Binary, b.Spec), new LlamaServerOverride(c.Binary, c.Spec), request.Rounds, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new GateCouldNotRunException($"the paired speed measurement failed: {e.Message}");
            }
            var path = Path.Combine(request.OutputDirectory, "candidate", ReportWriter.ResultFileName(profile, ResultKinds.Paired));
            paired.Save(path);
            progress.Info($"paired samples → {path}");
            return paired.Pairs;
        }
        return candidate.Results?.Files.FirstOrDefault(f => f.Kind == ResultKinds.Paired && f.Profile == profile)?.File.Pairs;
    }

    private sealed record LoadedSide(GateSource Source, CompatibilityReport? Report, ResultFileSet? Results)
    {
        public IReadOnlyList<string>? Profiles => Report?.Profiles.Select(p => p.Name).ToList() ?? Results?.Profiles;
    }

    private static LoadedSide Load(GateSource source) => source switch
    {
        GateSource.Report r => new LoadedSide(source, CompatibilityReport.Load(r.Path), null),
        GateSource.Results r => new LoadedSide(source, null, ResultFileSet.Load([r.Path])),
        _ => new LoadedSide(source, null, null),
    };

    private static string ChooseProfile(LoadedSide baseline, LoadedSide candidate, string fallback)
    {
        var sets = new[] { baseline.Profiles, candidate.Profiles }.OfType<IReadOnlyList<string>>().ToList();
        if (sets.Count == 0) return fallback;
        var common = sets.Aggregate((IEnumerable<string>)sets[0], (acc, s) => acc.Intersect(s)).ToList();
        if (common.Count == 1) return common[0];
        if (common.Contains(fallback)) return fallback;
        throw new GateCouldNotRunException(common.Count == 0
            ? $"baseline and candidate share no profile (baseline: {Names(baseline)}; candidate: {Names(candidate)})"
            : $"both sides have several profiles ({string.Join(", ", common)}): pick one with --profile");
    }

    private static string Names(LoadedSide side) => side.Profiles is { } p ? string.Join(", ", p) : "any (a build)";

    private static async Task<ProfileSnapshot> VersionOnlyAsync(LoadedSide side, string profile, CancellationToken ct) => new()
    {
        Profile = profile,
        Label = side.Source.Spec,
        ServerVersion = (await LlamaServerVersion.ReadAsync(((GateSource.Build)side.Source).Binary, ct)).Raw.Replace("version: ", ""),
    };

    private async Task<ProfileSnapshot> SnapshotAsync(LoadedSide side, string profile, string resultsDirectory, TimeSpan phaseTimeout, CancellationToken ct)
    {
        var snapshot = side.Source switch
        {
            GateSource.Report => FromReport(side, profile),
            GateSource.Results => side.Results!.Files.Any(f => f.Profile == profile)
                ? ProfileSnapshot.FromResults(profile, side.Source.Spec, side.Results.Files)
                : throw new GateCouldNotRunException($"{side.Source.Spec}: no result files for profile '{profile}' (it has: {Names(side)})"),
            GateSource.Build build => await RunBuildAsync(build, profile, resultsDirectory, phaseTimeout, ct),
            _ => throw new InvalidOperationException($"unknown gate source {side.Source}"),
        };
        return snapshot;
    }

    private static ProfileSnapshot FromReport(LoadedSide side, string profile)
    {
        try { return ProfileSnapshot.FromReport(side.Report!, profile, side.Source.Spec); }
        catch (InvalidDataException e) { throw new GateCouldNotRunException(e.Message); }
    }

    private async Task<ProfileSnapshot> RunBuildAsync(GateSource.Build build, string profile, string resultsDirectory, TimeSpan phaseTimeout, CancellationToken ct)
    {
        var server = new LlamaServerOverride(build.Binary, build.Spec);
        var results = await new ProfileRunner(producers, progress, phaseTimeout).RunAsync([findProfile(profile)], server, resultsDirectory, ct);
        // A phase that produced nothing cannot be compared; passing it silently could hide a crash of the candidate.
        if (results.Failures.Count > 0)
            throw new GateCouldNotRunException($"{build.Spec}: {string.Join("; ", results.Failures.Select(f => $"{f.Kind} produced no result: {f.Message}"))}");
        var snapshot = ProfileSnapshot.FromResults(profile, build.Spec, results.Files);
        if (snapshot.ServerVersion is null)
            snapshot = snapshot with { ServerVersion = (await LlamaServerVersion.ReadAsync(build.Binary, ct)).Raw };
        return snapshot;
    }
}
