using LocalClaude.Agents;
using LocalClaude.Profiles;
using LocalClaude.Provisioning;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// What the live E2E tests need: the sandbox with every guarantee enforced, the pinned Claude Code from the cache,
/// the task fixtures. A missing part skips the test on a user's machine and fails it in CI.
/// </summary>
internal static class E2EParts
{
    public static LocalClaudeContext Context { get; } = LocalClaudeContext.Discover(AppContext.BaseDirectory);

    private static readonly BwrapSandbox SharedSandbox = new();
    private static readonly Lazy<Task<SandboxProbe>> Probe = new(() => SharedSandbox.ProbeAsync());

    public static ModelProfile Profile => Context.Profile(LocalClaudeContext.SelectedProfileName);

    public static IReadOnlyList<TaskFixture> Tasks() => TaskFixture.LoadAll(Context.Repo.Tasks);

    public static TaskFixture Task(string id) => TaskFixture.Load(Path.Combine(Context.Repo.Tasks, id));

    public static async Task<BwrapSandbox> RequireSandboxAsync()
    {
        var problems = (await Probe.Value).ProblemsFor(withNetwork: true);
        if (problems.Count > 0) MissingPart.Report("the sandbox cannot run here: " + string.Join("; ", problems));
        return SharedSandbox;
    }

    public static ClaudeCodeInstall RequireClaudeCode()
    {
        var install = ClaudeCodeInstall.Find(Context.Home);
        if (install is null) MissingPart.Report($"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed in {Context.Home.ClaudeCode}");
        return install!;
    }

    public static async Task<ClaudeCodeRunner> RequireRunnerAsync() => new(await RequireSandboxAsync(), RequireClaudeCode().Binary);
}
