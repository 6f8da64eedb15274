using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Infrastructure;

/// <summary>
/// Stopping a guarded child returns only when nothing it started is alive: the launcher prints "stopped." after this
/// returns, so an orphan that survives it would make that line a lie (and keep the output pipes, and a wait, open).
/// </summary>
public sealed class GuardedProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stop_leaves_no_orphan_even_one_that_ignores_TERM_and_holds_the_output_pipe()
    {
        using var dir = new TempDirectory();
        var marker = "guarded-orphan-" + Guid.NewGuid().ToString("N")[..8];
        // The child double-forks a grandchild that ignores TERM and keeps stdout, then waits like a server would.
        var process = GuardedProcess.Start("/bin/bash",
            ["-c", $"(trap '' TERM INT; exec -a {marker} sleep 300) & echo ready; exec sleep 300"],
            new GuardedProcessOptions { LogFile = dir.Combine("child.log") });
        await WaitForAsync(() => process.Tail().Contains("ready", StringComparison.Ordinal) && Alive(marker).Count > 0);
        var clock = Stopwatch.StartNew();
        await process.StopAsync(TimeSpan.FromSeconds(1));
        (clock.Elapsed < TimeSpan.FromSeconds(15)).Should().BeTrue($"stop took {clock.Elapsed.TotalSeconds:0.0} s");
        Alive(marker).Should().BeEmpty();
        new ProcessGroup(process.GuardPid).Members().Should().BeEmpty();
        await process.DisposeAsync();
    }

    [Fact]
    public async Task The_guard_leads_its_own_group_so_the_callers_group_signals_do_not_reach_the_child()
    {
        using var dir = new TempDirectory();
        await using var process = GuardedProcess.Start("/bin/bash", ["-c", "echo ready; exec sleep 300"],
            new GuardedProcessOptions { LogFile = dir.Combine("child.log") });
        await WaitForAsync(() => process.Tail().Contains("ready", StringComparison.Ordinal));
        var guard = ProcessTable.Snapshot().Single(p => p.Pid == process.GuardPid);
        var self = ProcessTable.Snapshot().Single(p => p.Pid == Environment.ProcessId);
        guard.GroupId.Should().Be(process.GuardPid);
        guard.GroupId.Should().NotBe(self.GroupId);
        process.HasExited.Should().BeFalse();
    }

    private static IReadOnlyList<int> Alive(string marker) =>
        ProcessTable.Snapshot().Where(p => !p.Zombie && p.CommandLine.StartsWith(marker, StringComparison.Ordinal)).Select(p => p.Pid).ToArray();

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(50, Ct);
        condition().Should().BeTrue("the child did not get ready in 10 s");
    }
}
