namespace LocalClaude.Launcher;

/// <summary>
/// The user's environment, minus what would send an Anthropic launch elsewhere: a base-URL or token override (e.g.
/// left over from pasting <c>serve</c>'s exports), a cloud-provider switch, a model variable naming a local profile,
/// and for the subscription also an API key (which Claude Code would prefer over the login).
/// </summary>
public static class AnthropicEnvironment
{
    public const string ApiKeyVariable = "ANTHROPIC_API_KEY";

    /// <summary>Variables that point Claude Code at another endpoint or credential.</summary>
    public static readonly IReadOnlyList<string> RoutingOverrides =
    [
        "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN",
        "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY",
    ];

    /// <summary>Model variables the local backend sets to a profile name.</summary>
    public static readonly IReadOnlyList<string> ModelVariables =
    [
        "ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL",
    ];

    /// <summary>Which variables to remove (value null) from <paramref name="current"/>, with the reason for each.</summary>
    public static IReadOnlyList<(string Name, string Reason)> Removals(
        LaunchBackend backend, IReadOnlyDictionary<string, string> current, IReadOnlySet<string> localModelNames)
    {
        if (backend is not (LaunchBackend.Api or LaunchBackend.Subscription))
            throw new ArgumentOutOfRangeException(nameof(backend), backend, "only the Anthropic backends use the user's environment");
        var removals = new List<(string, string)>();
        foreach (var name in RoutingOverrides)
            if (current.ContainsKey(name)) removals.Add((name, "it would route Claude Code away from Anthropic"));
        foreach (var name in ModelVariables)
            if (current.TryGetValue(name, out var value) && localModelNames.Contains(value))
                removals.Add((name, $"'{value}' is a local profile, not an Anthropic model"));
        if (backend == LaunchBackend.Subscription && current.ContainsKey(ApiKeyVariable))
            removals.Add((ApiKeyVariable, "an API key would be used instead of your subscription login"));
        return removals;
    }

    public static IReadOnlyDictionary<string, string> Current()
    {
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            current[(string)entry.Key] = entry.Value as string ?? "";
        return current;
    }
}
