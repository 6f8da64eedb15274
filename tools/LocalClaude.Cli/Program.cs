using System.CommandLine;
using LocalClaude.Cli.Commands;

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
return await root.Parse(args).InvokeAsync();
