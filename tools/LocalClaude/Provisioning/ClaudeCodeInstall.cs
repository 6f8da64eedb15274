using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>The real Claude Code CLI, installed from npm into the cache at a pinned version.</summary>
public sealed record ClaudeCodeInstall(string Version, string Binary)
{
    public const string PinnedVersion = "2.1.328";
    public const string Package = "@anthropic-ai/claude-code";

    public static string PrefixFor(LocalClaudeHome home, string version) => Path.Combine(home.ClaudeCode, version);

    /// <summary>The installed binary for <paramref name="version"/>, or null. Follows npm's bin symlink to the native executable.</summary>
    public static ClaudeCodeInstall? Find(LocalClaudeHome home, string version = PinnedVersion)
    {
        var link = Path.Combine(PrefixFor(home, version), "node_modules", ".bin", "claude");
        if (!File.Exists(link)) return null;
        var target = new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link;
        return File.Exists(target) ? new ClaudeCodeInstall(version, target) : null;
    }

    public static async Task<ClaudeCodeInstall> EnsureAsync(LocalClaudeHome home, ProgressLog progress, CancellationToken ct, string version = PinnedVersion)
    {
        if (Find(home, version) is { } found && await ReadVersionAsync(found.Binary, ct) == version)
        {
            progress.Info($"cached: {found.Binary}");
            return found;
        }
        var prefix = home.Ensure(PrefixFor(home, version));
        progress.Info($"npm install {Package}@{version} (a ~370 MB native binary)");
        await ExternalCommand.RunAsync("npm",
            ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", $"{Package}@{version}"],
            new CommandOptions { LogFile = Path.Combine(prefix, "install.log"), Timeout = TimeSpan.FromMinutes(20) }, ct);
        var installed = Find(home, version) ?? throw new InvalidOperationException(
            $"npm installed {Package}@{version} but no node_modules/.bin/claude appeared under {prefix} (see install.log)");
        var reported = await ReadVersionAsync(installed.Binary, ct);
        if (reported != version)
            throw new InvalidOperationException($"{installed.Binary} reports version '{reported}', expected {version}");
        return installed;
    }

    /// <summary><c>claude --version</c> prints "2.1.328 (Claude Code)"; works offline.</summary>
    public static async Task<string?> ReadVersionAsync(string binary, CancellationToken ct)
    {
        var result = await ExternalCommand.RunAsync(binary, ["--version"],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(60), ThrowOnFailure = false,
                Environment = new Dictionary<string, string?> { ["DISABLE_AUTOUPDATER"] = "1", ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1" } }, ct);
        return result.Succeeded ? result.StandardOutput.Trim().Split(' ')[0] : null;
    }
}
