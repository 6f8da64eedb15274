using System.Text.Json;

namespace LocalClaude.Infrastructure;

/// <summary>
/// The one exit-code policy of every command: 0 the thing under test is fine, 1 a verdict against it (a failing check,
/// a regression), 2 the command could not run (bad input, a missing part, anything unexpected), 130 cancelled.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Verdict = 1;
    public const int CouldNotRun = 2;
    public const int Cancelled = 130;

    /// <summary>
    /// Runs a command's work and turns whatever escapes into one line on <paramref name="error"/> and exit 2 (130 for a
    /// cancellation): an expected failure by its message; an unexpected one by its type and message, with the stack
    /// trace written to a log file under <paramref name="logDirectory"/> (or the temp folder) instead of the terminal.
    /// </summary>
    public static async Task<int> GuardAsync(string command, Func<Task<int>> action, TextWriter error, string? logDirectory, CancellationToken ct)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Say(error, $"{command}: cancelled");
            return Cancelled;
        }
        catch (Exception e) when (IsExpected(e))
        {
            Say(error, $"error: {OneLine(e.Message)}");
            return CouldNotRun;
        }
        catch (Exception e)
        {
            var log = WriteLog(command, e, logDirectory);
            Say(error, $"error: {command} failed unexpectedly: {Describe(e)}; {(log is null ? "no log could be written" : $"details in {log}")}");
            return CouldNotRun;
        }
    }

    /// <summary>Failures with a message meant for the user (bad input, a missing part, a refused file).</summary>
    private static bool IsExpected(Exception e) =>
        e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException
            or UnauthorizedAccessException or InvalidOperationException or JsonException
            or Profiles.ModelsConfException or Server.LlamaServerStartException or ExternalCommandException
            or Traffic.TrafficFixtureException or Agents.TaskFixtureException or Gguf.GgufFormatException
            or Agents.E2EHarnessException or Sandbox.SandboxUnavailableException;

    private static string Describe(Exception e)
    {
        var inner = e.InnerException is { } i && i.Message != e.Message ? $" ({OneLine(i.Message)})" : "";
        // A timeout of HttpClient shows as a cancellation nobody asked for.
        var what = e is OperationCanceledException ? "timed out" : e.GetType().Name;
        return $"{what}: {OneLine(e.Message)}{inner}";
    }

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.Length <= 400 ? line : line[..399] + "…";
    }

    private static string? WriteLog(string command, Exception e, string? logDirectory)
    {
        foreach (var folder in new[] { logDirectory, Path.GetTempPath() }.OfType<string>())
        {
            try
            {
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, $"localclaude-{command.Replace(' ', '-')}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
                File.WriteAllText(path, $"tools/localclaude {command} at {DateTimeOffset.UtcNow:O}\n{e}\n");
                return path;
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }

    // Writing the line itself can fail (stderr closed); the exit code still tells.
    private static void Say(TextWriter error, string line)
    {
        try { error.WriteLine(line); } catch (IOException) { }
    }
}
