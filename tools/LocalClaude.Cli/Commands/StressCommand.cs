using System.CommandLine;
using System.Globalization;
using LocalClaude.Infrastructure;
using LocalClaude.Launcher;

namespace LocalClaude.Cli.Commands;

/// <summary><c>stress launch</c>: the launcher's stop path many times in a row, a table of how each run ended; exit 1 on any hang or leftover.</summary>
internal static class StressCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "profile from models.conf", DefaultValueFactory = _ => LocalClaudeContext.SelectedProfileName };
        var runs = new Option<int>("--runs") { Description = "launches per mode", DefaultValueFactory = _ => 10 };
        var mode = new Option<string>("--mode") { Description = "headless, interactive (typed into bash under tmux) or both", DefaultValueFactory = _ => "both" };
        mode.AcceptOnlyFromAmong("headless", "interactive", "both");
        var launch = new Command("launch", "Run 'launch local' through its stop path N times per mode and count hangs and leftovers") { profile, runs, mode };
        launch.SetAction((parse, ct) => CliErrors.RunAsync("stress launch", async () =>
        {
            var context = LocalClaudeContext.Discover();
            // An unknown profile is bad input, not N failed launches.
            var selected = context.Profile(parse.GetValue(profile)!);
            var stress = new LaunchStopStress(context.Repo, selected.Name, Console.Out);
            var which = parse.GetValue(mode);
            var results = new List<LaunchStopRun>();
            if (which is "headless" or "both") results.AddRange(await stress.RunAsync(parse.GetValue(runs), interactive: false, ct));
            if (which is "interactive" or "both") results.AddRange(await stress.RunAsync(parse.GetValue(runs), interactive: true, ct));
            Console.WriteLine();
            Console.WriteLine("| mode | variant | runs | exit codes | hangs | ended early | no 'stopped.' | leftovers | exit to prompt (s): min / median / max |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var group in results.GroupBy(r => (r.Mode, r.Variant)))
            {
                var times = group.Where(r => r.SecondsToExit is not null).Select(r => r.SecondsToExit!.Value).Order().ToArray();
                var span = times.Length == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{times[0]:0.00} / {times[times.Length / 2]:0.00} / {times[^1]:0.00}");
                Console.WriteLine($"| {group.Key.Mode} | {group.Key.Variant} | {group.Count()} | {string.Join(" ", group.Select(r => r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"))} | {group.Count(r => r.Hung)} | {group.Count(r => r.EndedEarly)} | {group.Count(r => !r.StoppedPrinted)} | {group.Sum(r => r.LeftBehind.Count)} | {span} |");
            }
            foreach (var run in results.Where(r => r.LeftBehind.Count > 0))
                Console.WriteLine($"run {run.Number} ({run.Mode}) left: {string.Join("; ", run.LeftBehind)}");
            return results.All(r => r.Clean) ? ExitCodes.Ok : ExitCodes.Verdict;
        }, ct));
        return new Command("stress", "Stress commands that print tables (not part of the test run)") { launch };
    }
}
