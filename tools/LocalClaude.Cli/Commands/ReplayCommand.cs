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
        var output = new Option<string?>("--out") { Description = "result file to write (default: reports/tmp/replay-PROFILE.json)" };
        var bench = new Option<bool>("--bench") { Description = "also replay sequentially with a bare HttpClient and print the suite's overhead ratio" };
        var command = new Command("replay", "Replay recorded Claude Code traffic against a profile and check every answer") { fixtures, profile, url, output, bench };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var context = LocalClaudeContext.Discover();
            var loaded = parse.GetValue(fixtures)!.SelectMany(Expand).Select(TrafficFixture.Load).ToArray();
            var selected = context.Profile(parse.GetValue(profile) ?? LocalClaudeContext.SelectedProfileName);
            var known = KnownFindings.Load(context.Repo.Traffic);
            var started = DateTimeOffset.UtcNow;
            var clock = System.Diagnostics.Stopwatch.StartNew();

            await using var server = parse.GetValue(url) is null ? await StartServerAsync(context, selected, ct) : null;
            var baseUrl = server?.BaseUrl ?? new Uri(parse.GetValue(url)!);
            var target = new ReplayTarget(baseUrl, selected.ApiKey, selected.Name, selected.ParallelSlots, selected.MaxOutputTokens);
            Console.WriteLine($"replaying {loaded.Length} fixture(s) against '{selected.Name}' at {baseUrl} (NP={selected.ParallelSlots}" +
                              (selected.MaxOutputTokens is { } cap ? $", generation capped at {cap} tokens by MAX_OUTPUT_TOKENS" : "") + ")");

            var replayer = new Replayer(target);
            var checks = new List<CheckResult>();
            var requests = new List<ReplayedRequest>();
            foreach (var fixture in loaded)
            {
                Console.WriteLine();
                Console.WriteLine($"== {fixture.Name}: {fixture.Exchanges.Count} requests, Claude Code {fixture.Manifest.ClaudeCodeVersion}, {fixture.Manifest.Scenario.Mode}");
                var replay = await replayer.ReplayAsync(fixture, ct);
                ReplayReport.PrintTable(replay, Console.Out);
                var check = ReplayReport.Check(replay, known);
                Console.WriteLine($"   => {check.Outcome.ToString().ToLowerInvariant()}: {check.Reason} ({replay.Wall.TotalSeconds:0.0} s)");
                checks.Add(check);
                requests.AddRange(ReplayReport.Requests(replay));
            }

            var metrics = new Dictionary<string, double> { ["replay.wall_seconds"] = clock.Elapsed.TotalSeconds };
            if (parse.GetValue(bench))
            {
                Console.WriteLine();
                Console.WriteLine("bench: the same requests, sequentially, with a bare HttpClient and with the suite...");
                var result = await ReplayBench.RunAsync(loaded, target, ct);
                Console.WriteLine($"bench: {result.Requests} requests; bare HttpClient {result.Bare.TotalSeconds:0.00} s, suite {result.Suite.TotalSeconds:0.00} s: ratio {result.Ratio:0.000}");
                metrics["bench.bare_seconds"] = result.Bare.TotalSeconds;
                metrics["bench.suite_seconds"] = result.Suite.TotalSeconds;
                metrics["bench.ratio"] = result.Ratio;
            }

            var file = new ResultFile
            {
                Kind = "replay",
                Run = new RunInfo
                {
                    Profile = selected.Name,
                    ProfileDescription = selected.Description,
                    Server = await ServerInfoAsync(server, baseUrl, selected, ct),
                    ClaudeCodeVersion = string.Join(", ", loaded.Select(f => f.Manifest.ClaudeCodeVersion).Distinct()),
                    StartedAt = started,
                    DurationSeconds = clock.Elapsed.TotalSeconds,
                    Command = "tools/localclaude " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(ExternalCommand.Quote)),
                    SuiteCommit = await SuiteCommitAsync(context, ct),
                },
                Checks = checks,
                Requests = requests,
                Metrics = metrics,
            };
            var outPath = parse.GetValue(output) ?? Path.Combine(context.Repo.Reports, "tmp", $"replay-{selected.Name}.json");
            file.Save(outPath);
            var failed = checks.Count(c => c.Outcome == CheckOutcome.Fail);
            Console.WriteLine();
            Console.WriteLine($"{checks.Count(c => c.Outcome == CheckOutcome.Pass)} passed, {failed} failed, {checks.Count(c => c.Outcome == CheckOutcome.KnownDeviation)} known deviations; result file: {outPath}");
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }

    /// <summary>A fixture folder, or a folder of fixtures (e.g. fixtures/traffic).</summary>
    private static IEnumerable<string> Expand(string path)
    {
        if (File.Exists(Path.Combine(path, TrafficFixture.ManifestFile))) return [path];
        var all = TrafficFixture.FindAll(path);
        return all.Count > 0 ? all : [path];
    }

    private static async Task<LlamaServerProcess> StartServerAsync(LocalClaudeContext context, Profiles.ModelProfile profile, CancellationToken ct)
    {
        var launch = context.ResolveLaunch(profile);
        Console.WriteLine($"starting llama-server for '{profile.Name}'...");
        var server = await LlamaServerProcess.StartAsync(launch, ct);
        Console.WriteLine($"ready in {server.StartupTime.TotalSeconds:0.0} s (log: {server.LogFile})");
        return server;
    }

    private static async Task<ServerInfo> ServerInfoAsync(LlamaServerProcess? server, Uri url, Profiles.ModelProfile profile, CancellationToken ct)
    {
        string? version = null;
        if (server is not null)
        {
            var result = await ExternalCommand.RunAsync(server.Launch.Binary, ["--version"],
                new CommandOptions { Timeout = TimeSpan.FromSeconds(30), ThrowOnFailure = false }, ct);
            version = (result.StandardOutput + "\n" + result.StandardError).Split('\n')
                .FirstOrDefault(l => l.StartsWith("version:", StringComparison.Ordinal))?["version:".Length..].Trim();
        }
        var commit = version is null ? null : System.Text.RegularExpressions.Regex.Match(version, @"commit ([0-9a-f]+)") is { Success: true } m ? m.Groups[1].Value : null;
        return new ServerInfo
        {
            Url = url.ToString(),
            Version = version,
            Commit = commit,
            Arguments = server?.Launch.Arguments(server.Port) ?? [],
            Tools = profile.Capabilities.Tools,
            Thinking = profile.Capabilities.Thinking,
            Vision = profile.Capabilities.Vision,
            Synthetic = profile.Synthetic,
        };
    }

    private static async Task<string?> SuiteCommitAsync(LocalClaudeContext context, CancellationToken ct)
    {
        var result = await ExternalCommand.RunAsync("git", ["-C", context.Repo.Root, "rev-parse", "--short", "HEAD"],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(10), ThrowOnFailure = false }, ct);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }
}
