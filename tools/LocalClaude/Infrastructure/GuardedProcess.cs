using System.Text;
using CliWrap;

namespace LocalClaude.Infrastructure;

/// <summary>How to start a long-running child (llama-server, socat, Claude Code).</summary>
public sealed record GuardedProcessOptions
{
    public required string LogFile { get; init; }
    public string? WorkingDirectory { get; init; }
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
    /// <summary>Lines kept in memory for error messages and failure classification.</summary>
    public int TailLines { get; init; } = 200;
    /// <summary>Called for every output line (stdout and stderr), e.g. to watch for readiness.</summary>
    public Action<string>? OnLine { get; init; }
}

/// <summary>
/// A long-running child that cannot outlive us. It runs under a small bash guard whose stdin is a pipe we hold
/// open: when this process dies for any reason (even SIGKILL) the pipe closes and the guard kills the child.
/// The guard leads a session and process group of its own, so the terminal's Ctrl-C (meant for an interactive Claude
/// Code) never reaches it, and stopping can find every process it left. Stopping sends SIGINT to the guard, which
/// TERMs the child; after the grace period the whole group is killed; stop returns only once no member is alive.
/// </summary>
public sealed class GuardedProcess : IAsyncDisposable
{
    // $1.. is the command. The child gets /dev/null as stdin; the watcher reads our pipe until EOF.
    private const string GuardScript = """
        "$@" </dev/null &
        child=$!
        trap 'kill -TERM $child 2>/dev/null' INT TERM
        { while read -r _; do :; done; kill -TERM $child 2>/dev/null; sleep 5; kill -KILL $child 2>/dev/null; } <&0 &
        watcher=$!
        while :; do
          wait $child; rc=$?
          kill -0 $child 2>/dev/null || break
        done
        kill $watcher 2>/dev/null
        wait $watcher 2>/dev/null
        exit $rc
        """;

    private readonly CancellationTokenSource _graceful = new();
    private readonly CancellationTokenSource _forceful = new();
    private readonly Queue<string> _tail = new();
    private readonly object _gate = new();
    private readonly StreamWriter _log;
    private readonly Task<int> _exit;
    private readonly int _tailLines;

    private GuardedProcess(string display, string logFile, StreamWriter log, int tailLines, Func<GuardedProcess, Task<int>> start)
    {
        CommandLine = display;
        LogFile = logFile;
        _log = log;
        _tailLines = tailLines;
        _exit = start(this);
    }

    public string CommandLine { get; }
    public string LogFile { get; }
    /// <summary>PID of the guard (the child is its only child).</summary>
    public int GuardPid { get; private set; }
    public Task<int> Exited => _exit;
    public bool HasExited => _exit.IsCompleted;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public static GuardedProcess Start(string executable, IReadOnlyList<string> arguments, GuardedProcessOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.LogFile))!);
        var display = ExternalCommand.Display(executable, arguments);
        var log = new StreamWriter(new FileStream(options.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        log.WriteLine($"# {DateTimeOffset.Now:O} $ {display}");
        return new GuardedProcess(display, options.LogFile, log, options.TailLines, self =>
        {
            void OnLine(string line)
            {
                lock (self._gate)
                {
                    self._log.WriteLine(line);
                    self._tail.Enqueue(line);
                    while (self._tail.Count > self._tailLines) self._tail.Dequeue();
                }
                options.OnLine?.Invoke(line);
            }

            // Keeps the guard's stdin open until we are gone or stop it.
            var keepOpen = PipeSource.Create(async (_, ct) =>
            {
                try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
            });
            // setsid execs in place (a child of ours never leads a group), so the guard's pid is also its group id.
            var command = Cli.Wrap(RunEnvironment.Which("setsid") ?? "/usr/bin/setsid")
                .WithArguments(new[] { "/bin/bash", "-c", GuardScript, "localclaude-guard", executable }.Concat(arguments))
                .WithValidation(CommandResultValidation.None)
                .WithStandardInputPipe(keepOpen)
                .WithStandardOutputPipe(PipeTarget.ToDelegate(OnLine))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(OnLine));
            if (options.WorkingDirectory is not null) command = command.WithWorkingDirectory(options.WorkingDirectory);
            if (options.Environment is not null) command = command.WithEnvironmentVariables(options.Environment);
            var task = command.ExecuteAsync(self._forceful.Token, self._graceful.Token);
            self.GuardPid = task.ProcessId;
            return Wait(task);
        });
    }

    private static async Task<int> Wait(CommandTask<CliWrap.CommandResult> task)
    {
        try { return (await task).ExitCode; }
        catch (OperationCanceledException) { return -1; }
    }

    /// <summary>The last lines the process printed.</summary>
    public string Tail(int lines = 30)
    {
        lock (_gate) return string.Join('\n', _tail.TakeLast(lines));
    }

    public IReadOnlyList<string> TailLines()
    {
        lock (_gate) return _tail.ToArray();
    }

    /// <summary>
    /// Asks the child to stop (SIGTERM through the guard), then kills the whole process group after
    /// <paramref name="grace"/>. Returns only when no process of the group is alive: the guard, the child and anything
    /// they left behind (an orphan would otherwise keep the output pipes, and the caller's wait, open).
    /// </summary>
    /// <exception cref="InvalidOperationException">Processes of the group survived SIGKILL (named by pid).</exception>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_exit.IsCompleted)
        {
            _graceful.Cancel();
            if (await Task.WhenAny(_exit, Task.Delay(grace)) != _exit)
            {
                await KillGroupAsync();
                _forceful.Cancel();
            }
        }
        if (await Task.WhenAny(_exit, Task.Delay(ExitWait)) != _exit)
        {
            // The guard is gone but its output pipes are still held: by a member of its group, which dies now.
            await KillGroupAsync();
            if (await Task.WhenAny(_exit, Task.Delay(ExitWait)) != _exit)
                throw new InvalidOperationException($"'{CommandLine}' (guard pid {GuardPid}) did not end within {2 * ExitWait.TotalSeconds:0} s of being killed");
        }
        await KillGroupAsync();
        return await _exit;
    }

    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);

    private async Task KillGroupAsync()
    {
        if (GuardPid <= 1) return;
        var left = await new ProcessGroup(GuardPid).KillAsync(ExitWait);
        if (left.Count > 0)
            throw new InvalidOperationException($"processes of '{CommandLine}' survived SIGKILL: {string.Join(", ", left)}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        lock (_gate) _log.Dispose();
        _graceful.Dispose();
        _forceful.Dispose();
    }
}
