using System.CommandLine;
using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;

namespace LocalClaude.Cli.Commands;

/// <summary><c>test</c>: setup, then <c>dotnet test</c> on the whole solution, then the line CI counts.</summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var noSetup = new Option<bool>("--no-setup") { Description = "skip setup (everything is provisioned already)" };
        var extra = new Argument<string[]>("dotnet-test-args") { Description = "more arguments for dotnet test, after -- (e.g. -- --filter-class ...)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("test", "Provision, run every test project, print 'N passed, N failed, N skipped'") { noSetup, extra };
        command.SetAction((parse, ct) => CliErrors.RunAsync("test", async () =>
        {
            var context = LocalClaudeContext.Discover();
            if (!parse.GetValue(noSetup))
            {
                var setup = await Provisioner.RunAsync(context.Home, new ProvisioningRequest(), ProgressLog.Console, ct);
                if (setup.MissingPackages.Count > 0 && RunEnvironment.IsCi) return ExitCodes.CouldNotRun;
            }
            var results = Path.Combine(context.Repo.Root, "TestResults");
            if (Directory.Exists(results)) Directory.Delete(results, recursive: true);
            string[] args =
            [
                "test", "--solution", Path.Combine(context.Repo.Root, "LocalClaude.sln"),
                // One test module at a time: each starts llama-servers, and two cores are all CI has.
                "--max-parallel-test-modules", "1",
                "--results-directory", results, "--report-trx", "--no-progress",
                .. parse.GetValue(extra) ?? [],
            ];
            Console.WriteLine($"$ dotnet {string.Join(' ', args)}");
            var start = new ProcessStartInfo("dotnet", args) { UseShellExecute = false };
            // Under CI=true the snapshot tests turn strict mode on themselves (StrictSnapshotsInCi), however they are run.
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync(ct);
            var summary = TestResultSummary.FromTrxDirectory(results);
            Console.WriteLine(summary);
            return summary.ExitCode(process.ExitCode);
        }, ct));
        return command;
    }
}
