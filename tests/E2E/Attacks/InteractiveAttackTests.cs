using System.Globalization;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Terminal;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>What the interactive battery left: the launch in the user's shell, the other terminal, and the host's evidence.</summary>
internal sealed record InteractiveEvidence(AttackSite Site, InteractiveOutcome Run, string OtherTerminal, IReadOnlyList<RunProcess> LeftAfterExit);

/// <summary>
/// Runs the interactive battery once: a bash in a private tmux (the user's terminal and shell) types the launch; a
/// second private tmux running <c>cat</c> is another terminal of the user's. Afterwards the same shell is used again.
/// </summary>
public sealed class InteractiveBatteryRun : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task<InteractiveEvidence>? _run;
    private AttackSite? _site;

    internal async Task<InteractiveEvidence> EvidenceAsync(AttackServer server)
    {
        await _gate.WaitAsync();
        try { _run ??= RunAsync(server); }
        finally { _gate.Release(); }
        return await _run;
    }

    private async Task<InteractiveEvidence> RunAsync(AttackServer attackServer)
    {
        var ct = CancellationToken.None;
        var (profile, server) = await attackServer.StartAsync(tmux: true, ct);
        var site = _site = new AttackSite("i");
        var otherFolder = Directory.CreateDirectory(Path.Combine(site.Scratch.Root, "other-terminal")).FullName;
        await using var other = await TestTmux.StartAsync("cat", otherFolder, ct);
        var otherTty = new FileInfo($"/proc/{await other.PanePidAsync(ct)}/fd/0").LinkTarget!;
        var run = await AttackLaunch.InteractiveAsync(site, profile, ct, beforeLaunch: tmux =>
        {
            var socket = AttackLaunch.TmuxSocket(tmux.PanePidAsync(ct).GetAwaiter().GetResult());
            // A terminal that honours OSC 52 (as many do): the clipboard write lands in tmux's paste buffers.
            AttackLaunch.Tmux(socket, "set-option", "-g", "set-clipboard", "on");
            site.WriteScript(AttackScripts.InteractiveBattery, server.Port, new Dictionary<string, string> { ["OTHERTTY"] = otherTty, ["TMUXSOCK"] = socket });
            return Task.CompletedTask;
        });
        var left = RunProcesses.Find(site.Mark);
        RunProcesses.Kill(left);
        var otherScreen = await other.CaptureAsync(ct) + other.Output();
        return new InteractiveEvidence(site, run, otherScreen, left);
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            try { await _run; } catch (Exception) { }
        }
        _site?.Dispose();
    }
}

