using System.CommandLine;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Server;

namespace LocalClaude.Cli.Commands;

/// <summary><c>bench relay --profile P [--pairs N] [--url URL]</c>: what the sandbox's relay adds to talking to llama-server directly.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var profile = new Option<string?>("--profile") { Description = "profile whose llama-server to start (default: LOCALCLAUDE_PROFILE or cpu-tiny)" };
        var url = new Option<string?>("--url") { Description = "measure against a server that is already running (with --profile naming what it is)" };
        var pairs = new Option<int>("--pairs") { Description = "direct/relayed request pairs per case, after two warm-up pairs", DefaultValueFactory = _ => 20 };
        var relay = new Command("relay", "Time to first byte and gaps between chunks, direct and through the sandbox's relay, interleaved") { profile, url, pairs };
        relay.SetAction((parse, ct) => CliErrors.RunAsync("bench relay", async () =>
        {
            if (parse.GetValue(pairs) is < 1 or > 10_000) throw new ArgumentException($"--pairs {parse.GetValue(pairs)}: give 1 to 10000");
            var context = LocalClaudeContext.Discover();
            var selected = context.Profile(parse.GetValue(profile) ?? LocalClaudeContext.SelectedProfileName);
            Console.WriteLine(parse.GetValue(url) is null ? $"starting llama-server for '{selected.Name}'..." : $"measuring against {parse.GetValue(url)}");
            await using var server = await ServerUnderTest.OpenAsync(context, selected, ServerTarget.FromArguments(parse.GetValue(url), null), ct);
            var plan = RelayBenchPlan.For(selected, server.BaseUrl, server.ApiKey, parse.GetValue(pairs));
            if (plan.LongPromptTokens is null) Console.WriteLine($"(no long-prompt case: each slot of '{selected.Name}' holds too few tokens)");
            var work = Directory.CreateTempSubdirectory("localclaude-bench-");
            try
            {
                var result = await RelayBench.RunAsync(plan, work.FullName, ct);
                Console.WriteLine();
                Console.WriteLine($"relay vs direct, '{selected.Name}', {result.Pairs} interleaved pairs per case (A B A B), {Environment.ProcessorCount} cores:");
                Console.WriteLine(result.Table());
                return ExitCodes.Ok;
            }
            finally
            {
                work.Delete(recursive: true);
            }
        }, ct));
        return new Command("bench", "Benchmarks that print tables") { relay };
    }
}
