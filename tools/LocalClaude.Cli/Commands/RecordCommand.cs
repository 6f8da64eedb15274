using System.CommandLine;
using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;
using LocalClaude.Traffic;

namespace LocalClaude.Cli.Commands;

/// <summary>
/// <c>record NAME [--profile P | --upstream URL|control:NAME] [--interactive] [--compare] -- [claude arguments]</c>:
/// runs the real Claude Code through the recording proxy and writes <c>fixtures/traffic/NAME/</c>.
/// </summary>
internal static class RecordCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "fixture name: fixtures/traffic/NAME" };
        var claudeArgs = new Argument<string[]>("claude-arguments") { Description = "Claude Code's arguments, after --", Arity = ArgumentArity.ZeroOrMore };
        var profile = new Option<string?>("--profile") { Description = "record against this profile's llama-server (default: LOCALCLAUDE_PROFILE or cpu-tiny)" };
        var upstream = new Option<string?>("--upstream")
        {
            Description = $"record against a server at this URL, or a scripted control: {string.Join(", ", RecordingControls.Descriptions.Keys.Select(k => "control:" + k))}",
        };
        var token = new Option<string>("--token") { Description = "token Claude Code sends to an --upstream URL", DefaultValueFactory = _ => "localclaude" };
        var interactive = new Option<bool>("--interactive") { Description = "run Claude Code interactively under tmux (answers the first-run screens)" };
        var inputs = new Option<string[]>("--input") { Description = "interactive: a turn to type (repeatable; slash commands too)", AllowMultipleArgumentsPerToken = false };
        var envs = new Option<string[]>("--env") { Description = "KEY=VALUE set for Claude Code on top of the local-backend environment (repeatable)" };
        var nonEssential = new Option<bool>("--nonessential") { Description = "leave non-essential traffic on (background title calls, /api/hello)" };
        var workFiles = new Option<string[]>("--work-file") { Description = "NAME=TEXT: a file in Claude Code's work folder (repeatable)" };
        var description = new Option<string?>("--description") { Description = "one line for the manifest" };
        var compare = new Option<bool>("--compare") { Description = "re-record the committed scenario into a scratch folder and print what changed (fields, betas, tools, headers); the fixture is not touched" };
        var claude = new Option<string?>("--claude") { Description = $"Claude Code executable (default: the one setup installed, {ClaudeCodeInstall.PinnedVersion})" };
        var modelName = new Option<string?>("--model-name") { Description = "ANTHROPIC_MODEL for --upstream recordings (default: the selected profile's served name)" };
        var maxOutput = new Option<int?>("--max-output-tokens") { Description = "generation cap for a profile upstream (default: the profile's MAX_OUTPUT_TOKENS); the proxy lowers max_tokens on the way" };
        var output = new Option<string?>("--out") { Description = "fixture folder to write (default: fixtures/traffic/NAME)" };
        var claudeCode = ClaudeCodeVersionOption.Create();
        var command = new Command("record", "Record real Claude Code traffic through a proxy into fixtures/traffic/NAME")
        {
            name, claudeArgs, profile, upstream, token, interactive, inputs, envs, nonEssential, workFiles, description, compare, claude, claudeCode, modelName, maxOutput, output,
            ImportCommand(),
            RefreshCommand(),
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("record", async () =>
        {
            var outcome = await RecordingWorkflow.RunAsync(LocalClaudeContext.Discover(), new RecordingRequest
            {
                Name = parse.GetValue(name)!,
                ClaudeArguments = parse.GetValue(claudeArgs) ?? [],
                Profile = parse.GetValue(profile),
                Upstream = parse.GetValue(upstream),
                Token = parse.GetValue(token)!,
                Interactive = parse.GetValue(interactive),
                Inputs = parse.GetValue(inputs) ?? [],
                Environment = parse.GetValue(envs) ?? [],
                NonEssentialTraffic = parse.GetValue(nonEssential),
                WorkFiles = parse.GetValue(workFiles) ?? [],
                Description = parse.GetValue(description),
                Compare = parse.GetValue(compare),
                ClaudeBinary = parse.GetValue(claude),
                ClaudeCodeVersion = parse.GetValue(claudeCode),
                ModelName = parse.GetValue(modelName),
                MaxOutputTokens = parse.GetValue(maxOutput),
                OutputDirectory = parse.GetValue(output),
                RecordedWith = "tools/localclaude " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(ExternalCommand.Quote)),
            }, ProgressLog.Console, ct);
            var result = outcome.Result;
            PrintRequests(result.Requests);
            foreach (var warning in result.Warnings) Console.WriteLine($"warning: {warning}");
            if (outcome is { Committed: { } committed, Drift: { } drift })
            {
                Console.WriteLine();
                Console.WriteLine($"drift of {outcome.FixtureDirectory} (recorded {committed.Manifest.RecordedAt:yyyy-MM-dd}, Claude Code {committed.Manifest.ClaudeCodeVersion}) against a new recording (Claude Code {outcome.Plan.ClaudeVersion}) in {outcome.Plan.OutputDirectory}:");
                Console.WriteLine(drift.Render());
                return ExitCodes.Ok;
            }
            Console.WriteLine($"wrote {result.Files.Count} files to {outcome.FixtureDirectory} ({result.Requests.Count} requests; Claude Code {outcome.Plan.ClaudeVersion}; run folder {result.RunDirectory})");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary><c>record refresh [--claude-code VERSION] [--out DIR]</c>: every committed fixture re-recorded and compared.</summary>
    private static Command RefreshCommand()
    {
        var claudeCode = ClaudeCodeVersionOption.Create();
        var output = new Option<string?>("--out") { Description = "where the new recordings go, one folder per fixture (default: a new scratch folder)" };
        var command = new Command("refresh", "Re-record every committed fixture with a Claude Code version into a scratch folder and print the drift; the fixtures are not touched")
        {
            claudeCode, output,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("record refresh", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var scratch = parse.GetValue(output) ?? Path.Combine(Path.GetTempPath(), $"localclaude-refresh-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
            var refreshed = await RecordingWorkflow.RefreshAllAsync(context, parse.GetValue(claudeCode), scratch, ProgressLog.Console, ct);
            foreach (var fixture in refreshed)
            {
                Console.WriteLine();
                if (fixture.Outcome is { Committed: { } committed, Drift: { } drift })
                {
                    Console.WriteLine($"== {fixture.Name}: Claude Code {committed.Manifest.ClaudeCodeVersion} -> {fixture.Outcome.Plan.ClaudeVersion} ({fixture.Outcome.Plan.OutputDirectory})");
                    Console.WriteLine(drift.Render());
                }
                else Console.WriteLine($"== {fixture.Name}: not re-recorded: {fixture.Problem}");
            }
            Console.WriteLine();
            Console.WriteLine($"{refreshed.Count(f => f.Outcome is not null)} of {refreshed.Count} fixtures re-recorded into {scratch}; drift is information, the committed fixtures are unchanged");
            // Drift is no verdict; a fixture that could not be re-recorded means the refresh did not fully run.
            return refreshed.All(f => f.Outcome is not null) ? ExitCodes.Ok : ExitCodes.CouldNotRun;
        }, ct));
        return command;
    }

    /// <summary><c>record import FILE.har NAME</c>: a user's own capture (HAR 1.2) as a fixture, scrubbed like a recording.</summary>
    private static Command ImportCommand()
    {
        var har = new Argument<string>("har") { Description = "an HTTP Archive (HAR 1.2) of Claude Code's traffic, as mitmproxy, a browser or a debugging proxy exports it" };
        var name = new Argument<string>("name") { Description = "fixture name: fixtures/traffic/NAME" };
        var description = new Option<string?>("--description") { Description = "one line for the manifest" };
        var output = new Option<string?>("--out") { Description = "fixture folder to write (default: fixtures/traffic/NAME)" };
        var replace = new Option<bool>("--replace") { Description = "replace a fixture that is already there (otherwise refused: nothing is lost)" };
        var command = new Command("import", "Turn an HTTP Archive of Claude Code's traffic into a fixture (same scrubbing and placeholders as a recording)")
        {
            har, name, description, output, replace,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("record import", () =>
        {
            var context = LocalClaudeContext.Discover();
            var fixtureName = RecordingWorkflow.CheckFixtureName(parse.GetValue(name)!);
            var directory = parse.GetValue(output) ?? Path.Combine(context.Repo.Traffic, fixtureName);
            if (Directory.Exists(directory) && !parse.GetValue(replace))
                throw new ArgumentException($"{directory} exists; pass --replace to overwrite it");
            var imported = HarImport.Import(parse.GetValue(har)!, directory, fixtureName, parse.GetValue(description));
            PrintRequests(TrafficFixture.Load(directory).Exchanges.Select(e => e.Request).ToArray());
            foreach (var skipped in imported.Skipped) Console.WriteLine($"skipped: {skipped}");
            Console.WriteLine($"wrote {imported.Files.Count} files to {directory} ({imported.Manifest.RequestCount} requests; Claude Code {imported.Manifest.ClaudeCodeVersion})");
            return Task.FromResult(ExitCodes.Ok);
        }, ct));
        return command;
    }

    internal static void PrintRequests(IReadOnlyList<TrafficRequest> requests)
    {
        Console.WriteLine($"{"#",3}  {"purpose",-12} {"request",-44} {"status",6} {"at",9} {"took",9}  {"body",8}  overlaps");
        foreach (var r in requests)
            Console.WriteLine($"{r.Index,3}  {r.Purpose,-12} {Truncate($"{r.Method} {r.Path}", 44),-44} {r.Response.Status,6} {r.ArrivalMs / 1000,8:0.00}s {(r.CompletionMs - r.ArrivalMs) / 1000,8:0.00}s  {BodySize(r),8}  {string.Join(',', r.OverlapsWith)}");
    }

    private static string BodySize(TrafficRequest r) =>
        r.Body is null ? "-" : $"{r.Body.ToJsonString().Length / 1024.0:0.0}k";

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
