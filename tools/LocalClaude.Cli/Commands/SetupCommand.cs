using System.CommandLine;
using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;

namespace LocalClaude.Cli.Commands;

/// <summary><c>setup</c>: provisions llama-server, the generated models, Claude Code and system packages into the cache.</summary>
internal static class SetupCommand
{
    public static Command Create()
    {
        var npm = new Option<string[]>("--llama-npm") { Description = "also provision the llama.cpp release shipped by this node-llama-cpp version (repeatable)", AllowMultipleArgumentsPerToken = true };
        var server = new Option<string?>("--llama-server") { Description = "register a llama-server binary you already have (e.g. your own CUDA build)" };
        var name = new Option<string?>("--name") { Description = "name for --llama-server, used as LLAMA_SERVER in models.conf" };
        var claudeCode = new Option<string[]>("--claude-code") { Description = $"also install this Claude Code version beside the pinned {ClaudeCodeInstall.PinnedVersion}, or 'latest' (repeatable)", AllowMultipleArgumentsPerToken = true };
        var cuda = new Option<bool>("--cuda") { Description = "build with -DGGML_CUDA=ON (needs nvcc)" };
        var skipSystem = new Option<bool>("--skip-system-packages") { Description = "do not install bubblewrap, socat, chromium, tmux" };
        var command = new Command("setup", "Provision everything into the cache (idempotent; a second run takes seconds)")
        {
            npm, server, name, claudeCode, cuda, skipSystem,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("setup", async () =>
        {
            var request = new ProvisioningRequest
            {
                ExtraNpmVersions = parse.GetValue(npm) ?? [],
                ExtraClaudeCodeVersions = parse.GetValue(claudeCode) ?? [],
                RegisterBinary = parse.GetValue(server),
                RegisterName = parse.GetValue(name),
                Cuda = parse.GetValue(cuda),
                SkipSystemPackages = parse.GetValue(skipSystem),
            };
            var result = await Provisioner.RunAsync(LocalClaudeHome.Default(), request, ProgressLog.Console, ct);
            return result.MissingPackages.Count == 0 ? ExitCodes.Ok : ExitCodes.Verdict;
        }, ct));
        return command;
    }
}
