using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>Probes once per test run; a missing tool skips the tests locally and fails them in CI.</summary>
internal static class SandboxTestEnvironment
{
    private static readonly Lazy<Task<SandboxProbe>> SharedProbe = new(() => new BwrapSandbox().ProbeAsync());

    public static Task<SandboxProbe> ProbeAsync() => SharedProbe.Value;

    /// <summary>Skips (fails when CI=true) unless the sandbox can run here with every guarantee enforced.</summary>
    public static void Require(SandboxProbe probe, bool withNetwork = true)
    {
        var problems = probe.ProblemsFor(withNetwork);
        if (problems.Count == 0) return;
        MissingPart.Report("the sandbox cannot run here: " + string.Join("; ", problems));
    }

    /// <summary>The pinned Claude Code that 'setup' installed in the cache (symlinks resolved), or null.</summary>
    public static string? ClaudeBinary() => ClaudeCodeInstall.Find(LocalClaudeHome.Default())?.Binary;

    /// <summary>Fails in CI, skips elsewhere, unless the pinned Claude Code is installed in the cache.</summary>
    public static string RequireClaudeBinary(string? binary)
    {
        MissingPart.Require(binary is not null,
            $"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed in the cache ({ClaudeCodeInstall.PrefixFor(LocalClaudeHome.Default(), ClaudeCodeInstall.PinnedVersion)})");
        return binary!;
    }

    /// <summary>Owner uid of a host path (stat), without following a final symlink.</summary>
    public static async Task<int> OwnerAsync(string path)
    {
        var result = await ExternalCommand.RunAsync("stat", ["-c", "%u", "--", path], new CommandOptions { Timeout = TimeSpan.FromSeconds(10) });
        return int.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
