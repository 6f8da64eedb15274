using LocalClaude.Profiles;
using LocalClaude.Results;

namespace LocalClaude.Tests.Pipeline;

/// <summary>A producer whose result depends on the profile and the server override, and that records what it saw.</summary>
internal sealed class FakeProducer(string kind, Func<ModelProfile, LlamaServerOverride?, CancellationToken, Task<ResultFile>> run) : IResultProducer
{
    public string Kind => kind;
    /// <summary>Each call: the profile, its LLAMA_SERVER, the override, and the process variables that name the override's binary.</summary>
    public List<(string Profile, string LlamaServer, string? Override, string[] VariablesNamingTheBinary)> Calls { get; } = [];

    public Task<ResultFile> RunAsync(ModelProfile profile, LlamaServerOverride? server, CancellationToken ct)
    {
        var naming = server is null ? [] : Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => e.Value as string == server.Binary).Select(e => (string)e.Key).Order(StringComparer.Ordinal).ToArray();
        Calls.Add((profile.Name, profile.LlamaServer, server?.Binary, naming));
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
