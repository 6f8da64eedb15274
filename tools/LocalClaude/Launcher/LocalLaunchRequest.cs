namespace LocalClaude.Launcher;

/// <summary>What <c>launch local</c> was asked for.</summary>
public sealed record LocalLaunchRequest
{
    public required string ProfileName { get; init; }
    /// <summary>The project folder Claude Code works in (the only host folder it may write besides its HOME).</summary>
    public required string WorkDirectory { get; init; }
    /// <summary>Claude Code's HOME on the host; null: <c>CACHE/launch/homes/PROFILE</c>, kept between launches.</summary>
    public string? SandboxHome { get; init; }
    /// <summary>A Claude Code executable; null: the pinned install in the cache.</summary>
    public string? ClaudeBinary { get; init; }
    /// <summary>An installed Claude Code version (<c>setup --claude-code</c>) instead of the pinned one.</summary>
    public string? ClaudeCodeVersion { get; init; }
    /// <summary>More paths (relative to the work dir and HOME) the sandbox may not create or change (<c>--deny-write</c>).</summary>
    public IReadOnlyList<string> DenyWrite { get; init; } = [];
    /// <summary>Passed to claude as they are (e.g. <c>--continue</c>).</summary>
    public IReadOnlyList<string> ClaudeArguments { get; init; } = [];
    /// <summary>Share a healthy llama-server already running with the profile's exact arguments (e.g. from <c>serve</c>).</summary>
    public bool ReuseServer { get; init; } = true;
}
