using System.Diagnostics;
using System.Globalization;
using LocalClaude.E2E.Tests.Launcher;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>
/// Guarantee 6: resource abuse inside ends at a limit, and the host and the launcher stay responsive. One launch per
/// attack. The host reads the limits that apply to the sandbox's processes (/proc/PID/limits, their cgroup) at a
/// checkpoint, and each attack is bounded so that a sandbox without limits fails the test instead of the machine.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed class ResourceAttackTests(AttackServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan LaunchLimit = TimeSpan.FromMinutes(3);

    private async Task<(AttackSite Site, AttackOutcome Outcome)> LaunchAsync(string label, string body, CancellationToken ct, Func<AttackSite, Dictionary<string, AttackLaunch.Observer>>? observersFor = null)
    {
        var (profile, llama) = await server.StartAsync(tmux: false, ct);
        var site = new AttackSite(label);
        site.WriteScript(body, llama.Port);
        var observers = observersFor?.Invoke(site) ?? [];
        observers.TryAdd("limits", (launcher, table) => Limits(HostProcesses.SandboxScript(table, launcher, site.Script)));
        var outcome = await AttackLaunch.HeadlessAsync(site, profile, ct, observers, timeout: LaunchLimit);
        output.WriteLine(outcome.Describe());
        output.WriteLine("host limits: " + outcome.File("host-limits.txt"));
        outcome.AssertAllowed("allowed-before");
        (outcome.Elapsed < LaunchLimit - TimeSpan.FromSeconds(5)).Should().BeTrue($"the launcher did not end within {LaunchLimit}: it hung");
        var left = await RunProcesses.WaitUntilGoneAsync(TimeSpan.FromSeconds(10), site.Mark);
        RunProcesses.Kill(left);
        (left.Count == 0).Should().BeTrue("processes of the sandbox outlived the launch:\n" + string.Join('\n', left));
        return (site, outcome);
    }

    /// <summary>The limits that apply to a process inside, as the host sees them.</summary>
    private static string Limits(HostProcess? process)
    {
        if (process is null) return "no process found";
        var rows = new[] { "Max processes", "Max address space", "Max data size", "Max file size", "Max cpu time", "Max core file size" }
            .Select(r => $"{r}={HostProcesses.Limit(process.Pid, r)?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}");
        var cgroup = new[] { "pids.max", "memory.max", "memory.high", "cpu.max" }.SelectMany(f => HostProcesses.CgroupValues(process.Pid, f));
        return string.Join("; ", rows.Concat(cgroup));
    }

    private static double HostSpawnSeconds()
    {
        var clock = Stopwatch.StartNew();
        AttackSite.Host("true");
        return clock.Elapsed.TotalSeconds;
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_fork_bomb_is_stopped_by_a_process_limit()
    {
        string? during = null;
        var (site, outcome) = await LaunchAsync("fork", ResourceScripts.ForkBomb, TestContext.Current.CancellationToken, site => new()
        {
            ["fork"] = (launcher, table) =>
            {
                during = string.Create(CultureInfo.InvariantCulture, $"host spawn {HostSpawnSeconds():0.00} s; {(launcher is null ? 0 : HostProcesses.DescendantsOf(table, launcher.Pid).Count)} processes under the launcher");
                return during;
            },
        });
        using (site)
        {
            var fork = outcome.File("fork.out");
            output.WriteLine(fork + "\n" + during);
            fork.Should().Contain("failed-at=");
            fork.Should().NotContain("forked=4096");
        }
    }

    /// <summary>
    /// The observer for a bounded attack: the limits the host reads, and the target the script goes for (the limit
    /// plus a margin, or a fixed bound without one), or 0 when the host cannot afford it (then the test fails).
    /// </summary>
    private static AttackLaunch.Observer Target(AttackSite site, string[] rows, long marginMiB, long boundMiB, Func<long, string?> unsafeFor) => (launcher, table) =>
    {
        var script = HostProcesses.SandboxScript(table, launcher, site.Script);
        var limit = script is null ? null : rows.Select(r => HostProcesses.Limit(script.Pid, r)).Where(l => l is not null).Min();
        var target = limit is { } bytes ? Math.Min(bytes / (1024 * 1024) + marginMiB, 64 * 1024) : boundMiB;
        var problem = unsafeFor(target);
        return string.Create(CultureInfo.InvariantCulture, $"{Limits(script)}; target={(problem is null ? target : 0)}{(problem is null ? "" : "; " + problem)}");
    };

    private static long Target(AttackOutcome outcome) =>
        long.Parse(outcome.File("host-limits.txt").Split("target=")[1].Split(';')[0].Trim(), CultureInfo.InvariantCulture);

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_memory_hog_is_stopped_by_a_memory_limit()
    {
        var (site, outcome) = await LaunchAsync("mem", ResourceScripts.MemoryHog, TestContext.Current.CancellationToken, site => new()
        {
            ["limits"] = Target(site, ["Max data size", "Max address space"], 512, 6144, target =>
            {
                var available = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                return target + 3072 > available ? $"only {available} MiB free: a hog of {target} MiB cannot run safely" : null;
            }),
        });
        using (site)
        {
            var mem = outcome.File("mem.out");
            var target = Target(outcome);
            output.WriteLine(mem + "\nreached MiB: " + outcome.File("mem.progress"));
            (target > 0).Should().BeTrue("the host could not afford the attack: " + outcome.File("host-limits.txt"));
            mem.Should().NotContain($"allocated={target}");
            mem.Should().NotContain("allocated=");
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Memory_spread_over_processes_is_bounded_for_the_whole_sandbox()
    {
        var (site, outcome) = await LaunchAsync("spread", ResourceScripts.SpreadMemoryHog, TestContext.Current.CancellationToken, site => new()
        {
            // The total: one process's limit plus 1 GiB (or 6 GiB without a limit), in three processes under it.
            ["limits"] = Target(site, ["Max data size", "Max address space"], 1024, 6144, target =>
            {
                var available = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                return target + 3072 > available ? $"only {available} MiB free: {target} MiB in three hogs cannot run safely" : null;
            }),
        });
        using (site)
        {
            var spread = outcome.File("spread.out");
            var target = Target(outcome);
            output.WriteLine(spread);
            (target > 0).Should().BeTrue("the host could not afford the attack: " + outcome.File("host-limits.txt"));
            var total = spread.Split('\n').Where(l => l.StartsWith("allocated=", StringComparison.Ordinal)).Sum(l => long.Parse(l[10..], CultureInfo.InvariantCulture));
            var everything = 3 * (target / 3 / 256 * 256);
            (total < everything).Should().BeTrue($"three processes inside held {total} MiB together (more than one process may): no sandbox-wide memory bound");
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_disk_filler_is_stopped_by_a_file_size_limit()
    {
        var (site, outcome) = await LaunchAsync("disk", ResourceScripts.DiskFiller, TestContext.Current.CancellationToken, site => new()
        {
            ["limits"] = Target(site, ["Max file size"], 256, 4096, target =>
            {
                var free = new DriveInfo(Path.GetTempPath()).AvailableFreeSpace / (1024 * 1024);
                return target + 5120 > free ? $"only {free} MiB free: a file of {target} MiB cannot be written safely" : null;
            }),
        });
        using (site)
        {
            var dd = outcome.File("dd.out");
            var target = Target(outcome);
            output.WriteLine(dd + outcome.File("dd.err"));
            (target > 0).Should().BeTrue("the host could not afford the attack: " + outcome.File("host-limits.txt"));
            dd.Should().Contain("size=");
            var size = long.Parse(dd.Split("size=")[1].Trim(), CultureInfo.InvariantCulture);
            (size < target * 1024 * 1024).Should().BeTrue($"the sandbox wrote a {size >> 20} MiB file: no file size or disk limit stopped it");
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_cpu_burner_is_limited_and_the_host_stays_responsive()
    {
        string? during = null;
        var (site, outcome) = await LaunchAsync("cpu", ResourceScripts.CpuBurner, TestContext.Current.CancellationToken, site => new()
        {
            ["burn"] = (launcher, table) =>
            {
                var burner = table.FirstOrDefault(p => p.CommandLine.Contains("lc-burn-", StringComparison.Ordinal) && p.Name == "perl"
                    && launcher is not null && HostProcesses.DescendantsOf(table, launcher.Pid).Any(d => d.Pid == p.Pid));
                during = string.Create(CultureInfo.InvariantCulture, $"host spawn {HostSpawnSeconds():0.00} s; burner limits: {Limits(burner)}");
                return during;
            },
        });
        using (site)
        {
            during.Should().NotBeNull();
            output.WriteLine(during);
            var spawn = double.Parse(during.Split(' ')[2], CultureInfo.InvariantCulture);
            (spawn < 3).Should().BeTrue($"the host took {spawn:0.0} s to start a process while the sandbox burned CPU");
            (!during.Contains("Max cpu time=unlimited", StringComparison.Ordinal)
                || during.Split("; ").Any(l => l.Contains("cpu.max=", StringComparison.Ordinal) && !l.Contains("cpu.max=max", StringComparison.Ordinal))).Should().BeTrue("no CPU limit applies to the sandbox: " + during);
            outcome.AssertAllowed("allowed-after");
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Hundred_idle_connections_do_not_become_hundred_host_processes()
    {
        int? baseline = null, during = null;
        var (site, outcome) = await LaunchAsync("conns", ResourceScripts.IdleConnections, TestContext.Current.CancellationToken, site => new()
        {
            ["baseline"] = (launcher, table) =>
            {
                baseline = launcher is null ? null : HostProcesses.LauncherSide(table, launcher).Count;
                return $"{baseline}";
            },
            ["conns"] = (launcher, table) =>
            {
                // Processes inside count against the sandbox's own limits; the host's side must not grow per connection.
                var tree = launcher is null ? [] : HostProcesses.LauncherSide(table, launcher);
                during = tree.Count;
                return string.Join('\n', tree.GroupBy(p => p.Name).Select(g => $"{g.Key} x{g.Count()}"));
            },
        });
        using (site)
        {
            output.WriteLine($"{outcome.File("conns.out")}host processes of the launch (outside the sandbox): {baseline} before, {during} with the connections open\n{outcome.File("host-conns.txt")}");
            baseline.Should().NotBeNull();
            during.Should().NotBeNull();
            (during - baseline < 10).Should().BeTrue($"{during - baseline} more host processes for 100 idle connections:\n{outcome.File("host-conns.txt")}");
            outcome.AssertAllowed("allowed-after");
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Fifos_and_sparse_files_in_home_and_work_dir_hang_neither_this_launch_nor_the_next()
    {
        var (site, outcome) = await LaunchAsync("traps", ResourceScripts.HomeTraps, TestContext.Current.CancellationToken);
        using (site)
        {
            output.WriteLine(string.Join('\n', outcome.Note("traps")));
            outcome.Note("done").Should().Contain("all");
            outcome.ExitCode.Should().Be(0);
            var ct = TestContext.Current.CancellationToken;
            var (profile, llama) = await server.StartAsync(tmux: false, ct);
            site.WriteScript(AttackScripts.FollowUp, llama.Port);
            var next = await AttackLaunch.HeadlessAsync(site, profile, ct, timeout: LaunchLimit);
            output.WriteLine(next.Describe());
            (next.Elapsed < LaunchLimit - TimeSpan.FromSeconds(5)).Should().BeTrue("the next launch on the same HOME hung");
            next.AssertAllowed("followup");
        }
    }
}
