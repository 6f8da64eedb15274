using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;

namespace LocalClaude.Launcher;

/// <summary>A Claude Code executable and where it came from (for the banner).</summary>
public sealed record ClaudeCodeBinary(string Path, string Source);

/// <summary>
/// What of Claude Code a sandbox binds read-only: <see cref="HostPath"/> is its npm package folder (the real path's
/// nearest <c>node_modules/@anthropic-ai/claude-code*</c> folder) or, outside any package, the file alone.
/// </summary>
public sealed record ClaudeCodeBind(string HostPath, string RelativeExecutable, bool IsFile);

/// <summary>Finds the Claude Code executable a backend runs; a missing one is a <see cref="LaunchRefusedException"/>.</summary>
public static class ClaudeCodeLocator
{
    /// <summary>The local backend runs the pinned install (<c>tools/localclaude setup</c>) unless told a path or another installed version.</summary>
    public static ClaudeCodeBinary ForLocal(LocalClaudeHome cache, string? explicitPath, string? version = null)
    {
        if (explicitPath is not null && version is not null) throw new LaunchRefusedException("give --claude PATH or --claude-code VERSION, not both");
        if (explicitPath is not null) return Explicit(explicitPath);
        if (version is not null)
        {
            try { return new ClaudeCodeBinary(ClaudeCodeInstall.Require(cache, version).Binary, $"{version} from the cache"); }
            catch (Exception e) when (e is FileNotFoundException or ArgumentException) { throw new LaunchRefusedException(e.Message); }
        }
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

    /// <summary>The package folder <paramref name="binary"/> belongs to, or the file alone; never a plain parent such as / or /tmp.</summary>
    public static ClaudeCodeBind BindFor(ClaudeCodeBinary binary)
    {
        var real = Sandbox.RealPath.Of(binary.Path);
        for (var dir = System.IO.Path.GetDirectoryName(real); dir is not null; dir = System.IO.Path.GetDirectoryName(dir))
        {
            var scope = System.IO.Path.GetDirectoryName(dir);
            if (System.IO.Path.GetFileName(dir).StartsWith("claude-code", StringComparison.Ordinal)
                && System.IO.Path.GetFileName(scope) == "@anthropic-ai"
                && System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(scope)) == "node_modules")
                return new ClaudeCodeBind(dir, System.IO.Path.GetRelativePath(dir, real), IsFile: false);
        }
        return new ClaudeCodeBind(real, System.IO.Path.GetFileName(real), IsFile: true);
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
