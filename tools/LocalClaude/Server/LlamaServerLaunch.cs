using LocalClaude.Profiles;

namespace LocalClaude.Server;

/// <summary>Everything needed to start one llama-server: the binary, the resolved model files, the profile.</summary>
public sealed record LlamaServerLaunch
{
    public required string Binary { get; init; }
    public required ModelProfile Profile { get; init; }
    public required string ModelPath { get; init; }
    public string? ChatTemplatePath { get; init; }
    public string? MultimodalProjectorPath { get; init; }
    /// <summary>A fixed port, or null to pick a free loopback port.</summary>
    public int? Port { get; init; }
    public string Host { get; init; } = "127.0.0.1";
    public TimeSpan HealthDeadline { get; init; } = TimeSpan.FromMinutes(5);
    public required string LogDirectory { get; init; }
    /// <summary>Variables added to this server's own environment (never to ours), e.g. the launch that owns it.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>llama-server's command line for this profile (without host/port, which are added per start).</summary>
    public IReadOnlyList<string> Arguments(int port)
    {
        var p = Profile;
        var args = new List<string>
        {
            "-m", ModelPath,
            "--host", Host, "--port", port.ToString(),
            "-c", p.ContextSize.ToString(),
            "-np", p.ParallelSlots.ToString(),
            "-ngl", p.GpuLayers.ToString(),
            "--alias", p.ServedModelName,
            "--api-key", p.ApiKey,
        };
        if (ChatTemplatePath is not null) args.AddRange(["--chat-template-file", ChatTemplatePath]);
        if (MultimodalProjectorPath is not null) args.AddRange(["--mmproj", MultimodalProjectorPath]);
        if (p.MaxOutputTokens is { } n) args.AddRange(["-n", n.ToString()]);
        args.AddRange(p.ExtraArgs);
        return args;
    }
}
