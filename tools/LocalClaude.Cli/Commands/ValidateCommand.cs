using System.CommandLine;
using LocalClaude.Protocol;

namespace LocalClaude.Cli.Commands;

/// <summary><c>validate FILE…</c>: checks saved SSE streams or JSON bodies; exit 0 clean, 1 violation/client-break, 2 unreadable.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "saved SSE streams, message or error bodies, or raw HTTP response captures", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Validate saved Anthropic responses (captured anywhere) and print their findings") { files };
        command.SetAction((parse, ct) => CliErrors.RunAsync("validate", async () =>
        {
            var worst = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                var report = await ProtocolFileValidator.ValidateFileAsync(file, ct);
                Console.WriteLine(report.Headline);
                foreach (var f in report.Findings.OrderByDescending(f => f.Severity))
                    Console.WriteLine($"  {f.Severity.ToReportName(),-12} {f.Id,-40} {(f.EventIndex is { } i ? $"event {i}" : ""),-9} {f.Message}");
                worst = Math.Max(worst, report.ExitCode);
            }
            return worst;
        }, ct));
        return command;
    }
}
