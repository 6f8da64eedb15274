using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Server;

namespace LocalClaude.Cli.Commands;

/// <summary>Turns the domain's expected failures into one clear message and an exit code instead of a stack trace.</summary>
internal static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> action, int failureExitCode = 1)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e) when (e is ModelsConfException or LlamaServerStartException or ExternalCommandException
                                      or FileNotFoundException or InvalidOperationException or ArgumentException
                                      or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return failureExitCode;
        }
    }
}
