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
        MaxProcesses = 64, MaxMemoryBytes = 256L * 1024 * 1024, MaxSandboxMemoryBytes = 320L * 1024 * 1024,
        MaxFileBytes = 16L * 1024 * 1024, MaxCpuSeconds = 2,
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
        Assert.Equal("responsive", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Fork_bomb_stops_at_the_process_limit_and_is_classified()
    {
        var bomb = await RunLimitedAsync(P, "fork", "5000");
        Assert.Equal(1, bomb.ExitCode);
        var forked = int.Parse(bomb.StandardOutput.Split("FORKED ")[1].Trim(), CultureInfo.InvariantCulture);
        Assert.InRange(forked, 1, SandboxLimitFixture.SmallLimits.MaxProcesses);
        Assert.Contains("fork: Resource temporarily unavailable", bomb.StandardError);
        Assert.Equal(SandboxLimit.Processes, SandboxLimits.Classify(bomb.ExitCode, bomb.StandardError));

        // The classic shell bomb, for 2 s: it cannot grow past the limit, and the sandbox ends with its main process.
        var shell = await RunLimitedAsync("/bin/sh", "-c", "f() { f | f & }; f; sleep 2; exit 3");
        Assert.Equal(3, shell.ExitCode);
        Assert.Equal(SandboxLimit.Processes, SandboxLimits.Classify(shell.ExitCode, shell.StandardError));
        await AssertHostResponsiveAsync();

        var few = await RunLimitedAsync(P, "fork", "20");
        Assert.Equal(0, few.ExitCode);
        Assert.Contains("FORKED 20", few.StandardOutput);
        Assert.Equal(SandboxLimit.None, SandboxLimits.Classify(few.ExitCode, few.StandardError));
    }

    [Fact]
    public async Task Memory_hog_stops_at_the_memory_limit_and_is_classified()
    {
        var hog = await RunLimitedAsync(P, "alloc", "4096");
        Assert.Equal(1, hog.ExitCode);
        var allocated = int.Parse(hog.StandardOutput.Split("ALLOCATED ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.InRange(allocated, 1, 256);
        Assert.Contains("Cannot allocate memory", hog.StandardError);
        Assert.Equal(SandboxLimit.Memory, SandboxLimits.Classify(hog.ExitCode, hog.StandardError));
        await AssertHostResponsiveAsync();

        var modest = await RunLimitedAsync(P, "alloc", "96");
        Assert.Equal(0, modest.ExitCode);
    }

    [Fact]
    public async Task Memory_spread_over_processes_stops_at_the_sandbox_wide_bound_and_is_classified()
    {
        fixture.Require();
        var session = fixture.Limited!;
        MissingPart.Require(session.CgroupPath is not null, "no writable memory cgroup (v2 delegated or v1 as root) for the sandbox-wide bound");
        var version = session.CgroupPath!.StartsWith("/sys/fs/cgroup/memory/", StringComparison.Ordinal) ? "v1" : "v2";
        Assert.Contains($"memory: 320 MiB for the whole sandbox (cgroup {version})", session.Spec.Limits.Describe());
        var killsBefore = session.SandboxOomKills();

        // Three processes of 120 MiB each, every page touched and held for 5 s: each is under its own limit (256 MiB), all together are not.
        var spread = await RunLimitedAsync("/bin/sh", "-c",
            $"for i in 1 2 3; do {P} alloc 120 5 & pids=\"$pids $!\"; done; s=0; for p in $pids; do wait $p; r=$?; echo EXIT=$r; [ $r = 0 ] || s=$r; done; exit $s");
        // Exit 0 only after holding all 120 MiB for the 5 s (one may print ALLOCATED and be the one the OOM killer picks).
        Assert.InRange(spread.StandardOutput.Split("EXIT=0").Length - 1, 0, 2);
        Assert.Contains("EXIT=137", spread.StandardOutput); // the cgroup's OOM killer: SIGKILL
        Assert.Equal(137, spread.ExitCode);
        var kills = session.SandboxOomKills() - killsBefore;
        Assert.True(kills > 0, "the session's cgroup counted no OOM kill");
        Assert.Equal(SandboxLimit.SandboxMemory, SandboxLimits.Classify(spread.ExitCode, spread.StandardError, kills));
        await AssertHostResponsiveAsync();

        var one = await RunLimitedAsync(P, "alloc", "96", "1"); // 8 MiB steps
        Assert.Equal(0, one.ExitCode);
        Assert.Contains("ALLOCATED 96 MiB", one.StandardOutput);
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
            Assert.False(Directory.Exists(stale), "a stale empty cgroup was left in place");
            cgroup = session.CgroupPath!;
            Assert.StartsWith("localclaude-" + session.Id, Path.GetFileName(cgroup));
            Assert.True(Directory.Exists(cgroup), "the session's cgroup was not created");
            // A running command's processes are members of the session's cgroup (the launcher joined it before exec'ing bwrap).
            var members = session.RunShellAsync("sleep 2", Timeout, TestContext.Current.CancellationToken);
            string procs = "";
            for (var i = 0; i < 50 && procs.Trim().Length == 0; i++)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
                procs = await File.ReadAllTextAsync(Path.Combine(cgroup, "cgroup.procs"), TestContext.Current.CancellationToken);
            }
            Assert.NotEmpty(procs.Trim());
            Assert.Equal(0, (await members).ExitCode);
        }
        Assert.False(Directory.Exists(cgroup), $"{cgroup} is left after dispose");
    }

    [Fact]
    public async Task Huge_file_stops_at_the_file_size_limit_and_is_classified()
    {
        var huge = await RunLimitedAsync("/usr/bin/dd", "if=/dev/zero", "of=huge.bin", "bs=1M", "count=200");
        Assert.Equal(128 + 25, huge.ExitCode); // SIGXFSZ
        Assert.Equal(SandboxLimit.FileSize, SandboxLimits.Classify(huge.ExitCode, huge.StandardError));
        Assert.Equal(SandboxLimitFixture.SmallLimits.MaxFileBytes, new FileInfo(Path.Combine(fixture.LimitedWork, "huge.bin")).Length);

        var small = await RunLimitedAsync("/usr/bin/dd", "if=/dev/zero", "of=small.bin", "bs=1M", "count=8");
        Assert.Equal(0, small.ExitCode);
        Assert.Equal(8L * 1024 * 1024, new FileInfo(Path.Combine(fixture.LimitedWork, "small.bin")).Length);
    }

    [Fact]
    public async Task Cpu_spin_stops_at_the_cpu_limit_and_is_classified()
    {
        var spin = await RunLimitedAsync(P, "spin", "0");
        Assert.Equal(128 + 24, spin.ExitCode); // SIGXCPU
        Assert.Equal(SandboxLimit.CpuTime, SandboxLimits.Classify(spin.ExitCode, spin.StandardError));

        var brief = await RunLimitedAsync(P, "spin", "10000000");
        Assert.Equal(0, brief.ExitCode);
        Assert.Contains("SPUN", brief.StandardOutput);
    }

    [Fact]
    public async Task Limits_cannot_be_raised_inside()
    {
        var result = await RunLimitedAsync("/bin/bash", "-c",
            "ulimit -S -u 1000 || echo RAISE-SOFT-FAILED; ulimit -H -d unlimited || echo RAISE-HARD-FAILED; ulimit -S -f 1000; echo FSIZE=$(ulimit -S -f)");
        Assert.Contains("RAISE-SOFT-FAILED", result.StandardOutput);
        Assert.Contains("RAISE-HARD-FAILED", result.StandardOutput);
        Assert.Contains("FSIZE=1000", result.StandardOutput); // lowering is fine
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
        Assert.Equal(4, pane.Sandbox.Split("ERR EPERM tiocsti").Length - 1);
        Assert.Contains("ERR EPERM tioclinux", pane.Sandbox);
        Assert.Contains("OK tcgets", pane.Sandbox);
        Assert.Contains("SIZE 120x30", pane.Sandbox);
        Assert.Contains("launcher exit 0", pane.Sandbox);
        Assert.Equal("AFTER:[]", pane.After);

        // The same push from the host side of the same kind of terminal is read by the shell: the check above can see an injection.
        var probe = await SyscallProbe.RequireAsync();
        var control = await RunInTerminalAsync($"{probe} tiocsti - CONTROL-{tag}", "");
        Assert.Equal($"AFTER:[CONTROL-{tag}]", control.After);
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
        Assert.DoesNotContain("STILL-HERE", pane.Sandbox); // kill(0) did reach the sandbox itself
        Assert.Contains("VICTIM-ALIVE", pane.Sandbox);
        Assert.Contains("launcher exit 137", pane.Sandbox);
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
            for (var i = 0; i < 100 && (!File.Exists(pidFile) || session.FindProcesses().Count == 0); i++)
                await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.NotEmpty(session.FindProcesses());
            var launcher = int.Parse((await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken)).Trim(), CultureInfo.InvariantCulture);
            System.Diagnostics.Process.GetProcessById(launcher).Kill();
            for (var i = 0; i < 50 && session.FindProcesses().Count > 0; i++)
                await Task.Delay(200, TestContext.Current.CancellationToken);
            var left = session.FindProcesses().Select(pid => $"{pid}: {Describe(pid)}").ToArray();
            Assert.True(left.Length == 0, "still running after the launcher's parent died:\n" + string.Join('\n', left));
        }
        finally { await StopPaneAsync(tmux, socket); }
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
            Assert.True(File.Exists(done), "the pane's shell never finished");
            var text = (await File.ReadAllTextAsync(done, TestContext.Current.CancellationToken)).Trim();
            output.WriteLine(text);
            return new PaneResult(sandbox, text);
        }
        finally { await StopPaneAsync(tmux, socket); }
    }
}
