namespace LocalClaude.Launcher;

/// <summary>What <c>launch api</c> or <c>launch subscription</c> was asked for.</summary>
public sealed record AnthropicLaunchRequest
{
    /// <summary><see cref="LaunchBackend.Api"/> or <see cref="LaunchBackend.Subscription"/>.</summary>
    public required LaunchBackend Backend { get; init; }
    public required string WorkDirectory { get; init; }
    /// <summary>A Claude Code executable; null: <c>claude</c> on PATH, else the pinned install.</summary>
    public string? ClaudeBinary { get; init; }
    public IReadOnlyList<string> ClaudeArguments { get; init; } = [];
}

/// <summary>A checked Anthropic launch: the binary, and exactly which variables of the user's environment change.</summary>
public sealed record AnthropicLaunchPlan
{
    public required LaunchBackend Backend { get; init; }
    public required string WorkDirectory { get; init; }
    /// <summary>The user's own HOME: Claude Code uses the user's ~/.claude and ~/.claude.json, which the launcher never touches.</summary>
    public required string Home { get; init; }
    public required ClaudeCodeBinary Claude { get; init; }
    public required IReadOnlyList<string> ClaudeArguments { get; init; }
    /// <summary>Variables removed from the user's environment (value null), each because it would route away from Anthropic.</summary>
    public required IReadOnlyDictionary<string, string?> EnvironmentChanges { get; init; }
}
