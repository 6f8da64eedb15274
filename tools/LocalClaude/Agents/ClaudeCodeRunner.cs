using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;

namespace LocalClaude.Agents;

/// <summary>
/// Runs the pinned Claude Code binary inside a <see cref="BwrapSandbox"/>: the work dir and its own HOME are the
/// only writable folders, the backend's port is the only reachable address, the environment is the local-backend
/// one and nothing else, stdin is /dev/null. Headless runs end at the invocation's timeout at the latest.
/// </summary>
public sealed class ClaudeCodeRunner
{
    /// <summary>Where the folder holding the binary appears inside the sandbox (read-only).</summary>
    public const string BinaryFolderInside = "/opt/claude-code";

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly BwrapSandbox _sandbox;
    private readonly string _binary;

    /// <param name="claudeBinary">The native Claude Code executable (symlinks resolved), e.g. from <c>ClaudeCodeInstall.Find</c>.</param>
    public ClaudeCodeRunner(BwrapSandbox sandbox, string claudeBinary)
    {
        if (!File.Exists(claudeBinary)) throw new FileNotFoundException($"Claude Code binary not found: {claudeBinary}", claudeBinary);
        _sandbox = sandbox;
        _binary = Path.GetFullPath(claudeBinary);
    }

    /// <summary>The sandbox every run (and the task checkers after it) uses.</summary>
    public BwrapSandbox Sandbox => _sandbox;

    /// <summary>The binary as the sandbox sees it.</summary>
    public string BinaryInside => $"{BinaryFolderInside}/{Path.GetFileName(_binary)}";

    /// <summary>The sandbox a run of <paramref name="invocation"/> uses (exposed so the tmux mode and tests build the same one).</summary>
    public SandboxSpec SpecFor(ClaudeCodeInvocation invocation, bool interactive = false) => new()
    {
        WorkDirectory = invocation.WorkDirectory,
        HomeDirectory = invocation.HomeDirectory,
        ReadOnlyBinds = [new ReadOnlyBind(Path.GetDirectoryName(_binary)!, BinaryFolderInside)],
        ModelServerPort = invocation.Backend.Port,
        Environment = invocation.Environment(),
        Interactive = interactive,
    };

    /// <summary>A fresh sandbox for <paramref name="invocation"/>; the caller runs Claude Code in it and disposes it.</summary>
    public Task<SandboxSession> StartSandboxAsync(ClaudeCodeInvocation invocation, bool interactive, CancellationToken cancellationToken) =>
        _sandbox.StartAsync(SpecFor(invocation, interactive), cancellationToken);

    /// <summary>
    /// <c>claude -p INSTRUCTION --output-format stream-json --verbose …</c> in a fresh sandbox. The transcript is
    /// written line by line as it arrives, so a run killed at its timeout keeps what it did. Never throws for
    /// Claude Code's own failures (they are in the result); throws when the sandbox cannot be built.
    /// </summary>
    public async Task<ClaudeCodeRunResult> RunHeadlessAsync(
        ClaudeCodeInvocation invocation, CancellationToken cancellationToken, Action<string>? onLine = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(invocation.TranscriptPath))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(invocation.LogPath))!);
        var transcript = new StreamJsonTranscript();
        var clock = Stopwatch.StartNew();
        await using var session = await StartSandboxAsync(invocation, interactive: false, cancellationToken);
        var argv = session.BuildCommandLine(BinaryInside, invocation.HeadlessArguments());

        await using var transcriptFile = new StreamWriter(invocation.TranscriptPath, append: false) { AutoFlush = true };
        var gate = new object();
        void OnStdout(string line)
        {
            lock (gate)
            {
                transcriptFile.WriteLine(line);
                transcript.Add(line);
            }
            onLine?.Invoke(line);
        }

        // stderr goes straight into the log (appended beside the guard's copy of stdout), so the transcript stays pure JSON lines.
        var process = GuardedProcess.Start("/bin/sh", ["-c", "exec \"$@\" 2>>\"$0\"", invocation.LogPath, .. argv],
            new GuardedProcessOptions { LogFile = invocation.LogPath, OnLine = OnStdout, TailLines = 50 });
        int? exitCode;
        var timedOut = false;
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var finished = await Task.WhenAny(process.Exited, Task.Delay(invocation.Timeout, stopWaiting.Token));
            if (finished == process.Exited)
            {
                exitCode = await process.Exited;
            }
            else
            {
                cancellationToken.ThrowIfCancellationRequested();
                timedOut = true;
                await process.StopAsync(StopGrace);
                exitCode = null;
            }
        }
        finally
        {
            await stopWaiting.CancelAsync();
            await process.DisposeAsync();
        }
        clock.Stop();
        lock (gate)
            return new ClaudeCodeRunResult(transcript, exitCode, timedOut, clock.Elapsed,
                Path.GetFullPath(invocation.TranscriptPath), Path.GetFullPath(invocation.LogPath), DiagnosticTail(invocation.LogPath));
    }

    /// <summary>The log's last lines that are not stream-json events: the command line, Claude Code's stderr, bwrap's complaints.</summary>
    internal static string DiagnosticTail(string logPath, int lines = 20)
    {
        if (!File.Exists(logPath)) return "";
        using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var tail = new Queue<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('{') || line.Length == 0) continue;
            tail.Enqueue(line.Length > 500 ? line[..500] + "…" : line);
            if (tail.Count > lines) tail.Dequeue();
        }
        return string.Join('\n', tail);
    }
}
