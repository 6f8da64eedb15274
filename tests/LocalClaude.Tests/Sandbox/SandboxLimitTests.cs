using System.Globalization;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// Two sandboxes of their own: one with small resource limits under a sandbox uid no other test uses (RLIMIT_NPROC
/// counts every task of that uid), and one interactive sandbox that shares a real terminal (a tmux pane), as
/// <c>launch local</c> does.
/// </summary>
public sealed class SandboxLimitFixture : IAsyncLifetime
{
    public static readonly SandboxLimits SmallLimits = new()
    {
        // The sandbox-wide bound above one process's (the memory hog must meet RLIMIT_DATA first), below three of 120 MiB.
        MaxProcesses = 64,
        MaxMemoryBytes = 256L * 1024 * 1024,
        MaxSandboxMemoryBytes = 320L * 1024 * 1024,
        MaxFileBytes = 16L * 1024 * 1024,
        MaxCpuSeconds = 2,
    };

    private readonly TempDirectory _root = new("localclaude-sbx-limits");
    private SandboxProbe? _probe;

    public SandboxSession? Limited { get; private set; }
    public SandboxSession? Interactive { get; private set; }
    public string LimitedWork => _root.Combine("limited-work");
    public string InteractiveWork => _root.Combine("interactive-work");
    public string Scratch => _root.Combine("scratch");

    public async ValueTask InitializeAsync()
    {
        _probe = await SandboxTestEnvironment.ProbeAsync();
        if (!_probe.CanRun(withNetwork: false)) return;
        foreach (var dir in new[] { LimitedWork, InteractiveWork, Scratch, _root.Combine("limited-home"), _root.Combine("interactive-home") })
            Directory.CreateDirectory(dir);
        File.SetUnixFileMode(_root.Path, (UnixFileMode)0b111_101_101);

        var limits = SmallLimits;
        // A non-root caller's sandbox runs as the caller's uid, whose other processes count too.
        if (!_probe.CallerIsRoot) limits = limits with { MaxProcesses = limits.MaxProcesses + TasksOf(_probe.SandboxUid) };
        var otherUid = BwrapSandboxOptions.DefaultSandboxId + 1;
        Limited = await new BwrapSandbox(new BwrapSandboxOptions { SandboxUid = otherUid, SandboxGid = otherUid })
            .StartAsync(new SandboxSpec { WorkDirectory = LimitedWork, HomeDirectory = _root.Combine("limited-home"), Limits = limits });
        Interactive = await new BwrapSandbox()
            .StartAsync(new SandboxSpec { WorkDirectory = InteractiveWork, HomeDirectory = _root.Combine("interactive-home"), Interactive = true });
    }

    public void Require() => SandboxTestEnvironment.Require(_probe ?? throw new InvalidOperationException("fixture not initialised"), withNetwork: false);

    internal SandboxProbe Probe => _probe!;

    private static int TasksOf(int uid)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                if (status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1] != uid.ToString(CultureInfo.InvariantCulture)) continue;
                count += int.Parse(status.First(l => l.StartsWith("Threads:", StringComparison.Ordinal)).Split('\t')[1], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException) { }
        }
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        if (Limited is not null) await Limited.DisposeAsync();
        if (Interactive is not null) await Interactive.DisposeAsync();
        _root.Dispose();
    }
}

/// <summary>Resource limits, the shared terminal and the process group, each attack with its allowed neighbour.</summary>
public sealed class SandboxLimitTests(SandboxLimitFixture fixture, ITestOutputHelper output) : IClassFixture<SandboxLimitFixture>
{
    private const string P = SandboxSpec.DefaultWorkInside + "/" + SyscallProbe.FileName;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private async Task<CommandResult> RunLimitedAsync(string command, params string[] arguments)
    {
        fixture.Require();
        await SyscallProbe.InstallAsync(fixture.LimitedWork);
        var result = await fixture.Limited!.RunAsync(command, arguments, Timeout, TestContext.Current.CancellationToken);
        output.WriteLine($"$ {command} {string.Join(' ', arguments)}\nexit {result.ExitCode}\n{result.StandardOutput}{result.StandardError}");
        return result;
    }

