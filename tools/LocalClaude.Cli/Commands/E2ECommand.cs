using System.CommandLine;
using LocalClaude.Agents;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Server;

namespace LocalClaude.Cli.Commands;

/// <summary>
/// <c>e2e --profile P [--tasks GLOB] [--trials N] [--out FILE] [--control oracle|noop]</c>: every task through the real
/// sandboxed Claude Code against the profile's llama-server (or a control backend); prints the capability matrix.
/// </summary>
internal static class E2ECommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "profile from models.conf (default: LOCALCLAUDE_PROFILE or cpu-tiny)" };
        var tasks = new Option<string>("--tasks") { Description = "task folder names to run, a glob (default: all)", DefaultValueFactory = _ => "*" };
        var trials = new Option<int>("--trials") { Description = "trials per task (pass@k uses k = trials)", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "result file (default: reports/results/e2e-PROFILE.json; controls: reports/tmp/e2e-control-CONTROL.json)" };
        var control = new Option<string?>("--control") { Description = "run a CONTROL backend instead of llama-server: oracle (plays each task's solution) or noop (does nothing)" };
        var serverUrl = new Option<string?>("--server-url") { Description = "use a llama-server you already run on 127.0.0.1 instead of starting one" };
        var apiKey = new Option<string?>("--api-key") { Description = "key for --server-url (default: LOCALCLAUDE_SERVER_API_KEY, else the profile's API_KEY)" };
        var parallel = new Option<int?>("--parallel") { Description = "trials at once (default: the server's slots; 2-4 for controls)" };
        var timeout = new Option<int?>("--timeout") { Description = "cap each task's timeout at this many seconds" };
        var maxOutput = new Option<int?>("--max-output-tokens") { Description = "max_tokens Claude Code asks for (CLAUDE_CODE_MAX_OUTPUT_TOKENS; default: the profile's MAX_OUTPUT_TOKENS)" };
        var reportOnly = new Option<bool>("--report-only") { Description = "exit 0 even when trials fail (SYNTHETIC profiles always do; a control run still fails when it disproves the pipeline)" };
        var claudeCode = ClaudeCodeVersionOption.Create();
        var command = new Command("e2e", "Run the coding tasks through the real Claude Code in the sandbox and print the capability matrix")
        {
            profile, tasks, trials, output, control, serverUrl, apiKey, parallel, timeout, maxOutput, reportOnly, claudeCode,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync("e2e", async () =>
        {
            var context = LocalClaudeContext.Discover();
            var p = context.Profile(parse.GetValue(profile) ?? LocalClaudeContext.SelectedProfileName);
            var controlKind = parse.GetValue(control) is { } name ? ControlBackend.Parse(name) : (ControlKind?)null;
            var defaultOut = controlKind is { } k
                // Never beside the profiles' results (reports/results feeds the report): controls prove the pipeline only.
                ? Path.Combine(context.Repo.Reports, "tmp", $"e2e-control-{ControlBackend.ControlName(k)}.json")
                : Path.Combine(context.Repo.Reports, "results", $"e2e-{p.Name}.json");
            var options = new E2ESuiteOptions
            {
                ResultPath = parse.GetValue(output) ?? defaultOut,
                TaskGlob = parse.GetValue(tasks) ?? "*",
                Trials = parse.GetValue(trials),
                Parallelism = parse.GetValue(parallel),
                TimeoutCap = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                MaxOutputTokens = parse.GetValue(maxOutput),
                ClaudeCodeVersion = parse.GetValue(claudeCode),
                Command = "tools/localclaude " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                Progress = ProgressLog.Console,
            };
            if (options.Trials < 1) throw new ArgumentException("--trials must be at least 1");

            var suite = new E2ESuite(context);
            var result = controlKind is { } kind
                ? await suite.RunControlAsync(p, kind, options, ct)
                : await suite.RunProfileAsync(p, ServerTarget.FromArgumentsOrEnvironment(parse.GetValue(serverUrl), parse.GetValue(apiKey)), options, ct);

            Console.WriteLine();
            result.Matrix.Print(Console.Out);
            Console.WriteLine($"result file: {result.ResultPath}");
            Console.WriteLine($"trial folders: {result.RunDirectory}");
            if (controlKind is null && p.Synthetic)
                Console.WriteLine($"profile '{p.Name}' is SYNTHETIC (random weights): failing tasks are its expected result, so they do not fail this command");
            return result.ExitCode(controlKind, p.Synthetic, parse.GetValue(reportOnly));
        }, ct));
        return command;
    }
}
