using System.CommandLine;
using LocalClaude.Infrastructure;
using LocalClaude.Results;
using LocalClaude.Server;
using LocalClaude.Traffic;

namespace LocalClaude.Cli.Commands;

/// <summary>
/// <c>replay fixtures/traffic/NAME --profile P [--out FILE] [--bench]</c>: sends recorded Claude Code requests to the
/// profile's llama-server as they were recorded, checks every answer, prints a table and writes a result file.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var fixtures = new Argument<string[]>("fixture") { Description = "fixture folder(s), e.g. fixtures/traffic/headless-greeting, or fixtures/traffic for all", Arity = ArgumentArity.OneOrMore };
        var profile = new Option<string?>("--profile") { Description = "profile whose llama-server to start (default: LOCALCLAUDE_PROFILE or cpu-tiny)" };
        var url = new Option<string?>("--url") { Description = "replay against a server that is already running (with --profile naming what it is)" };
        var output = new Option<string?>("--out") { Description = "result file to write (default: reports/results/replay-PROFILE.json)" };
        var bench = new Option<bool>("--bench") { Description = "also replay sequentially with a bare HttpClient and print the suite's overhead ratio" };
        var command = new Command("replay", "Replay recorded Claude Code traffic against a profile and check every answer") { fixtures, profile, url, output, bench };
        command.SetAction((parse, ct) => CliErrors.RunAsync("replay", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var loaded = parse.GetValue(fixtures)!.SelectMany(Expand).Select(TrafficFixture.Load).ToArray();
            var selected = context.Profile(parse.GetValue(profile) ?? LocalClaudeContext.SelectedProfileName);
            Console.WriteLine(parse.GetValue(url) is null ? $"starting llama-server for '{selected.Name}'..." : $"replaying against {parse.GetValue(url)}");
            await using var server = parse.GetValue(url) is { } u
                ? await ServerUnderTest.AttachAsync(selected, new Uri(u), selected.ApiKey, ct)
                : await ServerUnderTest.StartAsync(context, selected, ct);

            var file = await ReplayRun.RunAsync(server, loaded, KnownFindings.Load(context.Repo.Traffic), new ReplayRunOptions
            {
                Bench = parse.GetValue(bench),
                Output = Console.Out,
                Command = "tools/localclaude " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(ExternalCommand.Quote)),
                SuiteCommit = await SuiteVersion.CommitAsync(context.Repo, ct),
            }, ct);
            var outPath = parse.GetValue(output) ?? Path.Combine(context.Repo.Reports, "results", $"replay-{selected.Name}.json");
            file.Save(outPath);
            var checks = file.Checks;
            var failed = checks.Count(c => c.Outcome == CheckOutcome.Fail);
            Console.WriteLine();
            Console.WriteLine($"{checks.Count(c => c.Outcome == CheckOutcome.Pass)} passed, {failed} failed, {checks.Count(c => c.Outcome == CheckOutcome.KnownDeviation)} known deviations; result file: {outPath}");
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Verdict;
        }, ct));
        return command;
    }

    /// <summary>A fixture folder, or a folder of fixtures (e.g. fixtures/traffic).</summary>
    private static IEnumerable<string> Expand(string path)
    {
        if (File.Exists(Path.Combine(path, TrafficFixture.ManifestFile))) return [path];
        var all = TrafficFixture.FindAll(path);
        return all.Count > 0 ? all : [path];
    }
}
