using LocalClaude.Infrastructure;

namespace LocalClaude.Launcher;

/// <summary>A host path a sandboxed Claude Code must never be able to read or change, with what it is (for the error).</summary>
public sealed record ProtectedPath(string Path, string What)
{
    /// <summary>Project config files Claude Code reads from a folder (and would write in a trusted one).</summary>
    public static readonly IReadOnlyList<string> ProjectConfigNames = [".claude", "CLAUDE.md", "CLAUDE.local.md", "AI_INSTRUCTIONS.md", ".mcp.json"];

    /// <summary>
    /// The repository's own folder (its config: <c>.claude/</c>, <c>CLAUDE.md</c>, <c>AI_INSTRUCTIONS.md</c>, <c>models.conf</c>, <c>.git</c>),
    /// the user's <c>~/.claude</c> and <c>~/.claude.json</c>, and the LocalClaude cache (binaries, models, sandbox homes).
    /// </summary>
    public static IReadOnlyList<ProtectedPath> Defaults(RepoLayout repo, LocalClaudeHome cache, string userHome) =>
    [
        new(repo.Root, "the LocalClaude repository (its own config: .claude/, CLAUDE.md, AI_INSTRUCTIONS.md, models.conf, .git)"),
        new(System.IO.Path.Combine(userHome, ".claude"), "your Claude Code config ~/.claude"),
        new(System.IO.Path.Combine(userHome, ".claude.json"), "your Claude Code config ~/.claude.json"),
        new(cache.Root, "the LocalClaude cache (llama-server, models, Claude Code, sandbox homes)"),
    ];

    /// <summary>The user's HOME: $HOME, else the passwd entry .NET reports.</summary>
    public static string UserHome() =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home
            ? home
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
}
