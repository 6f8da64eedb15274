using System.CommandLine;
using LocalClaude.Server;
using LocalClaude.Terminal;

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
            var launch = context.ResolveLaunch(profile, parse.GetValue(port));
            Console.WriteLine($"starting llama-server for '{profile.Name}' ({launch.Binary})");
            await using var server = await LlamaServerProcess.StartAsync(launch, ct);
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
            if (server.HasExited && !ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"error: llama-server exited unexpectedly; last lines:\n{server.LogTail(15)}");
                return 1;
            }
            Console.WriteLine("stopping llama-server...");
            await server.StopAsync();
            Console.WriteLine("stopped");
            return 0;
        }, ct));
        return command;
    }
}
