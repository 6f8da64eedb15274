using System.Text.Json.Nodes;
using LocalClaude.Agents;
using LocalClaude.Infrastructure;
using LocalClaude.ScriptedControls;

namespace LocalClaude.Tests.ScriptedControls;

/// <summary>
/// Plays an oracle's tool calls directly against a work dir, the way Claude Code's tools would (no Claude Code,
/// no server): Write creates parent folders, Edit needs exactly one match unless replace_all, Bash runs in the
/// work dir and a failing command is a tool error, not a stop. Read, Glob and Grep change nothing.
/// </summary>
internal static class OracleStepInterpreter
{
    public static async Task<IReadOnlyList<string>> PlayAsync(OracleSolution oracle, string workDirectory, CancellationToken cancellationToken)
    {
        var transcript = new List<string>();
        for (var i = 0; i < oracle.Steps.Count; i++)
        {
            var step = oracle.Steps[i];
            var input = step.InputFor(workDirectory);
            var where = $"step {i + 1} ({step.Tool})";
            switch (step.Tool)
            {
                case "Write":
                    {
                        var path = InsideWorkDir(Str(input, "file_path"), workDirectory, where);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        await File.WriteAllTextAsync(path, Str(input, "content"), cancellationToken);
                        transcript.Add($"{where}: wrote {path}");
                        break;
                    }
                case "Edit":
                    {
                        var path = InsideWorkDir(Str(input, "file_path"), workDirectory, where);
                        var text = await File.ReadAllTextAsync(path, cancellationToken);
                        var (oldString, newString) = (Str(input, "old_string"), Str(input, "new_string"));
                        var replaceAll = input["replace_all"]?.GetValue<bool>() ?? false;
                        var count = Count(text, oldString);
                        if (count == 0) throw new InvalidOperationException($"{where}: old_string not found in {path}");
                        if (count > 1 && !replaceAll) throw new InvalidOperationException($"{where}: old_string matches {count} times in {path}");
                        var edited = replaceAll ? text.Replace(oldString, newString) : ReplaceFirst(text, oldString, newString);
                        await File.WriteAllTextAsync(path, edited, cancellationToken);
                        transcript.Add($"{where}: edited {path}");
                        break;
                    }
                case "Read":
                    {
                        var path = InsideWorkDir(Str(input, "file_path"), workDirectory, where);
                        if (!File.Exists(path)) throw new InvalidOperationException($"{where}: {path} does not exist");
                        transcript.Add($"{where}: read {path}");
                        break;
                    }
                case "Bash":
                    {
                        var result = await ExternalCommand.RunAsync("/bin/bash", ["-c", Str(input, "command")], new CommandOptions
                        {
                            WorkingDirectory = workDirectory,
                            ThrowOnFailure = false,
                            Timeout = TimeSpan.FromSeconds(30),
                            Environment = new Dictionary<string, string?> { ["PYTHONDONTWRITEBYTECODE"] = "1" },
                        }, cancellationToken);
                        transcript.Add($"{where}: exit {result.ExitCode}: {result.StandardOutput.Trim()}");
                        break;
                    }
                case "Glob" or "Grep":
                    transcript.Add($"{where}: search only");
                    break;
                default:
                    throw new NotSupportedException($"{where}: the test interpreter does not know {step.Tool}");
            }
        }
        return transcript;
    }

    private static string Str(JsonObject input, string name) =>
        input[name]?.GetValue<string>() ?? throw new InvalidOperationException($"missing '{name}'");

    /// <summary>Oracles must stay inside the work dir: that is what the sandbox will enforce later.</summary>
    private static string InsideWorkDir(string path, string workDirectory, string where)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(workDirectory.TrimEnd('/') + "/", StringComparison.Ordinal))
            throw new InvalidOperationException($"{where}: {path} is outside the work dir {workDirectory}");
        return full;
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private static string ReplaceFirst(string text, string oldString, string newString)
    {
        var at = text.IndexOf(oldString, StringComparison.Ordinal);
        return text[..at] + newString + text[(at + oldString.Length)..];
    }
}
