using LocalClaude.Infrastructure;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>The user's entry points, run as the user runs them: <c>tools/localclaude</c> (builds the CLI once) and <c>tools/claude-local</c>.</summary>
internal static class LauncherCli
{
    private static readonly Lazy<Task<CommandResult>> Build = new(() =>
        ExternalCommand.RunAsync(Localclaude, ["--help"], new CommandOptions { Timeout = TimeSpan.FromMinutes(10), ThrowOnFailure = false }));

    public static RepoLayout Repo { get; } = RepoLayout.Find(AppContext.BaseDirectory);
    public static string Localclaude => Path.Combine(Repo.Root, "tools", "localclaude");
    public static string ClaudeLocal => Path.Combine(Repo.Root, "tools", "claude-local");

    /// <summary>Builds the CLI once per test run, so that tests do not race two builds into the same folder.</summary>
    public static async Task EnsureBuiltAsync()
    {
        var result = await Build.Value;
        if (!result.Succeeded) Assert.Fail($"tools/localclaude could not be built:\n{result.StandardOutput}\n{result.StandardError}");
    }

    /// <summary>Runs <c>tools/localclaude ARGS</c> without a terminal; a non-zero exit is returned.</summary>
    public static async Task<CommandResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment,
        string workingDirectory, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        await EnsureBuiltAsync();
        return await ExternalCommand.RunAsync(Localclaude, arguments, new CommandOptions
        {
            Environment = environment,
            WorkingDirectory = workingDirectory,
            Timeout = timeout ?? TimeSpan.FromMinutes(3),
            ThrowOnFailure = false,
        }, cancellationToken);
    }
}
