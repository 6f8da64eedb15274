using LocalClaude.Profiles;
using LocalClaude.Provisioning;
using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.Tests.Reporting;

/// <summary>A producer whose result depends on the profile and the server override, and that records what it saw.</summary>
internal sealed class FakeProducer(string kind, Func<ModelProfile, LlamaServerOverride?, CancellationToken, Task<ResultFile>> run) : IResultProducer
{
    public string Kind => kind;
    public List<(string Profile, string LlamaServer, string? Override, string? EnvironmentOverride)> Calls { get; } = [];

    public Task<ResultFile> RunAsync(ModelProfile profile, LlamaServerOverride? server, CancellationToken ct)
    {
        Calls.Add((profile.Name, profile.LlamaServer, server?.Binary, Environment.GetEnvironmentVariable(LlamaServerRegistry.OverrideVariable)));
        return run(profile, server, ct);
    }

    public static FakeProducer Returning(string kind, Func<ModelProfile, LlamaServerOverride?, ResultFile> make) =>
        new(kind, (p, s, _) => Task.FromResult(make(p, s)));

    public static ModelProfile Profile(string name) => new()
    {
        Name = name,
        Model = "default",
        Capabilities = new ProfileCapabilities(true, false, false),
        Location = new ConfLocation("models.conf", 1),
    };
}
