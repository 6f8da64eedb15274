namespace LocalClaude.Infrastructure;

/// <summary>Which commit of this suite produced a result (so a number can be traced back to the code that measured it).</summary>
public static class SuiteVersion
{
    public static async Task<string?> CommitAsync(RepoLayout repo, CancellationToken ct)
    {
        try
        {
            var result = await ExternalCommand.RunAsync("git", ["-C", repo.Root, "rev-parse", "--short", "HEAD"],
                new CommandOptions { Timeout = TimeSpan.FromSeconds(10), ThrowOnFailure = false }, ct);
            return result.Succeeded ? result.StandardOutput.Trim() : null;
        }
        catch (ExternalCommandException)
        {
            return null;
        }
    }
}