    /// <summary>The host still starts a process at once (a fork bomb or memory hog inside left it usable).</summary>
    private static async Task AssertHostResponsiveAsync()
    {
        var result = await ExternalCommand.RunAsync("/bin/sh", ["-c", "echo responsive"],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(10) }, TestContext.Current.CancellationToken);
        result.StandardOutput.Trim().Should().Be("responsive");
    }

    [Fact]
    public async Task Fork_bomb_stops_at_the_process_limit_and_is_classified()
    {
        var bomb = await RunLimitedAsync(P, "fork", "5000");
        bomb.ExitCode.Should().Be(1);
        var forked = int.Parse(bomb.StandardOutput.Split("FORKED ")[1].Trim(), CultureInfo.InvariantCulture);
        forked.Should().BeInRange(1, SandboxLimitFixture.SmallLimits.MaxProcesses);
        bomb.StandardError.Should().Contain("fork: Resource temporarily unavailable");
        SandboxLimits.Classify(bomb.ExitCode, bomb.StandardError).Should().Be(SandboxLimit.Processes);

        // The classic shell bomb, for 2 s: it cannot grow past the limit, and the sandbox ends with its main process.
        var shell = await RunLimitedAsync("/bin/sh", "-c", "f() { f | f & }; f; sleep 2; exit 3");
        shell.ExitCode.Should().Be(3);
        SandboxLimits.Classify(shell.ExitCode, shell.StandardError).Should().Be(SandboxLimit.Processes);
        await AssertHostResponsiveAsync();

        var few = await RunLimitedAsync(P, "fork", "20");
        few.ExitCode.Should().Be(0);
        few.StandardOutput.Should().Contain("FORKED 20");
        SandboxLimits.Classify(few.ExitCode, few.StandardError).Should().Be(SandboxLimit.None);
    }

    [Fact]
    public async Task Memory_hog_stops_at_the_memory_limit_and_is_classified()
    {
        var hog = await RunLimitedAsync(P, "alloc", "4096");
        hog.ExitCode.Should().Be(1);
        var allocated = int.Parse(hog.StandardOutput.Split("ALLOCATED ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        allocated.Should().BeInRange(1, 256);
        hog.StandardError.Should().Contain("Cannot allocate memory");
        SandboxLimits.Classify(hog.ExitCode, hog.StandardError).Should().Be(SandboxLimit.Memory);
        await AssertHostResponsiveAsync();

        var modest = await RunLimitedAsync(P, "alloc", "96");
        modest.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task Memory_spread_over_processes_stops_at_the_sandbox_wide_bound_and_is_classified()
    {
        fixture.Require();
        var session = fixture.Limited!;
        MissingPart.Require(session.CgroupPath is not null, "no writable memory cgroup (v2 delegated or v1 as root) for the sandbox-wide bound");
        var version = session.CgroupPath!.StartsWith("/sys/fs/cgroup/memory/", StringComparison.Ordinal) ? "v1" : "v2";
        session.Spec.Limits.Describe().Should().Contain($"memory: 320 MiB for the whole sandbox (cgroup {version})");
        var killsBefore = session.SandboxOomKills();

        // Three processes of 120 MiB each, every page touched and held for 5 s: each is under its own limit (256 MiB), all together are not.
        var spread = await RunLimitedAsync("/bin/sh", "-c",
            $"for i in 1 2 3; do {P} alloc 120 5 & pids=\"$pids $!\"; done; s=0; for p in $pids; do wait $p; r=$?; echo EXIT=$r; [ $r = 0 ] || s=$r; done; exit $s");
        // Exit 0 only after holding all 120 MiB for the 5 s (one may print ALLOCATED and be the one the OOM killer picks).
        (spread.StandardOutput.Split("EXIT=0").Length - 1).Should().BeInRange(0, 2);
        spread.StandardOutput.Should().Contain("EXIT=137"); // the cgroup's OOM killer: SIGKILL
        spread.ExitCode.Should().Be(137);
        var kills = session.SandboxOomKills() - killsBefore;
        (kills > 0).Should().BeTrue("the session's cgroup counted no OOM kill");
        SandboxLimits.Classify(spread.ExitCode, spread.StandardError, kills).Should().Be(SandboxLimit.SandboxMemory);
        await AssertHostResponsiveAsync();

        var one = await RunLimitedAsync(P, "alloc", "96", "1"); // 8 MiB steps
        one.ExitCode.Should().Be(0);
        one.StandardOutput.Should().Contain("ALLOCATED 96 MiB");
    }

    [Fact]
    public async Task Session_cgroup_is_removed_on_dispose_and_stale_ones_are_swept()
    {
        fixture.Require();
        MissingPart.Require(fixture.Limited!.CgroupPath is not null, "no writable memory cgroup (v2 delegated or v1 as root) for the sandbox-wide bound");
        // A crashed run's leftover: empty, named like a session's.
        var stale = Path.Combine(Path.GetDirectoryName(fixture.Limited.CgroupPath)!, "localclaude-stale" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(stale);
        var dir = Path.Combine(fixture.Scratch, "cgroup-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "work"));
        Directory.CreateDirectory(Path.Combine(dir, "home"));
        string cgroup;
        await using (var session = await new BwrapSandbox().StartAsync(new SandboxSpec { WorkDirectory = Path.Combine(dir, "work"), HomeDirectory = Path.Combine(dir, "home") }, TestContext.Current.CancellationToken))
        {
            Directory.Exists(stale).Should().BeFalse("a stale empty cgroup was left in place");
            cgroup = session.CgroupPath!;
            Path.GetFileName(cgroup).Should().StartWith("localclaude-" + session.Id);
            Directory.Exists(cgroup).Should().BeTrue("the session's cgroup was not created");
            // A running command's processes are members of the session's cgroup (the launcher joined it before exec'ing bwrap).
            var members = session.RunShellAsync("sleep 2", Timeout, TestContext.Current.CancellationToken);
            string procs = "";
            for (var i = 0; i < 50 && procs.Trim().Length == 0; i++)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
                procs = await File.ReadAllTextAsync(Path.Combine(cgroup, "cgroup.procs"), TestContext.Current.CancellationToken);
            }
            procs.Trim().Should().NotBeEmpty();
            (await members).ExitCode.Should().Be(0);
        }
        Directory.Exists(cgroup).Should().BeFalse($"{cgroup} is left after dispose");
    }

    [Fact]
    public async Task Huge_file_stops_at_the_file_size_limit_and_is_classified()
    {
        var huge = await RunLimitedAsync("/usr/bin/dd", "if=/dev/zero", "of=huge.bin", "bs=1M", "count=200");
        huge.ExitCode.Should().Be(128 + 25); // SIGXFSZ
        SandboxLimits.Classify(huge.ExitCode, huge.StandardError).Should().Be(SandboxLimit.FileSize);
        new FileInfo(Path.Combine(fixture.LimitedWork, "huge.bin")).Length.Should().Be(SandboxLimitFixture.SmallLimits.MaxFileBytes);

        var small = await RunLimitedAsync("/usr/bin/dd", "if=/dev/zero", "of=small.bin", "bs=1M", "count=8");
        small.ExitCode.Should().Be(0);
        new FileInfo(Path.Combine(fixture.LimitedWork, "small.bin")).Length.Should().Be(8L * 1024 * 1024);
    }

    [Fact]
    public async Task Cpu_spin_stops_at_the_cpu_limit_and_is_classified()
    {
        var spin = await RunLimitedAsync(P, "spin", "0");
        spin.ExitCode.Should().Be(128 + 24); // SIGXCPU
        SandboxLimits.Classify(spin.ExitCode, spin.StandardError).Should().Be(SandboxLimit.CpuTime);

        var brief = await RunLimitedAsync(P, "spin", "10000000");
        brief.ExitCode.Should().Be(0);
        brief.StandardOutput.Should().Contain("SPUN");
    }

    [Fact]
    public async Task Limits_cannot_be_raised_inside()
    {
        var result = await RunLimitedAsync("/bin/bash", "-c",
            "ulimit -S -u 1000 || echo RAISE-SOFT-FAILED; ulimit -H -d unlimited || echo RAISE-HARD-FAILED; ulimit -S -f 1000; echo FSIZE=$(ulimit -S -f)");
        result.StandardOutput.Should().Contain("RAISE-SOFT-FAILED");
        result.StandardOutput.Should().Contain("RAISE-HARD-FAILED");
        result.StandardOutput.Should().Contain("FSIZE=1000"); // lowering is fine
    }

    [Fact]
    public async Task Tiocsti_into_the_shared_terminal_injects_nothing()
    {
        fixture.Require();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SyscallProbe.InstallAsync(fixture.InteractiveWork);
        var script = $"""
            {P} tiocsti - INJ0-{tag}
            {P} tiocsti /dev/tty INJ1-{tag}
            {P} tiocsti - INJ2-{tag} 0x1
            {P} tiocsti /dev/tty INJ3-{tag} 0xffffffff
            {P} tioclinux -
            {P} tcgets
            {P} winsize
            grep Seccomp: /proc/self/status
            """;
        var pane = await RunInTerminalAsync(fixture.Interactive!.BuildShellCommand("/bin/sh", ["-c", script]), "");
        (pane.Sandbox.Split("ERR EPERM tiocsti").Length - 1).Should().Be(4);
        pane.Sandbox.Should().Contain("ERR EPERM tioclinux");
        pane.Sandbox.Should().Contain("OK tcgets");
        pane.Sandbox.Should().Contain("SIZE 120x30");
        pane.Sandbox.Should().Contain("launcher exit 0");
        pane.After.Should().Be("AFTER:[]");

        // The same push from the host side of the same kind of terminal is read by the shell: the check above can see an injection.
        var probe = await SyscallProbe.RequireAsync();
        var control = await RunInTerminalAsync($"{probe} tiocsti - CONTROL-{tag}", "");
        control.After.Should().Be($"AFTER:[CONTROL-{tag}]");
    }

    [Fact]
    public async Task Kill_0_inside_does_not_reach_the_launchers_process_group()
    {
        fixture.Require();
        await SyscallProbe.InstallAsync(fixture.InteractiveWork);
        var probe = fixture.Probe;
        // A process of the sandbox's own uid in the launcher's process group: the one kill(0) could reach by permissions.
        var victim = probe.CallerIsRoot
            ? $"{probe.Tools.Setpriv} --reuid={probe.SandboxUid} --regid={probe.SandboxGid} --clear-groups sleep 60 &"
            : "sleep 60 &";
        var sandbox = fixture.Interactive!.BuildShellCommand("/bin/sh", ["-c", $"echo INSIDE-PGID=$(ps -o pgid= $$ 2>/dev/null || cut -d' ' -f5 /proc/self/stat); {P} kill 0 9; {P} kill -1 9; echo STILL-HERE"]);
        var pane = await RunInTerminalAsync(sandbox, $"{victim}\nvictim=$!\n",
            "kill -0 $victim && echo VICTIM-ALIVE >> \"$dir/sandbox.out\"; kill $victim\n");
        pane.Sandbox.Should().NotContain("STILL-HERE"); // kill(0) did reach the sandbox itself
        pane.Sandbox.Should().Contain("VICTIM-ALIVE");
        pane.Sandbox.Should().Contain("launcher exit 137");
    }

    [Fact]
    public async Task Interactive_sandbox_dies_with_its_launcher()
    {
        fixture.Require();
        var session = fixture.Interactive!;
        var tmux = RequireTmux();
        var dir = NewPaneDirectory();
        var outer = Path.Combine(dir, "outer.sh");
        // The launcher's parent is a subshell that gets SIGKILLed; the pane's shell (and so the terminal) stays, waiting in a builtin.
        await File.WriteAllTextAsync(outer, $"( echo $BASHPID > '{dir}/launcher.pid'; {session.BuildShellCommand("/bin/sleep", ["60"])}; true )\nread -r -t 60 _\n",
            TestContext.Current.CancellationToken);
        var socket = Path.Combine(dir, "tmux.sock");
        await StartPaneAsync(tmux, socket, outer);
        try
        {
            var pidFile = Path.Combine(dir, "launcher.pid");
            // Killed once bwrap runs: the parent-death signal is set by then. Its argv is shared by env, unshare and
            // setpriv before they exec, and a kill in those first milliseconds left the sandbox running (a residual).
            for (var i = 0; i < 100 && (!File.Exists(pidFile) || !session.FindProcesses().Any(IsBwrap)); i++)
                await Task.Delay(200, TestContext.Current.CancellationToken);
            session.FindProcesses().Should().Contain(pid => IsBwrap(pid));
            var launcher = int.Parse((await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken)).Trim(), CultureInfo.InvariantCulture);
            System.Diagnostics.Process.GetProcessById(launcher).Kill();
            for (var i = 0; i < 50 && session.FindProcesses().Count > 0; i++)
                await Task.Delay(200, TestContext.Current.CancellationToken);
            var left = session.FindProcesses().Select(pid => $"{pid}: {Describe(pid)}").ToArray();
            (left.Length == 0).Should().BeTrue("still running after the launcher's parent died:\n" + string.Join('\n', left));
        }
        finally { await StopPaneAsync(tmux, socket); }
    }

    private static bool IsBwrap(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim() == "bwrap"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static string Describe(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[..Math.Min(stat.Length, 80)] + " " + File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')[..60];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException) { return "(gone)"; }
    }

    private sealed record PaneResult(string Sandbox, string After);

    private static string RequireTmux()
    {
        var tmux = ToolLocator.Find("tmux", ToolLocator.DefaultSearchPath);
        MissingPart.Require(tmux is not null, "tmux is needed for a real terminal");
        return tmux!;
    }

    private string NewPaneDirectory()
    {
        var dir = Path.Combine(fixture.Scratch, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static Task StartPaneAsync(string tmux, string socket, string script) =>
        ExternalCommand.RunAsync(tmux, ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "30", $"/bin/bash --noprofile --norc {script}"],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(20) }, TestContext.Current.CancellationToken);

    private static Task StopPaneAsync(string tmux, string socket) =>
        ExternalCommand.RunAsync(tmux, ["-S", socket, "kill-server"], new CommandOptions { Timeout = TimeSpan.FromSeconds(20), ThrowOnFailure = false }, CancellationToken.None);

    /// <summary>
    /// Runs <paramref name="command"/> in a fresh tmux pane (a real pty, the command's controlling terminal), then has
    /// the pane's shell read one line from the terminal for 3 s, as the user's shell would after a launch.
    /// </summary>
    private async Task<PaneResult> RunInTerminalAsync(string command, string before, string after = "")
    {
        var tmux = RequireTmux();
        var dir = NewPaneDirectory();
        var outer = Path.Combine(dir, "outer.sh");
        await File.WriteAllTextAsync(outer, $"""
            dir='{dir}'
            {before}
            {command} > "$dir/sandbox.out" 2>&1
            echo "launcher exit $?" >> "$dir/sandbox.out"
            {after}
            IFS= read -r -t 3 line
            echo "AFTER:[$line]" > "$dir/after.tmp" && mv "$dir/after.tmp" "$dir/after.txt"

            """, TestContext.Current.CancellationToken);
        var socket = Path.Combine(dir, "tmux.sock");
        await StartPaneAsync(tmux, socket, outer);
        try
        {
            var done = Path.Combine(dir, "after.txt");
            for (var waited = TimeSpan.Zero; !File.Exists(done) && waited < Timeout; waited += TimeSpan.FromMilliseconds(200))
                await Task.Delay(200, TestContext.Current.CancellationToken);
            var sandbox = File.Exists(Path.Combine(dir, "sandbox.out")) ? await File.ReadAllTextAsync(Path.Combine(dir, "sandbox.out"), TestContext.Current.CancellationToken) : "";
            output.WriteLine(sandbox);
            File.Exists(done).Should().BeTrue("the pane's shell never finished");
            var text = (await File.ReadAllTextAsync(done, TestContext.Current.CancellationToken)).Trim();
            output.WriteLine(text);
            return new PaneResult(sandbox, text);
        }
        finally { await StopPaneAsync(tmux, socket); }
    }
}
