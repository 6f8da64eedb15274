using System.CommandLine;
using System.CommandLine.Parsing;
using LocalClaude.Cli.Commands;

namespace LocalClaude.Cli;

/// <summary>Every command of <c>tools/localclaude</c>; tests read this list so that a new command cannot go untested.</summary>
public static class CliRoot
{
    public static RootCommand Create() => new("LocalClaude: does Claude Code work with this llama-server and model, how well, how fast?")
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
        SchemasCommand.Create(),
    };

    /// <summary>
    /// The parser's errors, and a token before <c>--</c> that looks like an option but landed in a command's free
    /// arguments (files, claude's arguments): a typo such as <c>validate --strcit</c> is bad input, not a file name.
    /// </summary>
    public static IReadOnlyList<string> Errors(ParseResult parsed)
    {
        var errors = parsed.Errors.Select(e => e.Message).ToList();
        var doubleDash = parsed.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        var beforeDoubleDash = doubleDash < 0 ? parsed.Tokens : parsed.Tokens.Take(doubleDash).ToList();
        foreach (var argument in parsed.CommandResult.Command.Arguments)
        {
            if (parsed.GetResult(argument) is not { } result) continue;
            foreach (var token in result.Tokens.Where(t => t.Value.Length > 1 && t.Value.StartsWith('-')))
            {
                if (beforeDoubleDash.Any(t => ReferenceEquals(t, token)))
                    errors.Add($"Unrecognized option '{token.Value}' (a {argument.Name} value that starts with '-' goes after --)");
            }
        }
        return errors;
    }
}
