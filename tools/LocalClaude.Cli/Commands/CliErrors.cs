using LocalClaude.Infrastructure;

namespace LocalClaude.Cli.Commands;

/// <summary>Every command's work runs through <see cref="ExitCodes.GuardAsync"/>: one line and an exit code, never a stack trace.</summary>
internal static class CliErrors
{
    public static Task<int> RunAsync(string command, Func<Task<int>> action, CancellationToken ct) =>
        ExitCodes.GuardAsync(command, action, Console.Error, LogDirectory(), ct);

    /// <summary>The suite's log folder when a home can be had, else none (the guard falls back to the temp folder).</summary>
    private static string? LogDirectory()
    {
        try { return LocalClaudeHome.Default().Logs; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException) { return null; }
    }
}
