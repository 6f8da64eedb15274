using System.CommandLine;
using LocalClaude.Cli;
using LocalClaude.Infrastructure;

var parsed = CliRoot.Create().Parse(args);
// Bad arguments are bad input: exit 2 like every other "could not run" (the parser's own default is 1), in one line.
if (CliRoot.Errors(parsed) is { Count: > 0 } errors)
{
    Console.Error.WriteLine($"error: {string.Join("; ", errors)} (see tools/localclaude --help)");
    return ExitCodes.CouldNotRun;
}
// Ctrl-C or SIGTERM cancels the command's token; it gets time to stop the servers it started and exit 130 itself.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
