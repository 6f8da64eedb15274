using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using LocalClaude.Infrastructure;

namespace LocalClaude.Launcher;

/// <summary>A program to run attached to this process's terminal; a null value in <see cref="EnvironmentChanges"/> removes that variable.</summary>
public sealed record TerminalCommand(
    string Executable,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?> EnvironmentChanges)
{
    /// <summary>
    /// Runs the command with this terminal as its stdin/stdout/stderr and returns its exit code. While it runs,
    /// Ctrl-C and Ctrl-\ belong to it (the terminal signals it directly; we ignore them and stay to clean up);
    /// SIGTERM, SIGHUP or <paramref name="cancellationToken"/> stop it (TERM, then KILL after 5 s) so cleanup still runs.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, WorkingDirectory = WorkingDirectory };
        foreach (var argument in Arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in EnvironmentChanges)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        Process? child = null;
        var stopping = 0;
        void Stop()
        {
            if (child is not null && Interlocked.Exchange(ref stopping, 1) == 0) _ = StopAsync(child);
        }
        // Registered before the child exists, so no signal falls between start and registration.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(); });
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Stop(); });
        var (process, exited) = await StartOnOwnThreadAsync(start);
        child = process;
        using (child)
        using (cancellationToken.Register(Stop))
        {
            return await exited;
        }
    }

    /// <summary>
    /// Starts the child from a thread that lives until the child exits. The sandbox's bwrap uses --die-with-parent
    /// (PR_SET_PDEATHSIG), which fires when the forking *thread* ends: forked from a thread-pool thread, the child was
    /// SIGKILLed (exit 137) some 20 s later, when the pool retired that thread.
    /// </summary>
    private static async Task<(Process Child, Task<int> Exited)> StartOnOwnThreadAsync(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var parent = new Thread(() =>
        {
            Process child;
            try { child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}"); }
            catch (Exception e)
            {
                started.SetException(e);
                return;
            }
            started.SetResult(child);
            child.WaitForExit();
            exited.SetResult(child.ExitCode);
        })
        { IsBackground = true, Name = "launch: parent of " + Path.GetFileName(start.FileName) };
        parent.Start();
        return (await started.Task, exited.Task);
    }

    private static async Task StopAsync(Process child)
    {
        try
        {
            await ExternalCommand.RunAsync("kill", ["-TERM", child.Id.ToString(CultureInfo.InvariantCulture)],
                new CommandOptions { Timeout = TimeSpan.FromSeconds(5), ThrowOnFailure = false });
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await child.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { child.Kill(entireProcessTree: true); }
        }
        catch (InvalidOperationException) { } // already gone
    }
}
