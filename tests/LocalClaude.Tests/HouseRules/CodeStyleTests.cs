using LocalClaude.Infrastructure;

namespace LocalClaude.Tests.HouseRules;

/// <summary>
/// The code style .editorconfig states, enforced wherever the tests run (so in CI): <c>dotnet format --verify-no-changes</c>
/// over the solution, whitespace, using order and style rules alike.
/// </summary>
public sealed class CodeStyleTests
{
    private static readonly string Repo = RepoLayout.Find(AppContext.BaseDirectory).Root;

    [Fact]
    public async Task The_solution_is_formatted_as_editorconfig_says()
    {
        File.Exists(Path.Combine(Repo, ".editorconfig")).Should().BeTrue("the code style lives in .editorconfig at the repository root");
        var result = await ExternalCommand.RunAsync("dotnet",
            ["format", Path.Combine(Repo, "LocalClaude.sln"), "--verify-no-changes", "--no-restore", "-v", "q"],
            new CommandOptions { WorkingDirectory = Repo, Timeout = TimeSpan.FromMinutes(8), ThrowOnFailure = false },
            TestContext.Current.CancellationToken);

        var differences = (result.StandardOutput + "\n" + result.StandardError).Split('\n')
            .Where(l => l.Contains(" error ", StringComparison.Ordinal) || l.Contains(" warning ", StringComparison.Ordinal))
            .Select(l => l.Replace(Repo + "/", "", StringComparison.Ordinal).Trim()).Distinct().Take(40);
        result.ExitCode.Should().Be(0,
            "code style differs from .editorconfig; run 'dotnet format LocalClaude.sln' and commit:\n" + string.Join('\n', differences));
    }
}
