using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>
/// The real Claude Code CLI, installed from npm into the cache: the pinned version, and beside it any other version
/// <c>setup --claude-code VERSION</c> provisioned. Nothing is fetched at run time.
/// </summary>
public sealed partial record ClaudeCodeInstall(string Version, string Binary)
{
    public const string PinnedVersion = "2.1.328";
    public const string Package = "@anthropic-ai/claude-code";
    /// <summary>What <c>setup --claude-code</c> accepts besides an exact version: npm's newest, resolved at setup time.</summary>
    public const string Latest = "latest";

    /// <summary>
    /// <paramref name="version"/> if it is an exact npm version (it becomes a folder name in the cache, so nothing else
    /// passes: no path separators, no ranges or tags).
    /// </summary>
    public static string CheckVersion(string version) =>
        ExactVersion().IsMatch(version) ? version
            : throw new ArgumentException($"'{version}' is not an exact Claude Code version (e.g. {PinnedVersion})");

    /// <summary>Every installed version, oldest first; the pinned one among them if it is installed.</summary>
    public static IReadOnlyList<ClaudeCodeInstall> Installed(LocalClaudeHome home) =>
        !Directory.Exists(home.ClaudeCode) ? []
            : Directory.EnumerateDirectories(home.ClaudeCode).Select(Path.GetFileName).OfType<string>()
                .Where(v => ExactVersion().IsMatch(v)).Select(v => Find(home, v)).OfType<ClaudeCodeInstall>()
                .OrderBy(i => VersionKey(i.Version)).ToArray();

    /// <summary>The installed <paramref name="version"/> (default the pinned one), or an error that says how to provision it.</summary>
    public static ClaudeCodeInstall Require(LocalClaudeHome home, string? version = null)
    {
        var wanted = CheckVersion(version ?? PinnedVersion);
        return Find(home, wanted) ?? throw new FileNotFoundException(
            $"Claude Code {wanted} is not installed in {home.ClaudeCode}; run: tools/localclaude setup --claude-code {wanted}" +
            (Installed(home) is { Count: > 0 } have ? $" (installed: {string.Join(", ", have.Select(i => i.Version))})" : ""));
    }

    /// <summary>An exact version as given, or npm's newest for <see cref="Latest"/> (asks the registry: setup only).</summary>
    public static async Task<string> ResolveAsync(string versionOrLatest, CancellationToken ct)
    {
        if (!string.Equals(versionOrLatest, Latest, StringComparison.OrdinalIgnoreCase)) return CheckVersion(versionOrLatest);
        var result = await ExternalCommand.RunAsync("npm", ["view", $"{Package}@latest", "version"],
            new CommandOptions { Timeout = TimeSpan.FromMinutes(2) }, ct);
        var resolved = result.StandardOutput.Trim();
        return ExactVersion().IsMatch(resolved) ? resolved
            : throw new InvalidDataException($"npm view {Package}@latest version printed '{resolved}', not a version");
    }

    /// <summary>Orders 2.1.99 before 2.1.328 (numeric parts); a pre-release sorts before its release.</summary>
    public static (int, int, int, int, string) VersionKey(string version)
    {
        var match = ExactVersion().Match(version);
        if (!match.Success) return (int.MaxValue, 0, 0, 0, version);
        int Part(int i) => int.TryParse(match.Groups[i].Value, out var n) ? n : int.MaxValue;
        var pre = match.Groups[4].Value;
        return (Part(1), Part(2), Part(3), pre.Length == 0 ? 1 : 0, pre);
    }

    // \z, not $: $ also matches before a final newline, and "2.1.328\n" must not pass.
    [GeneratedRegex(@"^(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-([0-9A-Za-z][0-9A-Za-z.]{0,63}))?\z")]
    private static partial Regex ExactVersion();

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
        CheckVersion(version);
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
            new CommandOptions
            {
                Timeout = TimeSpan.FromSeconds(60),
                ThrowOnFailure = false,
                Environment = new Dictionary<string, string?> { ["DISABLE_AUTOUPDATER"] = "1", ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1" }
            }, ct);
        return result.Succeeded ? result.StandardOutput.Trim().Split(' ')[0] : null;
    }
}
