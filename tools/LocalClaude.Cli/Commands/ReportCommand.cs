using System.CommandLine;
using LocalClaude.Infrastructure;
using LocalClaude.Pipeline;
using LocalClaude.Reporting;

namespace LocalClaude.Cli.Commands;

/// <summary><c>report</c>: runs conformance, replay and E2E per profile (or merges result folders) and writes index.html, report.json, summary.md.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var profiles = new Option<string?>("--profiles") { Description = "comma-separated profiles (default: every profile in models.conf; with --merge: every profile found)" };
        var output = new Option<string?>("--out") { Description = "report folder (default: reports/ in the repository)" };
        var merge = new Option<string[]>("--merge")
        {
            Description = "merge result files from these folders (e.g. one CI job per profile) instead of running anything",
            AllowMultipleArgumentsPerToken = true,
        };
        var phaseTimeout = new Option<int>("--phase-timeout") { Description = "minutes one producer may run on one profile", DefaultValueFactory = _ => (int)ProfileRunner.DefaultPhaseTimeout.TotalMinutes };
        var keepHistory = new Option<int>("--keep-history") { Description = "snapshots kept in history/ (0: all)", DefaultValueFactory = _ => 0 };
        var claudeCode = ClaudeCodeVersionOption.Create();
        var command = new Command("report", "Write the compatibility report (exit 0: written; 1: written, some phase had no result; 2: not written)")
        {
            profiles, output, merge, phaseTimeout, keepHistory, claudeCode,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("report", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var names = (parse.GetValue(profiles) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var mergeFrom = parse.GetValue(merge) ?? [];
            var request = new ReportRequest
            {
                OutputDirectory = parse.GetValue(output) ?? context.Repo.Reports,
                MergeFrom = mergeFrom,
                ProfileFilter = names,
                // Profiles are read only when something runs: merging needs no models.conf.
                Profiles = mergeFrom.Length > 0 ? [] : names.Length > 0 ? names.Select(context.Profile).ToList() : context.LoadModelsConf().Profiles,
                PhaseTimeout = TimeSpan.FromMinutes(parse.GetValue(phaseTimeout)),
                KeepHistory = parse.GetValue(keepHistory),
            };
            var progress = ProgressLog.Console;
            var outcome = await new ReportRun(ResultProducers.Create(context, progress, parse.GetValue(claudeCode)), progress, TimeProvider.System).RunAsync(request, ct);
            Console.WriteLine();
            Console.Write(MarkdownSummary.Render(outcome.Report));
            return outcome.ExitCode;
        }, ct));
        return command;
    }
}
