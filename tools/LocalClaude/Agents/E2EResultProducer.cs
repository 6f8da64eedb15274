using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Results;

namespace LocalClaude.Agents;

/// <summary>
/// E2E as a report/gate phase: starts the profile's llama-server (the gate's build override applies through the
/// profile) and runs every task once. The run's own folder keeps the transcripts; since the report saves the file
/// elsewhere, the returned trials name them by absolute path.
/// </summary>
public sealed class E2EResultProducer(LocalClaudeContext context, ProgressLog progress, int trials = 1, string? claudeCodeVersion = null) : IResultProducer
{
    public string Kind => CapabilityMatrix.Kind;

    public async Task<ResultFile> RunAsync(ModelProfile profile, LlamaServerOverride? server, CancellationToken ct)
    {
        var folder = Path.Combine(context.Home.Runs, $"e2e-{profile.Name}-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        var result = await new E2ESuite(context).RunProfileAsync(profile, Server.ServerTarget.Start(), new E2ESuiteOptions
        {
            ResultPath = Path.Combine(folder, $"e2e-{profile.Name}.json"),
            RunDirectory = Path.Combine(folder, "trials"),
            Trials = trials,
            ClaudeCodeVersion = claudeCodeVersion,
            Progress = progress,
            Command = $"tools/localclaude report --profiles {profile.Name}" + (server is null ? "" : $" (llama-server {server.Label})"),
        }, ct);
        return result.File with
        {
            Trials = result.File.Trials.Select(t => t with
            {
                Transcript = t.Transcript is null ? null : Path.GetFullPath(Path.Combine(folder, t.Transcript)),
            }).ToList(),
        };
    }
}
