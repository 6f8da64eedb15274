using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Results;
using LocalClaude.Server;

namespace LocalClaude.Conformance;

/// <summary>Conformance as a report/gate phase: starts the profile's server (the gate's build override applies) and runs every check.</summary>
public sealed class ConformanceResultProducer(LocalClaudeContext context, ProgressLog progress) : IResultProducer
{
    public string Kind => ResultKinds.Conformance;

    public async Task<ResultFile> RunAsync(ModelProfile profile, LlamaServerOverride? server, CancellationToken ct)
    {
        await using var session = await ConformanceSession.OpenAsync(context, profile, ServerTarget.Start(), ct);
        return await session.RunAsync(new ConformanceRunOptions
        {
            Progress = progress,
            Command = $"tools/localclaude report --profiles {profile.Name}" + (server is null ? "" : $" (llama-server {server.Label})"),
            SuiteCommit = await SuiteVersion.CommitAsync(context.Repo, ct),
        }, ct);
    }
}
