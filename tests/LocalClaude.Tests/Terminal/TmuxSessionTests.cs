using LocalClaude.Infrastructure;
using LocalClaude.Terminal;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Terminal;

/// <summary>The real tmux: a private server that runs a program with the environment asked for, and goes away whole.</summary>
public sealed class TmuxSessionTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("lc-tmux-test-").FullName;

    [Fact]
    public async Task A_session_types_captures_logs_and_leaves_nothing_behind()
    {
        RequireTmux();
        var ct = TestContext.Current.CancellationToken;
        var tmux = await TmuxSession.StartAsync(new TmuxSessionOptions
        {
            Command = ["/bin/sh"],
            WorkingDirectory = _scratch,
            Columns = 100,
            Rows = 20,
            // One variable set, one the test process has (HOME) unset: the program sees exactly this.
            Environment = new Dictionary<string, string?> { ["LC_TMUX_TEST"] = "set by the caller", ["HOME"] = null },
            OutputLog = Path.Combine(_scratch, "pane.log"),
        }, ct);
        var socket = tmux.Socket;
        var panePid = await tmux.PanePidAsync(ct);
        try
        {
            ProcessTable.Matching(socket).Should().NotBeEmpty();
            await tmux.TypeAsync("echo \"[$LC_TMUX_TEST][${HOME-unset}][$(pwd)]\"", ct);
            await tmux.SendKeysAsync(ct, "Enter");
            var expected = $"[set by the caller][unset][{_scratch}]";
            var echoed = await tmux.WaitForTextAsync(expected, TimeSpan.FromSeconds(30), ct);
            echoed.Matched.Should().BeTrue("the pane never showed " + expected + "; screen:\n" + echoed.Screen);
            (await tmux.ExitStatusAsync(ct)).Should().BeNull();
            tmux.Output().Should().Contain(expected);

            await tmux.TypeAsync("exit 7", ct);
            await tmux.SendKeysAsync(ct, "Enter");
            var ended = await tmux.WaitForScreenAsync(_ => false, TimeSpan.FromSeconds(30), ct);
            ended.ExitStatus.Should().Be(7);
            // The pane stays after its program ended, so its last screen can still be read.
            (await tmux.CaptureAsync(ct)).Should().Contain(expected);
        }
        finally
        {
            await tmux.DisposeAsync();
        }
        ProcessTable.Matching(socket).Should().BeEmpty();
        Directory.Exists(Path.GetDirectoryName(socket)).Should().BeFalse("the socket folder was left behind");
        Directory.Exists($"/proc/{panePid}").Should().BeFalse($"the pane's program (pid {panePid}) still runs");
    }

    [Fact]
    public async Task Disposing_kills_a_program_that_still_runs_with_its_server()
    {
        RequireTmux();
        var ct = TestContext.Current.CancellationToken;
        var tmux = await TmuxSession.StartAsync(new TmuxSessionOptions { Command = ["sleep", "600"], WorkingDirectory = _scratch }, ct);
        var socket = tmux.Socket;
        var panePid = await tmux.PanePidAsync(ct);
        Directory.Exists($"/proc/{panePid}").Should().BeTrue();
        await tmux.DisposeAsync();
        ProcessTable.Matching(socket).Should().BeEmpty();
        Directory.Exists($"/proc/{panePid}").Should().BeFalse($"sleep (pid {panePid}) outlived its tmux server");
        Directory.Exists(Path.GetDirectoryName(socket)).Should().BeFalse();
    }

    [Fact]
    public async Task A_wait_ends_at_cancellation_and_when_the_program_exits()
    {
        RequireTmux();
        var ct = TestContext.Current.CancellationToken;
        await using var tmux = await TmuxSession.StartAsync(new TmuxSessionOptions { Command = ["/bin/sh", "-c", "sleep 2; exit 3"], WorkingDirectory = _scratch }, ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        await FluentActions.Awaiting(() => tmux.WaitForTextAsync("never shown", TimeSpan.FromMinutes(1), cancel.Token)).Should().ThrowAsync<OperationCanceledException>();
        // Well before the minute: the wait stops when the pane's program ends.
        var wait = await tmux.WaitForTextAsync("never shown", TimeSpan.FromMinutes(1), ct);
        wait.Matched.Should().BeFalse();
        wait.ExitStatus.Should().Be(3);
    }

    [Fact]
    public async Task It_tells_whether_the_program_reads_its_terminal_key_by_key()
    {
        RequireTmux();
        var ct = TestContext.Current.CancellationToken;
        await using var tmux = await TmuxSession.StartAsync(new TmuxSessionOptions
        {
            Command = ["/bin/sh", "-c", "echo line-mode; sleep 5; stty raw -echo; echo key-by-key; sleep 30"],
            WorkingDirectory = _scratch,
        }, ct);

        (await tmux.WaitForTextAsync("line-mode", TimeSpan.FromSeconds(30), ct)).Matched.Should().BeTrue();
        (await tmux.IsInputRawAsync(ct)).Should().BeFalse();
        (await tmux.WaitForTextAsync("key-by-key", TimeSpan.FromSeconds(30), ct)).Matched.Should().BeTrue();
        (await tmux.IsInputRawAsync(ct)).Should().BeTrue();
    }

    private static void RequireTmux() => MissingPart.Require(RunEnvironment.Which("tmux") is not null, "tmux is not installed");

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
