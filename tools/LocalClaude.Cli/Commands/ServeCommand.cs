using System.CommandLine;
using LocalClaude.Client;
using LocalClaude.Infrastructure;
using LocalClaude.Server;

namespace LocalClaude.Cli.Commands;

/// <summary><c>serve PROFILE</c>: runs llama-server for a profile until Ctrl-C and prints how to point Claude Code at it.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var profileArg = new Argument<string>("profile") { Description = "profile name from models.conf" };
        var port = new Option<int?>("--port") { Description = "fixed port (default: a free one)" };
        var command = new Command("serve", "Start llama-server for a profile and print the environment for Claude Code") { profileArg, port };
        command.SetAction((parse, ct) => CliErrors.RunAsync("serve", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var profile = context.Profile(parse.GetValue(profileArg)!);
            Console.WriteLine($"starting llama-server for '{profile.Name}'");
            await using var opened = await ServerUnderTest.OpenAsync(context, profile, ServerTarget.Start(parse.GetValue(port)), ct);
            var server = opened.Process!;
            Console.WriteLine($"llama-server {opened.Info.Version} ({opened.Info.Build})");
            Console.WriteLine($"ready in {server.StartupTime.TotalSeconds:0.0} s: {server.BaseUrl}  (log: {server.LogFile})");
            Console.WriteLine();
            Console.WriteLine("# point Claude Code at it:");
            Console.WriteLine(ClaudeCodeEnvironment.ShellExports(ClaudeCodeEnvironment.ForLocalBackend(server.BaseUrl, profile)));
            Console.WriteLine();
            Console.WriteLine("Ctrl-C stops the server.");
            try
            {
                await Task.WhenAny(server.Exited, Task.Delay(Timeout.Infinite, ct));
            }
            catch (OperationCanceledException) { }
            // serve judges nothing: a server that goes away means it could not do its job.
            if (server.HasExited && !ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"error: llama-server exited unexpectedly; last lines:\n{server.LogTail(15)}");
                return ExitCodes.CouldNotRun;
            }
            Console.WriteLine("stopping llama-server...");
            await server.StopAsync();
            Console.WriteLine("stopped");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
