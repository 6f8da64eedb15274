using System.Text;
using CliWrap;

namespace LocalClaude.Infrastructure;

/// <summary>How to run a short-lived external command.</summary>
public sealed record CommandOptions
{
    public string? WorkingDirectory { get; init; }
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Where stdout and stderr are appended as they arrive (so a long build can be followed).</summary>
    public string? LogFile { get; init; }
    public bool ThrowOnFailure { get; init; } = true;
    public string? StandardInput { get; init; }
}

public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>A command that failed or timed out, with the tail of its output.</summary>
public sealed class ExternalCommandException(string message, string command, int? exitCode, string tail)
    : Exception(message + (tail.Length > 0 ? $"\n--- last lines of output ---\n{tail}" : "")), IExpectedFailure
{
    public string Command { get; } = command;
    public int? ExitCode { get; } = exitCode;
    public string Tail { get; } = tail;
}

/// <summary>Runs short-lived processes (npm, cmake, git, apt-get, bwrap probes) with a timeout and cancellation.</summary>
public static class ExternalCommand
{
    public static async Task<CommandResult> RunAsync(
        string executable, IEnumerable<string> arguments, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CommandOptions();
        var args = arguments.ToArray();
        var display = Display(executable, args);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        StreamWriter? log = null;
        if (options.LogFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.LogFile))!);
            log = new StreamWriter(options.LogFile, append: true) { AutoFlush = true };
            await log.WriteLineAsync($"$ {display}");
        }
        var gate = new object();
        void Append(StringBuilder sb, string line)
        {
            lock (gate)
            {
                sb.AppendLine(line);
                log?.WriteLine(line);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var command = Cli.Wrap(executable)
            .WithArguments(args)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(l => Append(stdout, l)))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(l => Append(stderr, l)));
        if (options.WorkingDirectory is not null) command = command.WithWorkingDirectory(options.WorkingDirectory);
        if (options.Environment is not null) command = command.WithEnvironmentVariables(options.Environment);
        if (options.StandardInput is not null) command = command.WithStandardInputPipe(PipeSource.FromString(options.StandardInput));

        try
        {
            var result = await command.ExecuteAsync(timeout.Token);
            var outcome = new CommandResult(display, result.ExitCode, stdout.ToString(), stderr.ToString(), result.RunTime);
            if (options.ThrowOnFailure && result.ExitCode != 0)
                throw new ExternalCommandException(
                    $"'{display}' exited with code {result.ExitCode}" + (options.LogFile is null ? "" : $" (log: {options.LogFile})"),
                    display, result.ExitCode, Tail(stdout, stderr));
            return outcome;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExternalCommandException(
                $"'{display}' did not finish within {options.Timeout.TotalSeconds:0} s and was stopped",
                display, null, Tail(stdout, stderr));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExternalCommandException($"cannot start '{executable}': {e.Message}", display, null, "");
        }
        catch (CliWrap.Exceptions.CliWrapException e)
        {
            throw new ExternalCommandException($"cannot run '{display}': {e.Message}", display, null, Tail(stdout, stderr));
        }
        finally
        {
            if (log is not null) await log.DisposeAsync();
        }
    }

    public static string Display(string executable, IEnumerable<string> args) =>
        string.Join(' ', new[] { executable }.Concat(args).Select(Quote));

    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=:,@+%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";

    private static string Tail(StringBuilder stdout, StringBuilder stderr, int lines = 40)
    {
        var all = (stdout.ToString() + stderr.ToString()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.TakeLast(lines));
    }
}
