using System.CommandLine;
using LocalClaude.Provisioning;

namespace LocalClaude.Cli.Commands;

/// <summary><c>--claude-code VERSION</c>, the same on every command that runs Claude Code: an installed version, never fetched at run time.</summary>
internal static class ClaudeCodeVersionOption
{
    public static Option<string?> Create() => new("--claude-code")
    {
        Description = $"run this Claude Code version, installed beforehand with 'setup --claude-code VERSION' (default: the pinned {ClaudeCodeInstall.PinnedVersion})",
    };
}
