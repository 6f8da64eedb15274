using System.CommandLine;
using LocalClaude.Infrastructure;
using LocalClaude.Pipeline;
using LocalClaude.Provisioning;
using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.Cli.Commands;

/// <summary><c>gate</c>: baseline against candidate on one profile; exit codes per <see cref="ExitCodes"/> (1: something regressed).</summary>
internal static class GateCommand
{
    public static Command Create()
    {
        const string sideHelp = "a llama-server build (path, npm:VERSION, a registered name, default), an earlier report.json, or a folder of result files";
        var baseline = new Option<string>("--baseline") { Description = sideHelp, Required = true };
        var candidate = new Option<string>("--candidate") { Description = sideHelp, Required = true };
        var profile = new Option<string?>("--profile") { Description = "profile to compare (default: the one both sides share, else LOCALCLAUDE_PROFILE or cpu-tiny)" };
        var output = new Option<string?>("--out") { Description = "folder for gate.md, gate.json and the runs' result files (default: reports/gate/TIMESTAMP)" };
        var ttfb = new Option<double?>("--ttfb-threshold") { Description = $"relative TTFB change that counts (default {ReportMetrics.LongPromptTtfbCold.GateRelativeThreshold})" };
        var decode = new Option<double?>("--decode-threshold") { Description = $"relative decode-speed change that counts (default {ReportMetrics.DecodeTokensPerSecond.GateRelativeThreshold})" };
        var performanceAdvisory = new Option<bool>("--performance-advisory") { Description = "report slowdowns beyond the threshold without failing the gate" };
        var strict = new Option<bool>("--strict") { Description = "also fail on an inconclusive (noisy) slowdown whose median is beyond the threshold" };
        var rounds = new Option<int>("--rounds") { Description = "rounds of the paired speed measurement when both sides are builds", DefaultValueFactory = _ => Results.PairedComparison.DefaultRounds };
        var speedOnly = new Option<bool>("--speed-only") { Description = "two builds: only the paired speed measurement (no conformance, replay or E2E)" };
        var phaseTimeout = new Option<int>("--phase-timeout") { Description = "minutes one producer may run on one build", DefaultValueFactory = _ => (int)ProfileRunner.DefaultPhaseTimeout.TotalMinutes };
        var command = new Command("gate", "Compare a baseline and a candidate llama-server build (or report) on one profile")
        {
            baseline, candidate, profile, output, ttfb, decode, performanceAdvisory, strict, rounds, speedOnly, phaseTimeout,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("gate", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var registry = new LlamaServerRegistry(context.Home);
            var thresholds = new Dictionary<string, double>();
            if (parse.GetValue(ttfb) is { } t)
            {
                thresholds[ReportMetrics.LongPromptTtfbCold.Name] = t;
                thresholds[ReportMetrics.LongPromptTtfbWarm.Name] = t;
            }
            if (parse.GetValue(decode) is { } d) thresholds[ReportMetrics.DecodeTokensPerSecond.Name] = d;
            var request = new GateRequest
            {
                Baseline = GateSourceResolver.Resolve(parse.GetValue(baseline)!, registry),
                Candidate = GateSourceResolver.Resolve(parse.GetValue(candidate)!, registry),
                Profile = parse.GetValue(profile),
                DefaultProfile = LocalClaudeContext.SelectedProfileName,
                OutputDirectory = parse.GetValue(output)
                    ?? Path.Combine(context.Repo.Reports, "gate", ReportWriter.SnapshotName(DateTimeOffset.UtcNow)),
                Options = new GateOptions(thresholds, PerformanceFails: !parse.GetValue(performanceAdvisory), Strict: parse.GetValue(strict)),
                Rounds = parse.GetValue(rounds) is >= 1 and var r ? r : throw new ArgumentException($"--rounds: at least 1 (got {parse.GetValue(rounds)})"),
                PhaseTimeout = TimeSpan.FromMinutes(parse.GetValue(phaseTimeout)),
                SpeedOnly = parse.GetValue(speedOnly),
            };
            var progress = ProgressLog.Console;
            var outcome = await new GateRun(ResultProducers.Create(context, progress), context.Profile, progress,
                new Conformance.PairedPerformanceMeasurer(context, progress)).RunAsync(request, ct);
            Console.WriteLine();
            Console.Write(outcome.Markdown);
            Console.WriteLine($"written: {outcome.MarkdownPath}, {outcome.JsonPath}");
            return outcome.Result.ExitCode;
        }, ct));
        return command;
    }
}
