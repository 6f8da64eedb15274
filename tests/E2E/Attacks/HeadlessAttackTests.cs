using System.Globalization;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>What the headless battery left: the launch, a follow-up launch on the same HOME, and the host's evidence.</summary>
internal sealed record HeadlessEvidence(
    AttackSite Site,
    AttackOutcome Attack,
    AttackOutcome FollowUp,
    IReadOnlyList<RunProcess> LeftAfterExit,
    string VictimAfterAttack,
    string VictimAfterFollowUp,
    string ScriptBefore,
    string ScriptAfter,
    string HostGit,
    string CorePatternBefore,
    string CorePatternAfter,
    IReadOnlyList<string> KeysAfter,
    IReadOnlyList<string> SpecialFiles,
    bool VictimAlive,
    bool LateFileInWork,
    string ScriptLinks);

/// <summary>
/// Runs the headless battery once per test run (one launch of <see cref="AttackScripts.HeadlessBattery"/>, then a
/// follow-up launch on the same sandbox HOME) and keeps the host-side evidence for the tests below.
/// </summary>
public sealed class HeadlessBatteryRun : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task<HeadlessEvidence>? _run;
    private AttackSite? _site;

    internal async Task<HeadlessEvidence> EvidenceAsync(AttackServer server)
    {
        await _gate.WaitAsync();
        try { _run ??= RunAsync(server); }
        finally { _gate.Release(); }
        return await _run;
    }

    private async Task<HeadlessEvidence> RunAsync(AttackServer attackServer)
    {
        var ct = CancellationToken.None;
        var (profile, server) = await attackServer.StartAsync(tmux: false, ct);
        var site = _site = new AttackSite("h");
        site.InitGit();
        site.AddSubmodule();
        site.WriteScript(AttackScripts.HeadlessBattery, server.Port);
        var corePatternBefore = File.ReadAllText("/proc/sys/kernel/core_pattern");
        var secrets = new Dictionary<string, string?>
        {
            ["ANTHROPIC_API_KEY"] = "sk-ant-" + site.Canary,
            ["GITHUB_TOKEN"] = "ghp_" + site.Canary,
            ["AWS_SECRET_ACCESS_KEY"] = site.Canary,
            ["SSH_AUTH_SOCK"] = Path.Combine(site.Outside, site.Canary + ".sock"),
            ["LC_ATTACK_SECRET"] = site.Canary,
        };
        var observers = new Dictionary<string, AttackLaunch.Observer>
        {
            ["rss-baseline"] = (launcher, table) => launcher is null ? "no launcher" : $"{HostProcesses.LauncherResidentMiB(table, launcher)}",
            ["bigbody"] = (launcher, table) => launcher is null ? "no launcher" : $"{HostProcesses.LauncherResidentMiB(table, launcher)}",
            ["ptrace"] = (_, _) => $"TracerPid={HostProcesses.Status(site.Victim2, "TracerPid")}",
            ["pgrp"] = (launcher, table) =>
            {
                var script = HostProcesses.SandboxScript(table, launcher, site.Script);
                return launcher is null || script is null
                    ? $"launcher={launcher} script={script}"
                    : string.Create(CultureInfo.InvariantCulture, $"launcher pgrp={launcher.ProcessGroup} sid={launcher.Session}\nscript pgrp={script.ProcessGroup} sid={script.Session}");
            },
        };
        var attack = await AttackLaunch.HeadlessAsync(site, profile, ct, observers, secrets);
        // A process left inside acts 4 s after the script ends; give it the time, then look.
        await Task.Delay(TimeSpan.FromSeconds(6), ct);
        var left = RunProcesses.Find(site.Mark);
        RunProcesses.Kill(left);
        var lateFile = Directory.GetFiles(site.Scratch.Work, "lc-late*").Length > 0;
        var scriptBefore = site.ScriptBefore;
        var scriptAfter = File.ReadAllText(site.Script);
        var scriptLinks = AttackSite.Host("stat", "-c", "%h", site.Script).StandardOutput.Trim();
        var victimAfterAttack = site.VictimNow();
        // The user's next git commands in the work dir.
        var git = string.Join("\n", new[]
        {
            site.Git("status"), site.Git("diff"), site.Git("add", "-A"),
            site.Git("-c", "user.email=user@host", "-c", "user.name=user", "commit", "-q", "-m", "on the host"),
            site.Git("checkout", "-q", "-b", "host-branch"), site.Git("log", "--oneline", "-3"),
        }.Select(r => $"exit {r.ExitCode}: {r.StandardOutput}{r.StandardError}"));
        var special = AttackSite.Host("find", site.Scratch.Work, site.Scratch.Home, "-perm", "/6000", "-o", "-type", "b", "-o", "-type", "c")
            .StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var keys = File.ReadAllLines("/proc/keys").Where(l => l.Contains(site.Mark, StringComparison.Ordinal)).ToArray();
        RemoveKeys(keys);

        site.WriteScript(AttackScripts.FollowUp, server.Port);
        var followUp = await AttackLaunch.HeadlessAsync(site, profile, ct);
        return new HeadlessEvidence(site, attack, followUp, left, victimAfterAttack, site.VictimNow(), scriptBefore, scriptAfter, git,
            corePatternBefore, File.ReadAllText("/proc/sys/kernel/core_pattern"), keys, special,
            HostProcesses.IsAlive(site.Victim), lateFile, scriptLinks);
    }

    /// <summary>Keys an escape left in a host keyring are invalidated (KEYCTL_INVALIDATE), by id.</summary>
    private static void RemoveKeys(IEnumerable<string> lines)
    {
        foreach (var line in lines)
            AttackSite.Host("perl", "-e", "syscall(250, 21, hex($ARGV[0]))", line.Split(' ')[0]);
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
/// Attacks from inside a headless launch (<c>launch local --claude SCRIPT -- -p hi</c>, stdin not a terminal). Each
/// test names one attack and proves both sides: the host shows no effect of it, and in the same launch the model
/// answered a real POST /v1/messages and the work dir took a file.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed class HeadlessAttackTests(AttackServer server, HeadlessBatteryRun battery, ITestOutputHelper output) : IClassFixture<HeadlessBatteryRun>
{
    private async Task<HeadlessEvidence> EvidenceAsync(CancellationToken ct)
    {
        var evidence = await battery.EvidenceAsync(server).WaitAsync(ct);
        evidence.Attack.AssertAllowed("allowed-before");
        evidence.Attack.AssertAllowed("allowed-after");
        return evidence;
    }

    private void AssertNoDecoyHit(HeadlessEvidence e, params string[] tags)
    {
        var hits = e.Site.Decoys.Seen.Where(s => tags.Any(t => s.Contains(t, StringComparison.Ordinal))).ToArray();
        output.WriteLine("decoys saw: " + string.Join(" | ", e.Site.Decoys.Seen));
        (hits.Length == 0).Should().BeTrue("a host service outside the model port was reached:\n" + string.Join('\n', hits));
    }

    private static void AssertNoMarker(HeadlessEvidence e, string kind)
    {
        var found = e.Site.Markers(kind);
        (found.Count == 0).Should().BeTrue($"the host ran or holds what the sandbox planted ({kind}): {string.Join(", ", found)}\nthe host's git afterwards:\n{e.HostGit}");
    }

    // --- escape a: the relay followed a request target naming another place ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_double_slash_target_to_another_loopback_port_reaches_nothing()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-a-ip", "lc-a-post");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_double_slash_localhost_target_reaches_nothing()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-a-localhost");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_double_slash_ipv6_target_reaches_nothing()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-a-ipv6");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_double_slash_userinfo_target_reaches_nothing()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-a-userinfo");
    }

    // --- own: more ways to make the relay go elsewhere ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_absolute_form_and_connect_targets_reach_nothing()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-absolute", "lc-connect");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_host_and_forwarding_headers_do_not_route_elsewhere()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-host", "lc-xfh");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_odd_spellings_of_a_foreign_target_reach_nothing()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-triple", "lc-backslash", "lc-encoded", "lc-tab", "lc-lower", "lc-schemecolon", "lc-any", "lc-127002", "lc-decimal");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Relay_smuggled_and_pipelined_requests_reach_nothing()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-clte", "lc-tecl", "lc-pipelined", "lc-dupte");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_huge_request_through_the_relay_does_not_balloon_the_launcher()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        var before = e.Attack.File("host-rss-baseline.txt").Trim();
        var during = e.Attack.File("host-bigbody.txt").Trim();
        output.WriteLine($"{e.Attack.File("bigbody.out")}launcher RSS {before} MiB before, {during} MiB with 768 MiB of request body sent");
        var measured = long.TryParse(before, CultureInfo.InvariantCulture, out var b) & long.TryParse(during, CultureInfo.InvariantCulture, out var d);
        measured.Should().BeTrue($"the host did not measure the launcher: '{before}' '{during}'");
        (d - b < 256).Should().BeTrue($"the launcher grew by {d - b} MiB holding a request from inside");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Other_loopback_addresses_ports_and_udp_are_unreachable()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoDecoyHit(e, "lc-direct", "lc-udp");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Host_unix_sockets_abstract_and_by_path_are_unreachable()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine("unix sockets reachable inside: " + string.Join(", ", e.Attack.Note("unix-sockets")));
        AssertNoDecoyHit(e, "lc-abstract", "lc-unixpath");
        e.Attack.File("abstract.out").Should().NotContain("connected");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Host_listeners_and_interfaces_are_invisible_inside()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        var listening = e.Attack.File("proc-net-tcp.out").Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 3 && f[3] == "0A" && f[1].Contains(':'))
            .Select(f => int.Parse(f[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToHashSet();
        var decoys = new[] { e.Site.Decoys.Loopback4, e.Site.Decoys.Loopback6, e.Site.Decoys.AnyIPv4 };
        (!decoys.Any(listening.Contains)).Should().BeTrue($"/proc/net/tcp inside lists the host's listeners {string.Join(',', decoys)}: the host network namespace is shared");
        var interfaces = e.Attack.File("sys-class-net.out").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        interfaces.All(i => i == "lo").Should().BeTrue("host network interfaces are visible inside: " + string.Join(", ", interfaces));
    }

    // --- own: guarantee 1, writes outside the work dir and the sandbox HOME ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Writes_outside_the_work_dir_and_home_land_nowhere_on_the_host()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        AssertNoMarker(e, "write");
        (e.ScriptAfter == e.ScriptBefore).Should().BeTrue("the --claude script on the host was changed from inside");
    }

    // --- own: guarantee 2, reads ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task The_users_config_parent_project_config_checkout_and_cache_are_unreadable()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(string.Join('\n', e.Attack.Note("read-config")));
        e.Attack.Note("read-config").Should().NotContain(l => l.StartsWith("read=", StringComparison.Ordinal));
        foreach (var reserved in new[] { Path.Combine(AttackSite.UserHome, ".claude.json"), Path.Combine(LauncherCli.Repo.Root, "models.conf"), Path.Combine(LauncherCli.Repo.Root, "tools", "localclaude") })
            e.Attack.Note("read-config").Should().NotContain("exists=" + reserved);
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task The_claude_files_folder_is_not_exposed()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        var sibling = Path.Combine(Path.GetDirectoryName(e.Site.Script)!, $"lc-attack-{e.Site.Mark}-canary");
        output.WriteLine("the script's folder inside: " + e.Attack.File("self-dir.out"));
        e.Attack.Note("read-config").Should().NotContain("read=" + sibling);
        e.Attack.Note("self-dir").Should().BeEmpty();
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Environment_and_proc_hold_no_host_secrets_or_host_paths()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        var env = e.Attack.File("env.out");
        string.IsNullOrWhiteSpace(env).Should().BeFalse("the script recorded no environment");
        env.Should().NotContain(e.Site.Canary);
        e.Attack.File("proc-environ.out").Should().NotContain(e.Site.Canary);
        var hostPaths = env.Split('\n').Where(l => l.Split('=', 2) is [_, var v] && v.Split(':').Any(p =>
            p == AttackSite.UserHome || p.StartsWith(AttackSite.UserHome + "/", StringComparison.Ordinal) || p.StartsWith(LauncherCli.Repo.Root, StringComparison.Ordinal))).ToArray();
        (hostPaths.Length == 0).Should().BeTrue("host paths (HOME, the checkout) in the sandbox's environment:\n" + string.Join('\n', hostPaths));
    }

    // --- own: guarantee 4, host processes ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Host_processes_are_invisible_and_cannot_be_signalled()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.VictimAlive.Should().BeTrue("a host process was killed from inside");
        e.Attack.Note("host-procs").Should().BeEmpty();
        var visible = int.Parse(e.Attack.File("proc-count.out").Trim(), CultureInfo.InvariantCulture);
        (visible < 30).Should().BeTrue($"{visible} processes visible inside: the host's pid namespace is shared");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Host_processes_cannot_be_ptraced_or_their_memory_written()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.Attack.File("host-ptrace.txt").Trim().Should().Be("TracerPid=0");
        e.Attack.Note("ptrace").Should().BeEmpty();
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Proc_root_and_cwd_links_do_not_reach_the_host_filesystem()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.Attack.Note("proc-root").Should().BeEmpty();
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Inherited_descriptors_do_not_reach_host_folders()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.Attack.File("fds.out"));
        e.Attack.Note("fds").Should().NotContain(l => l.StartsWith("reached=", StringComparison.Ordinal));
    }

    // --- also seen: process group, io_uring, vsock, seccomp ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task The_sandbox_is_not_in_the_launchers_process_group()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        var seen = e.Attack.File("host-pgrp.txt");
        output.WriteLine(seen);
        var lines = seen.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        (lines.Length == 2 && lines[0].StartsWith("launcher pgrp=", StringComparison.Ordinal)).Should().BeTrue("the host did not find the launcher and the script: " + seen);
        var launcherGroup = lines[0].Split(' ')[1];
        var scriptGroup = lines[1].Split(' ')[1];
        scriptGroup.Should().NotBe(launcherGroup);
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Io_uring_is_unavailable()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.Attack.File("io-uring.out").Should().StartWith("io_uring=-1");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Vsock_sockets_are_unavailable()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.Attack.File("vsock.out").Should().StartWith("vsock=refused");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_seccomp_filter_is_applied()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.Attack.File("seccomp.out").Trim().Should().Be("Seccomp:\t2");
    }

    // --- own: kernel state shared with the host ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Kernel_keyring_entries_made_inside_do_not_persist_on_the_host()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.Attack.File("keyring.out"));
        (e.KeysAfter.Count == 0).Should().BeTrue("keys added inside are in the host's keyrings:\n" + string.Join('\n', e.KeysAfter));
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Proc_sys_knobs_that_make_the_host_run_programs_are_read_only()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.CorePatternAfter.Should().Be(e.CorePatternBefore);
        e.Attack.Note("proc-sys").Should().BeEmpty();
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Mount_tricks_do_not_uncover_or_unprotect_host_folders()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(string.Join('\n', e.Attack.Note("mounts")) + "\n" + e.Attack.File("unshare.out"));
        (e.ScriptAfter == e.ScriptBefore).Should().BeTrue("the --claude script on the host was changed from inside");
        e.Attack.Note("mounts").Should().NotContain(l => l.StartsWith("read-after=", StringComparison.Ordinal));
    }

    // --- escape e and own: what the host runs or trusts later ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Git_fsmonitor_written_inside_does_not_run_on_the_hosts_next_git_command()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.HostGit);
        e.Attack.Note("git").Should().Contain("commit-inside=ok");
        AssertNoMarker(e, "fsmonitor");
        AssertNoMarker(e, "include");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Git_hooks_written_inside_do_not_run_on_the_hosts_next_git_command()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.HostGit);
        e.Attack.Note("git").Should().Contain("commit-inside=ok");
        AssertNoMarker(e, "hook");
    }

    // Second outside review: a submodule's or linked worktree's git folder has a config and hooks of its own, and a
    // gitfile, commondir or alternates file points git at a folder the sandbox wrote.
    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Submodule_worktree_and_redirecting_git_files_written_inside_run_nothing_on_the_host()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.HostGit);
        output.WriteLine("inside: " + string.Join(", ", e.Attack.Note("git")));
        var work = e.Site.Scratch.Work;
        File.ReadAllText(Path.Combine(work, "sub", ".git")).Trim().Should().Be("gitdir: ../.git/modules/sub");
        File.ReadAllText(Path.Combine(work, ".git", "modules", "sub", "config")).Should().NotContain(e.Site.Mark);
        File.Exists(Path.Combine(work, ".git", "commondir")).Should().BeFalse(".git/commondir written inside is still there");
        File.Exists(Path.Combine(work, ".git", "objects", "info", "alternates")).Should().BeFalse(".git/objects/info/alternates written inside is still there");
        Directory.Exists(Path.Combine(work, ".git", "worktrees", "lcw")).Should().BeFalse(".git/worktrees/lcw written inside is still there");
        AssertNoMarker(e, "submodule");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Git_filters_diff_programs_pager_and_editor_written_inside_do_not_run_on_the_host()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.HostGit);
        foreach (var kind in new[] { "filter", "diffext", "pager", "editor" })
            AssertNoMarker(e, kind);
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Setuid_files_and_device_nodes_made_inside_do_not_stay_on_the_host()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.Attack.Note("setuid").Should().Contain("made");
        (e.SpecialFiles.Count == 0).Should().BeTrue("setuid/setgid files or devices made inside are on the host:\n" + string.Join('\n', e.SpecialFiles));
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Hardlinks_to_host_files_cannot_be_made()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        e.ScriptLinks.Should().Be("1");
        e.Attack.Note("hardlinks").Should().BeEmpty();
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_process_that_outlives_the_script_is_gone_with_the_launch_and_acts_nowhere()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        (e.LeftAfterExit.Count == 0).Should().BeTrue("processes of the sandbox outlived the launch:\n" + string.Join('\n', e.LeftAfterExit));
        e.LateFileInWork.Should().BeFalse("a process left inside wrote into the work dir after the launch ended");
        AssertNoMarker(e, "late");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task The_launcher_ends_with_the_scripts_exit_and_a_later_launch_on_the_same_home_works()
    {
        var e = await EvidenceAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.Attack.Describe());
        e.Attack.ExitCode.Should().Be(0);
        e.Attack.Note("done").Should().Contain("all");
        e.FollowUp.ExitCode.Should().Be(0);
        e.FollowUp.AssertAllowed("followup");
        (e.Site.Decoys.Seen.Count == 0).Should().BeTrue("decoys were reached: " + string.Join(" | ", e.Site.Decoys.Seen));
    }
}
