using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;

namespace LocalClaude.Launcher;

/// <summary>A Claude Code executable and where it came from (for the banner).</summary>
public sealed record ClaudeCodeBinary(string Path, string Source);

/// <summary>Finds the Claude Code executable a backend runs; a missing one is a <see cref="LaunchRefusedException"/>.</summary>
public static class ClaudeCodeLocator
{
    /// <summary>The local backend runs the pinned install (<c>tools/localclaude setup</c>) unless told otherwise.</summary>
    public static ClaudeCodeBinary ForLocal(LocalClaudeHome cache, string? explicitPath)
    {
        if (explicitPath is not null) return Explicit(explicitPath);
        if (ClaudeCodeInstall.Find(cache) is { } pinned)
            return new ClaudeCodeBinary(pinned.Binary, $"pinned {ClaudeCodeInstall.PinnedVersion} from the cache");
        throw new LaunchRefusedException(
            $"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed in {ClaudeCodeInstall.PrefixFor(cache, ClaudeCodeInstall.PinnedVersion)}; " +
            "run 'tools/localclaude setup' (or pass --claude PATH)");
    }

    /// <summary>The Anthropic backends run the user's own <c>claude</c> from PATH, else the pinned install.</summary>
    public static ClaudeCodeBinary ForAnthropic(LocalClaudeHome cache, string? explicitPath, string? searchPath)
    {
        if (explicitPath is not null) return Explicit(explicitPath);
        foreach (var dir in (searchPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, "claude");
            if (IsExecutableFile(candidate)) return new ClaudeCodeBinary(candidate, "your claude on PATH");
        }
        if (ClaudeCodeInstall.Find(cache) is { } pinned)
            return new ClaudeCodeBinary(pinned.Binary, $"pinned {ClaudeCodeInstall.PinnedVersion} from the cache (no claude on PATH)");
        throw new LaunchRefusedException(
            $"no Claude Code found: neither 'claude' on PATH nor the pinned {ClaudeCodeInstall.PinnedVersion} in the cache; " +
            "install it (npm install -g @anthropic-ai/claude-code), run 'tools/localclaude setup', or pass --claude PATH");
    }

    private static ClaudeCodeBinary Explicit(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!IsExecutableFile(full)) throw new LaunchRefusedException($"--claude '{path}': no executable file there");
        var real = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        return new ClaudeCodeBinary(real, "--claude");
    }

    private static bool IsExecutableFile(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
