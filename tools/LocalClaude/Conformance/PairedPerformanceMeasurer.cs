using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Results;
using LocalClaude.Server;

namespace LocalClaude.Conformance;

/// <summary>
/// The gate's speed comparison: both builds' servers run at once and <see cref="PerformanceProbe"/> rounds alternate
/// between them (A B, B A, …), so a load that comes and goes on the machine weighs on both sides alike.
/// </summary>
public sealed class PairedPerformanceMeasurer(LocalClaudeContext context, ProgressLog progress) : IPairedMeasurer
{
    public async Task<ResultFile> MeasureAsync(ModelProfile profile, LlamaServerOverride baseline, LlamaServerOverride candidate, int rounds, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await using var a = await StartAsync(profile, baseline, ct);
        await using var b = await StartAsync(profile, candidate, ct);
        using var clientA = CheckContext.ClientFor(a.BaseUrl, a.ApiKey);
        using var clientB = CheckContext.ClientFor(b.BaseUrl, b.ApiKey);
        var contextA = new CheckContext(clientA, a.Profile, a.ApiKey);
        var contextB = new CheckContext(clientB, b.Profile, b.ApiKey);
        // One unmeasured round each: the first request after start pays for loading pages of the model.
        await PerformanceProbe.MeasureAsync(contextA, ct);
        await PerformanceProbe.MeasureAsync(contextB, ct);
        var pairs = await PairedComparison.MeasureAsync(rounds,
            async (round, token) => { progress.Info($"paired round {round + 1}/{rounds}: baseline"); return await PerformanceProbe.MeasureAsync(contextA, token); },
            async (round, token) => { progress.Info($"paired round {round + 1}/{rounds}: candidate"); return await PerformanceProbe.MeasureAsync(contextB, token); },
            ct);
        return new ResultFile
        {
            Kind = ResultKinds.Paired,
            Run = new RunInfo
            {
                Profile = profile.Name,
                ProfileDescription = profile.Description,
                Server = b.Info,
                StartedAt = started,
                DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                Command = $"tools/localclaude gate --baseline {baseline.Label} --candidate {candidate.Label} --profile {profile.Name} --rounds {rounds}",
                SuiteCommit = await SuiteVersion.CommitAsync(context.Repo, ct),
            },
            Pairs = pairs,
            Sides = new PairedSides(baseline.Label, a.Info, candidate.Label, b.Info, rounds),
        };
    }

    private async Task<ServerUnderTest> StartAsync(ModelProfile profile, LlamaServerOverride server, CancellationToken ct)
    {
        progress.Info($"starting llama-server {server.Label} for the paired measurement");
        return await ServerUnderTest.OpenAsync(context, profile with { LlamaServer = server.Binary }, ServerTarget.Start(), ct);
    }
}
