using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>A Debian package the suite needs, and the program that shows it is there.</summary>
public sealed record SystemPackage(string Package, string Program, string Purpose);

/// <summary>bubblewrap, socat, chromium, tmux: installed with apt-get when we are root, else the command is printed.</summary>
public static class SystemPackages
{
    public static readonly IReadOnlyList<SystemPackage> Required =
    [
        new("bubblewrap", "bwrap", "sandbox for Claude Code"),
        new("socat", "socat", "the sandbox's one-port bridge"),
        new("chromium", "chromium", "Playwright check of the HTML report"),
        new("tmux", "tmux", "interactive Claude Code sessions"),
    ];

    public static IReadOnlyList<SystemPackage> Missing() =>
        Required.Where(p => RunEnvironment.Which(p.Program) is null).ToList();

    public static string InstallCommand(IEnumerable<SystemPackage> packages) =>
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends " + string.Join(' ', packages.Select(p => p.Package));

    /// <summary>Installs what is missing; returns what is still missing (with the command to run) when we cannot.</summary>
    public static async Task<IReadOnlyList<SystemPackage>> EnsureAsync(LocalClaudeHome home, ProgressLog progress, CancellationToken ct)
    {
        var missing = Missing();
        if (missing.Count == 0) return missing;
        if (!RunEnvironment.IsRoot || RunEnvironment.Which("apt-get") is null)
        {
            progress.Warn($"missing: {string.Join(", ", missing.Select(p => p.Package))}; run: {InstallCommand(missing)}");
            return missing;
        }
        var log = Path.Combine(home.Ensure(home.Logs), "apt-get.log");
        var env = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        progress.Info($"apt-get install {string.Join(' ', missing.Select(p => p.Package))} (log: {log})");
        // A fresh container has empty package lists: update first.
        await ExternalCommand.RunAsync("apt-get", ["update"],
            new CommandOptions { LogFile = log, Environment = env, Timeout = TimeSpan.FromMinutes(10) }, ct);
        await ExternalCommand.RunAsync("apt-get", ["install", "-y", "--no-install-recommends", .. missing.Select(p => p.Package)],
            new CommandOptions { LogFile = log, Environment = env, Timeout = TimeSpan.FromMinutes(20) }, ct);
        return Missing();
    }
}
