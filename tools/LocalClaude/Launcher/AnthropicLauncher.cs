using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;

namespace LocalClaude.Launcher;

/// <summary>
/// <c>launch api</c> and <c>launch subscription</c>: the user's own Claude Code against Anthropic, with the user's HOME
/// and config untouched; the only change is removing variables that would route it elsewhere (printed).
/// </summary>
public sealed class AnthropicLauncher(LocalClaudeHome cache, IReadOnlySet<string> localModelNames, TextWriter output)
{
    /// <summary>Checks the request against <paramref name="environment"/> (the user's) without starting anything.</summary>
    public AnthropicLaunchPlan Plan(AnthropicLaunchRequest request, IReadOnlyDictionary<string, string> environment)
    {
        if (request.Backend is not (LaunchBackend.Api or LaunchBackend.Subscription))
            throw new ArgumentOutOfRangeException(nameof(request), request.Backend, "not an Anthropic backend");
        if (request.Backend == LaunchBackend.Api
            && (!environment.TryGetValue(AnthropicEnvironment.ApiKeyVariable, out var key) || string.IsNullOrWhiteSpace(key)))
            throw new LaunchRefusedException(
                $"'launch api' needs your Anthropic API key in {AnthropicEnvironment.ApiKeyVariable} (export {AnthropicEnvironment.ApiKeyVariable}=sk-ant-...); " +
                "for your Claude subscription use 'launch subscription'");
        var work = Path.GetFullPath(request.WorkDirectory);
        if (!Directory.Exists(work)) throw new LaunchRefusedException($"the work dir '{request.WorkDirectory}' does not exist or is not a folder");
        environment.TryGetValue("PATH", out var path);
        var claude = ClaudeCodeLocator.ForAnthropic(cache, request.ClaudeBinary, path);
        var changes = AnthropicEnvironment.Removals(request.Backend, environment, localModelNames)
            .ToDictionary(r => r.Name, string? (_) => null);
        return new AnthropicLaunchPlan
        {
            Backend = request.Backend,
            WorkDirectory = work,
            Home = environment.TryGetValue("HOME", out var home) && home.Length > 0 ? home : ReservedPaths.UserHome(),
            Claude = claude,
            ClaudeArguments = request.ClaudeArguments,
            EnvironmentChanges = changes,
        };
    }

    /// <summary>Prints what is in use, runs Claude Code attached to this terminal, and returns its exit code.</summary>
    public async Task<int> RunAsync(AnthropicLaunchRequest request, CancellationToken cancellationToken)
    {
        var environment = AnthropicEnvironment.Current();
        var plan = Plan(request, environment);
        output.WriteLine($"localclaude launch: Claude Code on Anthropic ({(plan.Backend == LaunchBackend.Api ? "API key" : "subscription")})");
        Line("backend", plan.Backend == LaunchBackend.Api
            ? "api (Anthropic API, billed to the key in ANTHROPIC_API_KEY)"
            : "subscription (your Claude login; no API key, no base-URL override)");
        Line("profile", "none (Anthropic's models)");
        Line("work dir", plan.WorkDirectory);
        Line("HOME", $"{plan.Home} (your own ~/.claude and ~/.claude.json, not sandboxed; the launcher changes nothing there)");
        Line("claude", $"{plan.Claude.Path} ({plan.Claude.Source})");
        foreach (var (name, reason) in AnthropicEnvironment.Removals(plan.Backend, environment, localModelNames))
            Line("unset", $"{name}: {reason}");
        output.Flush();
        return await new TerminalCommand(plan.Claude.Path, plan.ClaudeArguments, plan.WorkDirectory, plan.EnvironmentChanges)
            .RunAsync(cancellationToken);
    }

    private void Line(string label, string text) => output.WriteLine($"  {label,-9} {text}");
}
