using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

/// <summary>Probes once per test run; a missing tool skips the tests locally and fails them in CI.</summary>
internal static class SandboxTestEnvironment
{
    public const string ClaudeBinVariable = "LOCALCLAUDE_CLAUDE_BIN";
    public const string DefaultClaudeBin = "/tmp/scratch/cc/node_modules/.bin/claude";

    private static readonly Lazy<Task<SandboxProbe>> SharedProbe = new(() => new BwrapSandbox().ProbeAsync());

    public static Task<SandboxProbe> ProbeAsync() => SharedProbe.Value;

    /// <summary>Skips (fails when CI=true) unless the sandbox can run here with every guarantee enforced.</summary>
    public static void Require(SandboxProbe probe, bool withNetwork = true)
    {
        var problems = probe.ProblemsFor(withNetwork);
        if (problems.Count == 0) return;
        var message = "the sandbox cannot run here: " + string.Join("; ", problems);
        if (RunEnvironment.IsCi) Assert.Fail(message);
        Assert.Skip(message);
    }

    /// <summary>The real Claude Code binary (symlinks resolved), or null.</summary>
    public static string? ClaudeBinary()
    {
        var configured = Environment.GetEnvironmentVariable(ClaudeBinVariable);
        var path = string.IsNullOrWhiteSpace(configured) ? DefaultClaudeBin : configured;
        if (!File.Exists(path)) return null;
        var info = new FileInfo(path);
        return info.LinkTarget is null ? info.FullName : info.ResolveLinkTarget(returnFinalTarget: true)!.FullName;
    }

    /// <summary>Owner uid of a host path (stat), without following a final symlink.</summary>
    public static async Task<int> OwnerAsync(string path)
    {
        var result = await ExternalCommand.RunAsync("stat", ["-c", "%u", "--", path], new CommandOptions { Timeout = TimeSpan.FromSeconds(10) });
        return int.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
