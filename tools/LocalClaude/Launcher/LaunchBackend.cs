namespace LocalClaude.Launcher;

/// <summary>Where a launched Claude Code sends its requests.</summary>
public enum LaunchBackend
{
    /// <summary>A profile's llama-server on this machine; Claude Code runs sandboxed with its own HOME.</summary>
    Local,
    /// <summary>Anthropic's API with the user's ANTHROPIC_API_KEY and the user's own config.</summary>
    Api,
    /// <summary>Anthropic with the user's Claude subscription login (no API key, no base-URL override).</summary>
    Subscription,
}
