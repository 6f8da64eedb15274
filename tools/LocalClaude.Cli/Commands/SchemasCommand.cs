using System.CommandLine;
using LocalClaude.Infrastructure;
using LocalClaude.Schemas;

namespace LocalClaude.Cli.Commands;

/// <summary>
/// <c>schemas [--write] [--dir DIR]</c>: the JSON Schemas of the suite's interface files. Without --write it says
/// which committed schema differs from what the C# types generate (exit 1); --write regenerates them.
/// </summary>
internal static class SchemasCommand
{
    public static Command Create()
    {
        var write = new Option<bool>("--write") { Description = "regenerate the schemas from the C# types" };
        var dir = new Option<string?>("--dir") { Description = "the schemas' folder (default: schemas/ in the repository)" };
        var command = new Command("schemas", "JSON Schemas of the result file, report.json, gate.json, task.json and manifest.json: check, or --write") { write, dir };
        command.SetAction((parse, ct) => CliErrors.RunAsync("schemas", () =>
        {
            var folder = parse.GetValue(dir) ?? Path.Combine(RepoLayout.Find().Root, InterfaceSchemas.Folder);
            if (parse.GetValue(write))
            {
                foreach (var path in InterfaceSchemas.Write(folder)) Console.WriteLine($"wrote {path}");
                return Task.FromResult(ExitCodes.Ok);
            }
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--dir {folder}: no such folder");
            var stale = InterfaceSchemas.All.Where(s => !s.IsCurrentIn(folder)).ToList();
            foreach (var s in InterfaceSchemas.All)
                Console.WriteLine($"{(stale.Contains(s) ? "differs" : "ok     ")}  {Path.Combine(folder, s.FileName)}  ({s.Type.Name})");
            if (stale.Count > 0) Console.WriteLine($"regenerate with: {InterfaceSchemas.RegenerateCommand}");
            return Task.FromResult(stale.Count == 0 ? ExitCodes.Ok : ExitCodes.Verdict);
        }, ct));
        return command;
    }
}
