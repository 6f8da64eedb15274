using System.CommandLine;
using LocalClaude.Conformance;
using LocalClaude.Infrastructure;
using LocalClaude.Results;
using LocalClaude.Server;

namespace LocalClaude.Cli.Commands;

/// <summary><c>conformance --profile P</c>: every check against the profile's real server; a table, a result file, an exit code.</summary>
internal static class ConformanceCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "profile from models.conf (default: LOCALCLAUDE_PROFILE or cpu-tiny)" };
        var serverUrl = new Option<string?>("--server-url") { Description = "test a server you already run instead of starting one" };
        var apiKey = new Option<string?>("--api-key") { Description = "key for --server-url (default: the profile's API_KEY)" };
        var output = new Option<string?>("--out") { Description = "result file (default: reports/results/conformance-PROFILE.json)" };
        var checks = new Option<string[]>("--checks") { Description = "only these check ids (globs, e.g. 'tools.*')", AllowMultipleArgumentsPerToken = true };
        var reportOnly = new Option<bool>("--report-only") { Description = "exit 0 even when checks fail" };
        var command = new Command("conformance", "Check the profile's llama-server against the Anthropic Messages API and Claude Code's needs")
        {
            profile, serverUrl, apiKey, output, checks, reportOnly,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("conformance", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var p = context.Profile(parse.GetValue(profile) ?? LocalClaudeContext.SelectedProfileName);
            var progress = ProgressLog.Console;
            var url = parse.GetValue(serverUrl) ?? Environment.GetEnvironmentVariable(LocalClaudeContext.ServerUrlVariable);
            progress.Step(url is null ? $"starting llama-server for '{p.Name}'" : $"attaching to {url} as profile '{p.Name}'");
            await using var server = url is null
                ? await ServerUnderTest.StartAsync(context, p, ct)
                : await ServerUnderTest.AttachAsync(p, new Uri(url), parse.GetValue(apiKey) ?? p.ApiKey, ct);
            progress.Info($"{server.BaseUrl} llama-server {server.Info.Version ?? "(version unknown)"}");

            var result = await ConformanceRunner.RunAsync(server, url is null ? new ProcessVariantLauncher(context) : null,
                new ConformanceRunOptions
                {
                    Checks = parse.GetValue(checks) ?? [],
                    Progress = progress,
                    Command = "tools/localclaude " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(ExternalCommand.Quote)),
                    SuiteCommit = await SuiteVersion.CommitAsync(context.Repo, ct),
                }, ct);

            var path = parse.GetValue(output) ?? Path.Combine(context.Repo.Reports, "results", $"conformance-{p.Name}.json");
            result.Save(path);
            Console.WriteLine();
            ConformanceTable.Print(result, Console.Out);
            Console.WriteLine();
            Console.WriteLine($"result file: {path}");
            var failed = result.Checks.Count(c => c.Outcome == CheckOutcome.Fail);
            return failed > 0 && !parse.GetValue(reportOnly) ? ExitCodes.Verdict : ExitCodes.Ok;
        }, ct));
        return command;
    }
}

/// <summary>The plain table: id, outcome, one-line reason; then counts.</summary>
internal static class ConformanceTable
{
    public static void Print(ResultFile result, TextWriter output)
    {
        var width = Math.Max(12, result.Checks.Max(c => c.Id.Length));
        output.WriteLine($"{"check".PadRight(width)}  {"outcome",-15}  reason");
        output.WriteLine($"{new string('-', width)}  {new string('-', 15)}  {new string('-', 40)}");
        foreach (var c in result.Checks)
        {
            var reason = c.Reason.Replace('\n', ' ');
            if (reason.Length > 150) reason = reason[..147] + "...";
            output.WriteLine($"{c.Id.PadRight(width)}  {Name(c.Outcome),-15}  {reason}");
        }
        output.WriteLine();
        output.WriteLine(string.Join(", ", Enum.GetValues<CheckOutcome>().Select(o => $"{result.Checks.Count(c => c.Outcome == o)} {Name(o)}")) +
                         $" ({result.Run.DurationSeconds:0} s)");
        var blocking = result.Checks.SelectMany(c => c.Findings).Where(f => f.Severity is "violation" or "client-break").Select(f => f.Id).Distinct().ToList();
        if (blocking.Count > 0) output.WriteLine($"blocking findings: {string.Join(", ", blocking)}");
    }

    public static string Name(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Fail => "FAIL",
        CheckOutcome.KnownDeviation => "known-deviation",
        _ => "n/a",
    };
}
