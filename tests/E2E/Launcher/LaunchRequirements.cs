using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;
using LocalClaude.Sandbox;
using LocalClaude.Server;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>What a real launch needs; a missing part skips the test on a user's machine and fails it in CI.</summary>
internal static class LaunchRequirements
{
    private static readonly Lazy<Task<SandboxProbe>> Probe = new(() => new BwrapSandbox().ProbeAsync());

    public static async Task RequireAsync(LaunchTestProfile profile, bool tmux)
    {
        if (tmux) MissingPart.Require(RunEnvironment.Which("tmux") is not null, "tmux is not installed (apt-get install -y tmux)");
        var probe = await Probe.Value;
        if (!probe.CanRun(withNetwork: true))
            MissingPart.Report("the sandbox cannot run here: " + string.Join("; ", probe.ProblemsFor(withNetwork: true)));
        var cache = LocalClaudeHome.Default();
        MissingPart.Require(ClaudeCodeInstall.Find(cache) is not null, $"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed in the cache");
        var context = new LocalClaudeContext(LauncherCli.Repo, cache, profile.ModelsConfPath);
        try
        {
            LlamaServerProcess.Preflight(context.ResolveLaunch(context.Profile(profile.Name)));
        }
        catch (Exception e) when (e is FileNotFoundException or LlamaServerStartException)
        {
            MissingPart.Report($"profile '{LaunchTestProfile.SourceProfile}' cannot start: {e.Message.Split('\n')[0]}");
        }
    }
}
