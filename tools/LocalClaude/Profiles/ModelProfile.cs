namespace LocalClaude.Profiles;

/// <summary>What a profile's model is expected to do; checks and tasks read their expectations from here.</summary>
public sealed record ProfileCapabilities(bool Tools, bool Thinking, bool Vision);

/// <summary>GPU layers: a number, or <c>auto</c> (llama-server decides).</summary>
public readonly record struct GpuLayers(int? Count)
{
    public static GpuLayers Auto => new(null);
    public bool IsAuto => Count is null;
    public override string ToString() => Count?.ToString() ?? "auto";
}

/// <summary>Where a profile (or one of its keys) was defined, for error messages.</summary>
public sealed record ConfLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>One named llama-server configuration from models.conf.</summary>
public sealed record ModelProfile
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>The MODEL value as written: a gguf path, or a generated model name (<c>default</c>, <c>default-thinking</c>).</summary>
    public required string Model { get; init; }
    public int ContextSize { get; init; } = 32768;
    public int ParallelSlots { get; init; } = 1;
    public GpuLayers GpuLayers { get; init; } = new(0);
    public string? ChatTemplateFile { get; init; }
    public string? MultimodalProjector { get; init; }
    /// <summary>The model name the server reports; defaults to the profile name.</summary>
    public string? Alias { get; init; }
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    /// <summary>Which llama-server build: <c>default</c> (the pinned release), <c>npm:VERSION</c>, a registered name, or a path.</summary>
    public string LlamaServer { get; init; } = "default";
    public required ProfileCapabilities Capabilities { get; init; }
    /// <summary>Random weights: the model follows no instruction, so checks reach tool calls and thinking by prefill routes.</summary>
    public bool Synthetic { get; init; }
    /// <summary>Generation cap passed as <c>-n</c>: a random model rarely emits an end token.</summary>
    public int? MaxOutputTokens { get; init; }
    /// <summary>The key llama-server requires (<c>--api-key</c>); clients send it as a bearer token.</summary>
    public string ApiKey { get; init; } = "localclaude";
    public required ConfLocation Location { get; init; }
    /// <summary>Line of each key, so later validation (a missing model file) can name it.</summary>
    public IReadOnlyDictionary<string, int> KeyLines { get; init; } = new Dictionary<string, int>();

    public string ServedModelName => Alias ?? Name;

    public ConfLocation LocationOf(string key) =>
        KeyLines.TryGetValue(key, out var line) ? Location with { Line = line } : Location;
}