/// <summary>
/// Attacks from inside an interactive launch: the user typed <c>tools/localclaude launch local</c> into their shell,
/// and keeps using that shell afterwards, so anything queued into the terminal would run as the user. Each test
/// proves the attack left no trace on the host, and that in the same run the model answered inside and the user's
/// shell answered afterwards.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed class InteractiveAttackTests(AttackServer server, InteractiveBatteryRun battery, ITestOutputHelper output) : IClassFixture<InteractiveBatteryRun>
{
    private async Task<InteractiveEvidence> EvidenceAsync(CancellationToken ct)
    {
        var e = await battery.EvidenceAsync(server).WaitAsync(ct);
        output.WriteLine(e.Run.Launch.Describe());
        e.Run.Launch.AssertAllowed("allowed-interactive");
        e.Run.ShellAlive.Should().BeTrue("the user's shell did not answer after the launch; the screen:\n" + e.Run.Screen);
        e.Run.Launch.ExitCode.Should().Be(0);
        return e;
    }

    private void AssertNoInjection(InteractiveEvidence e, string kind, string evidenceFile)
    {
        output.WriteLine($"{evidenceFile}: {e.Run.Launch.File(evidenceFile)}");
        var ran = e.Site.Markers(kind);
        (ran.Count == 0).Should().BeTrue($"keystrokes queued from inside ran in the user's shell after the launch ({string.Join(", ", ran)}); the screen:\n{e.Run.Screen}");
    }

    // --- escape b ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Tiocsti_on_stdin_does_not_type_into_the_users_shell()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoInjection(e, "stistdin", "sti-stdin.out");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Tiocsti_on_dev_tty_does_not_type_into_the_users_shell()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoInjection(e, "stitty", "sti-tty.out");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Tiocsti_with_high_bits_in_the_ioctl_number_does_not_type_into_the_users_shell()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoInjection(e, "stihigh", "sti-high.out");
    }

    /// <summary>
    /// A terminal that is not a virtual console refuses TIOCLINUX by itself (ENOTTY); the sandbox must refuse it
    /// whatever the terminal (EPERM), as on a console it pastes the selection as input.
    /// </summary>
    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Tioclinux_selection_paste_is_refused_by_the_sandbox()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        var lines = e.Run.Launch.File("tioclinux.out").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine(string.Join('\n', lines));
        lines.Length.Should().Be(3);
        Assert.All(lines, l => l.Should().EndWith("r=-1 errno=1"));
    }

    // --- own ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Injection_after_the_launch_ends_does_not_reach_the_users_shell()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoInjection(e, "delayed", "tty.out");
        (e.LeftAfterExit.Count == 0).Should().BeTrue("processes of the sandbox outlived the launch:\n" + string.Join('\n', e.LeftAfterExit));
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Another_terminal_of_the_user_can_be_neither_written_nor_typed_into()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.Run.Launch.File("sti-other.out"));
        e.OtherTerminal.Should().NotContain($"lc-attack-{e.Site.Mark}");
        e.Run.Launch.Note("other-tty").Should().BeEmpty();
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task The_terminals_tmux_server_cannot_be_driven_from_inside()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.Site.Markers("tmux").Should().BeEmpty();
        e.Run.Launch.Note("tmux").Should().BeEmpty();
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Terminal_query_replies_do_not_become_commands_in_the_users_shell()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoInjection(e, "title", "tty.out");
    }

    // --- also seen: the sandbox shared the launcher's process group, so kill(0, ...) reached the launcher ---

    private const string KillGroupScript = """
        allowed allowed-kill
        checkpoint pgrp
        note done all
        kill -KILL 0
        """;

    /// <summary>
    /// kill(0, SIGKILL) from inside ends the sandbox's own process group; the launcher must not be in it: it lives on,
    /// reports how Claude Code ended and cleans up. Host evidence: the groups of the launcher and the script.
    /// </summary>
    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_kill_of_the_sandboxs_process_group_does_not_reach_the_launcher()
    {
        var ct = TestContext.Current.CancellationToken;
        var (profile, llama) = await server.StartAsync(tmux: true, ct);
        using var site = new AttackSite("k");
        site.WriteScript(KillGroupScript, llama.Port);
        var observers = new Dictionary<string, AttackLaunch.Observer>
        {
            ["pgrp"] = (launcher, table) => HostProcesses.SandboxScript(table, launcher, site.Script) is { } script
                ? string.Create(CultureInfo.InvariantCulture, $"launcher pgrp={launcher!.ProcessGroup}\nscript pgrp={script.ProcessGroup}")
                : $"launcher={launcher} script=not found",
        };
        var run = await AttackLaunch.InteractiveAsync(site, profile, ct, observers: observers, settle: TimeSpan.FromSeconds(1));
        var groups = run.Launch.File("host-pgrp.txt");
        output.WriteLine(run.Launch.Describe() + "\n" + groups);
        run.Launch.AssertAllowed("allowed-kill");
        run.Launch.Note("done").Should().Contain("all");
        var lines = groups.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        (lines.Length == 2 && lines[0].StartsWith("launcher pgrp=", StringComparison.Ordinal)).Should().BeTrue("the host did not find the launcher and the script: " + groups);
        lines[1].Split('=')[1].Should().NotBe(lines[0].Split('=')[1]);
        run.Launch.Output.Contains("Claude Code exited with code", StringComparison.Ordinal).Should().BeTrue("the launcher did not live to report the end of the sandbox after kill(0, SIGKILL) from inside");
        run.ShellAlive.Should().BeTrue("the user's shell did not answer after the launch");
        var left = await RunProcesses.WaitUntilGoneAsync(TimeSpan.FromSeconds(10), site.Mark);
        RunProcesses.Kill(left);
        (left.Count == 0).Should().BeTrue("processes of the sandbox outlived the launch:\n" + string.Join('\n', left));
    }
}
