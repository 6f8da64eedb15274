using System.CommandLine;
using LocalClaude.Cli.Commands;
using LocalClaude.Infrastructure;

var root = new RootCommand("LocalClaude: does Claude Code work with this llama-server and model, how well, how fast?")
{
    SetupCommand.Create(),
    DoctorCommand.Create(),
    ServeCommand.Create(),
    LaunchCommand.Create(),
    TestCommand.Create(),
    ConformanceCommand.Create(),
    ValidateCommand.Create(),
    ReportCommand.Create(),
    GateCommand.Create(),
    RecordCommand.Create(),
    ReplayCommand.Create(),
    E2ECommand.Create(),
    BenchCommand.Create(),
    StressCommand.Create(),
};
var parsed = root.Parse(args);
// Bad arguments are bad input: exit 2 like every other "could not run" (the parser's own default is 1).
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("see tools/localclaude --help");
    return ExitCodes.CouldNotRun;
}
// Ctrl-C or SIGTERM cancels the command's token; it gets time to stop the servers it started and exit 130 itself.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
