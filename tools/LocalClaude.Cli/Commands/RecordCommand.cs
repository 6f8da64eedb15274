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
        var command = new Command("record", "Record real Claude Code traffic through a proxy into fixtures/traffic/NAME")
        {
            name, claudeArgs, profile, upstream, token, interactive, inputs, envs, nonEssential, workFiles, description, compare, claude, modelName, maxOutput, output,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("record", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var fixtureName = parse.GetValue(name)!;
            if (fixtureName.Length == 0 || fixtureName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || fixtureName.StartsWith('.'))
                throw new ArgumentException($"fixture name '{fixtureName}': use letters, digits, '-', '_' and '.'");
            var committedDir = parse.GetValue(output) ?? Path.Combine(context.Repo.Traffic, fixtureName);
            var isCompare = parse.GetValue(compare);
            TrafficFixture? committed = isCompare ? TrafficFixture.Load(committedDir) : null;

            var binary = parse.GetValue(claude) ?? ClaudeCodeInstall.Find(context.Home)?.Binary
                ?? throw new InvalidOperationException($"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed: run 'tools/localclaude setup' (or pass --claude PATH)");
            var version = await ClaudeCodeInstall.ReadVersionAsync(binary, ct)
                ?? throw new InvalidOperationException($"'{binary} --version' failed");

            var arguments = parse.GetValue(claudeArgs) ?? [];
            var scenario = committed?.Manifest.Scenario;
            var isInteractive = parse.GetValue(interactive) || scenario?.Mode == TrafficScenario.Interactive;
            if (arguments.Length == 0 && scenario is not null) arguments = [.. scenario.ClaudeArguments];
            var typed = parse.GetValue(inputs) is { Length: > 0 } given ? given : scenario?.Inputs.ToArray() ?? [];
            var overrides = ParsePairs(parse.GetValue(envs), "--env");
            if (overrides.Count == 0 && scenario is not null) overrides = new Dictionary<string, string>(scenario.EnvironmentOverrides);
            var files = ParsePairs(parse.GetValue(workFiles), "--work-file");
            if (files.Count == 0 && scenario is not null) files = new Dictionary<string, string>(scenario.WorkFiles);
            if (!isInteractive) arguments = HeadlessArguments(arguments);
            else if (typed.Length == 0)
                throw new ArgumentException("an interactive recording needs at least one --input (a turn to type)");

            var spec = Upstream(context, parse.GetValue(profile), parse.GetValue(upstream), parse.GetValue(token)!, committed?.Manifest.Upstream,
                parse.GetValue(modelName), out var claudeModel);
            var plan = new RecordingPlan
            {
                Name = fixtureName,
                OutputDirectory = isCompare ? Path.Combine(Path.GetTempPath(), $"localclaude-compare-{fixtureName}-{Environment.ProcessId}") : committedDir,
                Upstream = spec,
                ClaudeBinary = binary,
                ClaudeVersion = version,
                Interactive = isInteractive,
                ClaudeArguments = arguments,
                Inputs = typed,
                EnvironmentOverrides = overrides,
                NonEssentialTraffic = parse.GetValue(nonEssential) || scenario?.NonEssentialTraffic == true,
                WorkFiles = files,
                Description = parse.GetValue(description) ?? committed?.Manifest.Description,
                RecordedWith = "tools/localclaude " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(ExternalCommand.Quote)),
                ModelName = claudeModel,
                MaxOutputTokens = parse.GetValue(maxOutput) ?? committed?.Manifest.Upstream.MaxOutputTokens,
            };

            var result = await new TrafficRecorder(context, ProgressLog.Console).RecordAsync(plan, ct);
            PrintRequests(result.Requests);
            foreach (var warning in result.Warnings) Console.WriteLine($"warning: {warning}");
            if (committed is not null)
            {
                var fresh = TrafficFixture.Load(plan.OutputDirectory);
                var drift = FixtureDrift.Compare(committed, fresh);
                Console.WriteLine();
                Console.WriteLine($"drift of {committedDir} (recorded {committed.Manifest.RecordedAt:yyyy-MM-dd}, Claude Code {committed.Manifest.ClaudeCodeVersion}) against a new recording (Claude Code {version}) in {plan.OutputDirectory}:");
                Console.WriteLine(drift.Render());
                return ExitCodes.Ok;
            }
            Console.WriteLine($"wrote {result.Files.Count} files to {committedDir} ({result.Requests.Count} requests; Claude Code {version}; run folder {result.RunDirectory})");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>Headless recordings use stream-json output, as the E2E runner does.</summary>
    private static string[] HeadlessArguments(string[] arguments)
    {
        if (!arguments.Any(a => a is "-p" or "--print"))
            throw new ArgumentException("a headless recording needs -p PROMPT after -- (or use --interactive)");
        return arguments.Any(a => a.StartsWith("--output-format", StringComparison.Ordinal))
            ? arguments
            : [.. arguments, "--output-format", "stream-json", "--verbose"];
    }

    private static UpstreamSpec Upstream(LocalClaudeContext context, string? profile, string? upstream, string token,
        TrafficUpstream? committed, string? modelName, out string claudeModel)
    {
        if (profile is not null && upstream is not null) throw new ArgumentException("give --profile or --upstream, not both");
        claudeModel = modelName ?? context.Profile(LocalClaudeContext.SelectedProfileName).ServedModelName;
        if (upstream is null && profile is null && committed is not null)
        {
            upstream = committed.Kind switch
            {
                TrafficUpstream.ControlKind => "control:" + committed.Name,
                TrafficUpstream.UrlKind => committed.Name,
                _ => null,
            };
            if (committed.Kind == TrafficUpstream.ProfileKind) profile = committed.Name;
        }
        if (upstream is null)
        {
            var selected = context.Profile(profile ?? LocalClaudeContext.SelectedProfileName);
            claudeModel = selected.ServedModelName;
            return new UpstreamSpec.Profile(selected);
        }
        if (upstream.StartsWith("control:", StringComparison.Ordinal))
        {
            var script = upstream["control:".Length..];
            if (!RecordingControls.Descriptions.ContainsKey(script))
                throw new ArgumentException($"unknown control '{script}'; known: {string.Join(", ", RecordingControls.Descriptions.Keys)}");
            return new UpstreamSpec.Control(script);
        }
        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--upstream '{upstream}' is neither an http(s) URL nor control:NAME");
        return new UpstreamSpec.Url(url, token, claudeModel);
    }

    private static Dictionary<string, string> ParsePairs(string[]? values, string option)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"{option} '{value}': expected NAME=VALUE");
            pairs[value[..equals]] = value[(equals + 1)..];
        }
        return pairs;
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
