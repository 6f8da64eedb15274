using System.CommandLine;
using LocalClaude.Diagnostics;
using LocalClaude.Infrastructure;

namespace LocalClaude.Cli.Commands;

/// <summary><c>doctor</c>: one line per component; non-zero exit when a required one is missing.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check that every component is installed (one line each)");
        command.SetAction((_, ct) => CliErrors.RunAsync("doctor", async () =>
        {
            var report = await ComponentCheck.RunAsync(LocalClaudeContext.Discover(), ct);
            foreach (var c in report)
                Console.WriteLine($"{(c.Found ? "ok     " : c.Required ? "MISSING" : "absent ")}  {c.Name,-26} {c.Version ?? "-",-42} {c.Path ?? c.Hint ?? ""}");
            var missing = report.Where(c => c.Required && !c.Found).ToList();
            if (missing.Count > 0)
            {
                Console.WriteLine($"{missing.Count} required component(s) missing: run 'tools/localclaude setup'");
                return ExitCodes.Verdict;
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
