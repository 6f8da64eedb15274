using LocalClaude.Profiles;
using LocalClaude.Sandbox;
using LocalClaude.Server;

namespace LocalClaude.Launcher;

/// <summary>A checked <see cref="LocalLaunchRequest"/>: every path real, every part found; nothing started yet.</summary>
public sealed record LocalLaunchPlan
{
    public required ModelProfile Profile { get; init; }
    public required LlamaServerLaunch ServerLaunch { get; init; }
    public required string WorkDirectory { get; init; }
    /// <summary>Where the work dir appears inside the sandbox: its own path where the sandbox allows it, so per-project state stays per project.</summary>
    public required string WorkDirectoryInside { get; init; }
    public required string SandboxHome { get; init; }
    public required ClaudeCodeBinary Claude { get; init; }
    /// <summary>What of Claude Code the sandbox sees: its package folder, or the file alone (never the folder around it).</summary>
    public required ClaudeCodeBind ClaudeBind { get; init; }
    /// <summary>Paths in the work dir and HOME the sandbox may not create or change, besides the mandatory ones (<c>--deny-write</c>).</summary>
    public IReadOnlyList<string> DenyWrite { get; init; } = [];
    public required IReadOnlyList<string> ClaudeArguments { get; init; }
    public required bool ReuseServer { get; init; }
}
