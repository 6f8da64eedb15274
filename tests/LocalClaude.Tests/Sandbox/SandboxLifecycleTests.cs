using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>Starting, stopping and cleaning up: no process left behind, ownership given back, unsafe specs refused.</summary>
public sealed class SandboxLifecycleTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<SandboxProbe> RequireAsync()
    {
        var probe = await SandboxTestEnvironment.ProbeAsync();
        SandboxTestEnvironment.Require(probe);
        return probe;
    }

    [Fact]
    public async Task Dispose_leaves_no_socat_or_bwrap_behind()
    {
        await RequireAsync();
        using var layout = new HostLayout();
        await using var server = ReachabilityListener.Start(System.Net.IPAddress.Loopback);
        var session = await new BwrapSandbox().StartAsync(new SandboxSpec
        {
            WorkDirectory = layout.Work,
            HomeDirectory = layout.Home,
            ModelServerPort = server.Port,
        }, Ct);
        var runtime = Directory.GetDirectories(Path.GetTempPath(), "localclaude-sbx-" + session.Id).Single();
        // A tracked long-running process, and one started from the argv by someone else (as under tmux).
        var tracked = session.Start("/bin/sh", ["-c", "echo started; sleep 300"], Path.Combine(layout.Root, "tracked.log"));
        var argv = session.BuildCommandLine("/bin/sleep", ["300"]);
        var start = new ProcessStartInfo(argv[0]) { UseShellExecute = false };
        foreach (var a in argv.Skip(1)) start.ArgumentList.Add(a);
        using var untracked = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!tracked.Tail().Contains("started", StringComparison.Ordinal) && DateTime.UtcNow < deadline) await Task.Delay(50, Ct);
        tracked.Tail().Should().Contain("started");
        session.FindProcesses().Should().NotBeEmpty();
        // The bridge listens in this process (no host socat any more).
        using (var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            await probe.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(runtime, "mount", "llm.sock")), Ct);

        await session.DisposeAsync();

        session.FindProcesses().Should().BeEmpty();
        SocatsServing(runtime).Should().BeEmpty();
        untracked.WaitForExit(5000).Should().BeTrue("the untracked sandbox survived Dispose");
        tracked.HasExited.Should().BeTrue();
        Directory.Exists(runtime).Should().BeFalse("the runtime folder was left behind");
    }

    [Fact]
    public async Task Timeout_kills_the_sandbox()
    {
        await RequireAsync();
        using var layout = new HostLayout();
        await using var session = await new BwrapSandbox().StartAsync(new SandboxSpec { WorkDirectory = layout.Work, HomeDirectory = layout.Home }, Ct);
        var started = Stopwatch.StartNew();
        var error = (await FluentActions.Awaiting(() => session.RunAsync("/bin/sleep", ["120"], TimeSpan.FromSeconds(2), Ct)).Should().ThrowExactlyAsync<ExternalCommandException>()).Which;
        output.WriteLine(error.Message);
        (started.Elapsed < TimeSpan.FromSeconds(30)).Should().BeTrue();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (session.FindProcesses().Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);
        session.FindProcesses().Should().BeEmpty();
    }

    [Fact]
    public async Task Ownership_is_given_back_without_setuid_bits()
    {
        var probe = await RequireAsync();
        if (!probe.CallerIsRoot) Assert.Skip("only a root caller hands the folders to another uid");
        using var layout = new HostLayout();
        await using (var session = await new BwrapSandbox().StartAsync(new SandboxSpec { WorkDirectory = layout.Work, HomeDirectory = layout.Home }, Ct))
        {
            var result = await session.RunShellAsync("cp /bin/sh ./suid && chmod 6755 ./suid && mkdir -p ~/.claude && touch ~/.claude/state", TimeSpan.FromSeconds(60), Ct);
            result.ExitCode.Should().Be(0);
            (await SandboxTestEnvironment.OwnerAsync(Path.Combine(layout.Work, "suid"))).Should().Be(probe.SandboxUid);
            ((File.GetUnixFileMode(Path.Combine(layout.Work, "suid")) & UnixFileMode.SetUser) != 0).Should().BeTrue("precondition: the sandbox set the bit");
        }
        // Root must not end up owning a setuid file that the sandbox crafted.
        var suid = Path.Combine(layout.Work, "suid");
        (await SandboxTestEnvironment.OwnerAsync(suid)).Should().Be(0);
        (File.GetUnixFileMode(suid) & (UnixFileMode.SetUser | UnixFileMode.SetGroup)).Should().Be((UnixFileMode)0);
        (await SandboxTestEnvironment.OwnerAsync(Path.Combine(layout.Home, ".claude", "state"))).Should().Be(0);
    }

    [Fact]
    public async Task Folders_the_sandbox_uid_cannot_traverse_still_work()
    {
        await RequireAsync();
        // A private (0700) parent, like ~/.cache/localclaude under /root: the binds are staged, not traversed.
        var root = Directory.CreateTempSubdirectory("localclaude-sbx-private-").FullName;
        try
        {
            var work = Directory.CreateDirectory(Path.Combine(root, "deep", "work")).FullName;
            var home = Directory.CreateDirectory(Path.Combine(root, "deep", "home")).FullName;
            File.SetUnixFileMode(Path.Combine(root, "deep"), (UnixFileMode)0b111_000_000);
            await using var session = await new BwrapSandbox().StartAsync(new SandboxSpec { WorkDirectory = work, HomeDirectory = home }, Ct);
            var result = await session.RunShellAsync("echo ok > ./made && echo ok > ~/made", TimeSpan.FromSeconds(60), Ct);
            output.WriteLine(result.StandardOutput + result.StandardError);
            result.ExitCode.Should().Be(0);
            File.Exists(Path.Combine(work, "made")).Should().BeTrue();
            File.Exists(Path.Combine(home, "made")).Should().BeTrue();
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Unsafe_specs_are_refused_before_anything_runs()
    {
        await RequireAsync();
        using var layout = new HostLayout();
        var sandbox = new BwrapSandbox();
        var good = new SandboxSpec { WorkDirectory = layout.Work, HomeDirectory = layout.Home };
        var bad = new[]
        {
            good with { WorkDirectory = "/tmp" },
            good with { WorkDirectory = "/" },
            good with { HomeDirectory = Path.Combine(layout.Work) },
            good with { WorkDirectory = Path.Combine(layout.Root, "missing") },
            good with { WorkDirectory = Path.GetDirectoryName(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile).TrimEnd('/')) is { Length: > 1 } parent ? parent : "/" },
            good with { WorkDirectoryInside = "/proc/work" },
            good with { WorkDirectoryInside = "relative" },
            good with { ReadOnlyBinds = [new ReadOnlyBind(layout.ReadOnlyData, "/usr/local/x")] },
            good with { ReadOnlyBinds = [new ReadOnlyBind(layout.ReadOnlyData, "/home")] },
            good with { WorkDirectoryInside = SandboxSpec.HomeInside + "/work" },
            good with { Environment = new Dictionary<string, string> { ["BAD=NAME"] = "x" } },
            good with { ModelServerPort = 70000 },
            good with { ModelServerPort = 80 },
        };
        foreach (var spec in bad)
            await FluentActions.Awaiting(() => sandbox.StartAsync(spec, Ct)).Should().ThrowAsync<ArgumentException>();
        Directory.EnumerateFileSystemEntries(layout.Work).Should().BeEmpty();
        if (RunEnvironment.IsRoot) (await SandboxTestEnvironment.OwnerAsync(layout.Work)).Should().Be(0); // never handed over
    }

    [Fact]
    public async Task Interactive_run_under_tmux_gets_the_terminal_and_is_stopped_by_dispose()
    {
        await RequireAsync();
        MissingPart.Require(RunEnvironment.Which("tmux") is not null, "tmux is not installed");
        using var layout = new HostLayout();
        var name = "localclaude-sbx-test-" + Guid.NewGuid().ToString("N")[..8];
        var session = await new BwrapSandbox().StartAsync(new SandboxSpec { WorkDirectory = layout.Work, HomeDirectory = layout.Home, Interactive = true }, Ct);
        try
        {
            var shell = session.BuildShellCommand("/bin/sh", ["-c", "[ -t 0 ] && [ -t 1 ] && echo \"tty-ok $TERM $(stty size)\"; sleep 300"]);
            await ExternalCommand.RunAsync("tmux", ["new-session", "-d", "-s", name, "-x", "100", "-y", "30", shell], new CommandOptions { Timeout = TimeSpan.FromSeconds(20) }, Ct);
            var pane = "";
            for (var i = 0; i < 100 && !pane.Contains("tty-ok", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100, Ct);
                pane = (await ExternalCommand.RunAsync("tmux", ["capture-pane", "-p", "-t", name], new CommandOptions { Timeout = TimeSpan.FromSeconds(10), ThrowOnFailure = false }, Ct)).StandardOutput;
            }
            output.WriteLine(pane);
            pane.Should().Contain("tty-ok xterm-256color 30 100");
            session.FindProcesses().Should().NotBeEmpty();

            await session.DisposeAsync();
            session.FindProcesses().Should().BeEmpty();
        }
        finally
        {
            await session.DisposeAsync();
            await ExternalCommand.RunAsync("tmux", ["kill-session", "-t", name], new CommandOptions { Timeout = TimeSpan.FromSeconds(10), ThrowOnFailure = false }, CancellationToken.None);
        }
    }

    /// <summary>Host socat processes whose command line names a socket in <paramref name="runtime"/>.</summary>
    private static IReadOnlyList<int> SocatsServing(string runtime)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (Path.GetFileName(cmdline[0]) == "socat" && cmdline.Any(a => a.Contains(runtime, StringComparison.Ordinal))) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
