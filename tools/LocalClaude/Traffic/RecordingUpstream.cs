using LocalClaude.Profiles;
using LocalClaude.Relay;
using LocalClaude.ScriptedControls;
using LocalClaude.Server;

namespace LocalClaude.Traffic;

/// <summary>What a recording talks to: a profile's llama-server, a scripted control, or a server at a URL.</summary>
public abstract record UpstreamSpec
{
    public sealed record Profile(ModelProfile Value) : UpstreamSpec;
    public sealed record Control(string Script) : UpstreamSpec;
    public sealed record Url(Uri Address, string AuthToken, string ModelName) : UpstreamSpec;
}

/// <summary>A started upstream: its address, the token and model name Claude Code gets, and how the fixture names it.</summary>
public sealed class RunningUpstream(Uri baseUrl, string authToken, string modelName, TrafficUpstream info, IAsyncDisposable? owned) : IAsyncDisposable
{
    public Uri BaseUrl { get; } = baseUrl;
    public string AuthToken { get; } = authToken;
    public string ModelName { get; } = modelName;
    public TrafficUpstream Info { get; } = info;
    /// <summary>The generation cap the recording proxy applies on the way to this upstream (a profile's MAX_OUTPUT_TOKENS).</summary>
    public int? MaxTokensCap => Info.MaxOutputTokens;

    /// <summary>Starts what <paramref name="spec"/> names (a llama-server, a control) or just points at a URL.</summary>
    /// <param name="maxOutputTokens">A generation cap for a profile's server other than its MAX_OUTPUT_TOKENS (the recording proxy applies it).</param>
    public static async Task<RunningUpstream> StartAsync(UpstreamSpec spec, LocalClaudeContext context, string workDirectory,
        string modelNameForControls, CancellationToken cancellationToken, int? maxOutputTokens = null)
    {
        switch (spec)
        {
            case UpstreamSpec.Profile(var profile):
                {
                    var server = await ServerUnderTest.OpenAsync(context, profile, ServerTarget.Start(), cancellationToken);
                    var cap = maxOutputTokens ?? profile.MaxOutputTokens;
                    return new RunningUpstream(server.BaseUrl, profile.ApiKey, profile.ServedModelName, new TrafficUpstream
                    {
                        Kind = TrafficUpstream.ProfileKind,
                        Name = profile.Name,
                        Server = server.Info.Version is { } version ? "llama-server " + version : null,
                        MaxOutputTokens = cap,
                        Note = cap is not null
                            ? $"generation capped: the recording proxy lowered max_tokens to {cap} on the way to llama-server (random weights rarely stop; " +
                              "llama-server's -n does not cap a request's own max_tokens); the recorded requests keep Claude Code's own max_tokens, " +
                              "and Claude Code answered each max_tokens stop with a continuation request"
                            : null,
                    }, server);
                }
            case UpstreamSpec.Control(var name):
                {
                    var script = RecordingControls.Create(name, workDirectory);
                    var control = await ScriptedAnthropicServer.StartAsync(script, cancellationToken);
                    return new RunningUpstream(control.BaseUrl, "control", modelNameForControls, new TrafficUpstream
                    {
                        Kind = TrafficUpstream.ControlKind,
                        Name = script.Name,
                        Server = "LocalClaude ScriptedAnthropicServer (a CONTROL, not a model)",
                        Note = RecordingControls.Descriptions[name] + ". The requests are what matters; replay sends them to a real server.",
                    }, control);
                }
            case UpstreamSpec.Url(var address, var token, var model):
                return new RunningUpstream(address, token, model, new TrafficUpstream { Kind = TrafficUpstream.UrlKind, Name = address.ToString() }, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (owned is not null) await owned.DisposeAsync();
    }
}
