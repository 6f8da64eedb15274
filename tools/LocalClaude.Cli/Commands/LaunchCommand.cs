using System.CommandLine;
using System.Runtime.InteropServices;
using LocalClaude.Infrastructure;
using LocalClaude.Launcher;
using LocalClaude.Sandbox;

namespace LocalClaude.Cli.Commands;

/// <summary>
/// <c>launch local --profile P [--workdir DIR]</c>, <c>launch api</c>, <c>launch subscription</c>; arguments after
/// <c>--</c> go to claude. Synchronous on purpose: an async action would turn the terminal's Ctrl-C (meant for the
/// interactive Claude Code) into cancelling the launcher.
/// </summary>
internal static class LaunchCommand
{
    /// <summary>Bad input: unknown profile, unsafe work dir, missing binary or key, no usable sandbox.</summary>
    public const int RefusedExitCode = ExitCodes.CouldNotRun;

    public static Command Create() => new("launch", "Run the real Claude Code on a local model (sandboxed), or on Anthropic with your own config")
    {
        Local(),
        Anthropic(LaunchBackend.Api, "api", "Claude Code on Anthropic's API with your ANTHROPIC_API_KEY and your own ~/.claude"),
        Anthropic(LaunchBackend.Subscription, "subscription", "Claude Code on your Claude subscription login and your own ~/.claude (API key and base URL overrides removed)"),
    };

    private static Command Local()
    {
        var profile = new Option<string>("--profile")
        {
            Description = "profile from models.conf (default: LOCALCLAUDE_PROFILE or cpu-tiny)",
            DefaultValueFactory = _ => LocalClaudeContext.SelectedProfileName,
        };
        var workdir = WorkDirOption("project folder Claude Code may read and write (default: the current folder)");
        var home = new Option<string?>("--sandbox-home") { Description = "Claude Code's HOME on the host (default: CACHE/launch/homes/PROFILE, kept between launches)" };
        var claude = ClaudeOption("Claude Code executable (default: the pinned one 'setup' installed)");
        var newServer = new Option<bool>("--new-server") { Description = "start a llama-server of its own even if one already runs for the profile" };
        var denyWrite = new Option<string[]>("--deny-write")
        {
            Description = "a path, relative to the work dir (and HOME), the sandbox may not create or change, besides the mandatory ones (.git/config, hooks, rc files…); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var claudeArgs = ClaudeArguments();
        var claudeCode = ClaudeCodeVersionOption.Create();
        var command = new Command("local", "Claude Code on a profile's llama-server, in the sandbox with its own HOME; stops what it started on exit")
        {
            profile, workdir, home, claude, claudeCode, newServer, denyWrite, claudeArgs,
        };
        command.SetAction(parse => Run("launch local", async ct =>
        {
            var context = LocalClaudeContext.Discover();
            var launcher = new LocalLauncher(context, Console.Out);
            return await launcher.RunAsync(new LocalLaunchRequest
            {
                ProfileName = parse.GetValue(profile)!,
                WorkDirectory = parse.GetValue(workdir) ?? Environment.CurrentDirectory,
                SandboxHome = parse.GetValue(home),
                ClaudeBinary = parse.GetValue(claude),
                ClaudeCodeVersion = parse.GetValue(claudeCode),
                ClaudeArguments = parse.GetValue(claudeArgs) ?? [],
                ReuseServer = !parse.GetValue(newServer),
                DenyWrite = parse.GetValue(denyWrite) ?? [],
            }, ct);
        }));
        return command;
    }

    private static Command Anthropic(LaunchBackend backend, string name, string description)
    {
        var workdir = WorkDirOption("folder to start Claude Code in (default: the current folder)");
        var claude = ClaudeOption("Claude Code executable (default: claude on PATH, else the pinned one 'setup' installed)");
        var claudeArgs = ClaudeArguments();
        var command = new Command(name, description) { workdir, claude, claudeArgs };
        command.SetAction(parse => Run($"launch {name}", async ct =>
        {
            var context = LocalClaudeContext.Discover();
            var localModels = context.LoadModelsConf().Profiles.Select(p => p.ServedModelName).ToHashSet(StringComparer.Ordinal);
            return await new AnthropicLauncher(context.Home, localModels, Console.Out).RunAsync(new AnthropicLaunchRequest
            {
                Backend = backend,
                WorkDirectory = parse.GetValue(workdir) ?? Environment.CurrentDirectory,
                ClaudeBinary = parse.GetValue(claude),
                ClaudeArguments = parse.GetValue(claudeArgs) ?? [],
            }, ct);
        }));
        return command;
    }

    private static Option<string?> WorkDirOption(string description) => new("--workdir") { Description = description };
    private static Option<string?> ClaudeOption(string description) => new("--claude") { Description = description };
    private static Argument<string[]> ClaudeArguments() =>
        new("claude-arguments") { Description = "arguments for claude, after --", Arity = ArgumentArity.ZeroOrMore };

    private static int Run(string name, Func<CancellationToken, Task<int>> launch)
    {
        // A kill or a closed terminal before Claude Code runs still stops what was started (server, sandbox) in order.
        using var stop = new CancellationTokenSource();
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; stop.Cancel(); });
        return CliErrors.RunAsync(name, async () =>
        {
            try
            {
                return await launch(stop.Token);
            }
            catch (LaunchRefusedException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return RefusedExitCode;
            }
            catch (SandboxUnavailableException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return RefusedExitCode;
            }
        }, stop.Token).GetAwaiter().GetResult();
    }
}
