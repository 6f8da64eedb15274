using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>
/// Guarantee 7: a path argument (--workdir, --sandbox-home, --claude) that would expose a reserved place is refused
/// with exit 2 and one line, and nothing runs; where a launch may go ahead (--claude FILE), nothing beside FILE shows.
/// The script that would run writes a marker into HOME and the work dir and reads every canary.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed class PathArgumentAttackTests(AttackServer server, ITestOutputHelper output)
{
    private const string MarkerScript = """
        echo x > "$HOME/lc-attack-$MARK-homewrite"
        echo x > "$WORK/lc-attack-$MARK-workwrite"
        for f in $CANARIES; do grep -qs "$CANARY" "$f" && note read-config "read=$f"; done
        allowed allowed-path
        note done all
        """;

    private async Task<(AttackSite Site, LaunchTestProfile Profile)> SiteAsync(string label, CancellationToken ct)
    {
        var (profile, llama) = await server.StartAsync(tmux: false, ct);
        var site = new AttackSite(label);
        site.WriteScript(MarkerScript, llama.Port);
        return (site, profile);
    }

    /// <summary>Runs the launch with <paramref name="arguments"/> and asserts exit 2, one line naming the problem, and no marker in <paramref name="exposed"/>.</summary>
    private async Task AssertRefusedAsync(AttackSite site, LaunchTestProfile profile, string[] arguments, string exposed, CancellationToken ct)
    {
        var result = await LauncherCli.RunAsync([.. arguments, "--", "-p", "hi"], profile.Environment, site.Scratch.Work, ct, TimeSpan.FromMinutes(2));
        var markers = new[] { "homewrite", "workwrite" }.Select(k => Path.Combine(exposed, $"lc-attack-{site.Mark}-{k}")).Where(File.Exists).ToArray();
        foreach (var marker in markers) File.Delete(marker);
        output.WriteLine($"{string.Join(' ', arguments)}\n-> exit {result.ExitCode}\nstderr: {result.StandardError}\nstdout tail: {Tail(result.StandardOutput)}");
        (markers.Length == 0).Should().BeTrue($"the sandbox wrote into {exposed}: {string.Join(", ", markers)}");
        result.ExitCode.Should().Be(2);
        var lines = result.StandardError.Trim().Split('\n');
        (lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal)).Should().BeTrue("not one error line:\n" + result.StandardError);
        site.ReadNotes().Should().BeEmpty();
    }

    private static string Tail(string text) => text.Length > 1500 ? text[^1500..] : text;

    private static string[] Launch(AttackSite site, LaunchTestProfile profile, string? work = null, string? home = null, string? claude = null) =>
        ["launch", "local", "--profile", profile.Name, "--workdir", work ?? site.Scratch.Work, "--sandbox-home", home ?? site.Scratch.Home, "--claude", claude ?? site.Script];

    // --- escape c ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Sandbox_home_at_the_checkout_or_inside_it_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("c1", ct);
        using (site)
        {
            foreach (var home in new[] { LauncherCli.Repo.Root, Path.Combine(LauncherCli.Repo.Root, "tools") })
                await AssertRefusedAsync(site, profile, Launch(site, profile, home: home), home, ct);
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Sandbox_home_at_another_localclaude_checkout_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("c2", ct);
        using (site)
        {
            var checkout = Path.Combine(site.Scratch.Root, "other-checkout");
            var clone = AttackSite.Host("git", "clone", "-q", "--shared", LauncherCli.Repo.Root, checkout);
            clone.Succeeded.Should().BeTrue(clone.StandardError);
            foreach (var home in new[] { checkout, Path.Combine(checkout, "tools") })
                await AssertRefusedAsync(site, profile, Launch(site, profile, home: home), home, ct);
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Sandbox_home_at_the_cache_or_its_binaries_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("c3", ct);
        using (site)
        {
            foreach (var home in new[] { AttackSite.Cache, Path.Combine(AttackSite.Cache, "llama") }.Where(Directory.Exists))
                await AssertRefusedAsync(site, profile, Launch(site, profile, home: home), home, ct);
        }
    }

    // --- escape d ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_claude_file_in_tmp_does_not_expose_tmp()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("d1", ct);
        using (site)
        {
            var inTmp = Path.Combine(Path.GetTempPath(), $"lc-attack-{site.Mark}-claude.sh");
            File.Copy(site.Script, inTmp);
            File.SetUnixFileMode(inTmp, (UnixFileMode)0b111_101_101);
            var outcome = await AttackLaunch.HeadlessAsync(site, profile, ct, arguments: Launch(site, profile, claude: inTmp));
            output.WriteLine(outcome.Describe());
            var tmpCanary = Path.Combine(Path.GetTempPath(), $"lc-attack-{site.Mark}-canary");
            if (outcome.ExitCode == 2) return;   // refused: nothing ran, nothing was exposed
            outcome.AssertAllowed("allowed-path");
            outcome.Note("read-config").Should().NotContain("read=" + tmpCanary);
            outcome.Note("self-dir").Should().BeEmpty();
        }
    }

    // --- own ---

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_claude_symlink_into_the_users_home_does_not_expose_home()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("d2", ct);
        using (site)
        {
            var folder = Directory.CreateDirectory(Path.Combine(AttackSite.UserHome, $"lc-attack-{site.Mark}-dir")).FullName;
            var sibling = Path.Combine(folder, $"lc-attack-{site.Mark}-canary");
            site.PlantCanary(sibling);
            site.WriteScript(MarkerScript, (await server.StartAsync(false, ct)).Server.Port);
            var target = Path.Combine(folder, "claude");
            File.Copy(site.Script, target);
            File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
            var link = Path.Combine(site.Scratch.Root, "claude-link");
            File.CreateSymbolicLink(link, target);
            var outcome = await AttackLaunch.HeadlessAsync(site, profile, ct, arguments: Launch(site, profile, claude: link));
            output.WriteLine(outcome.Describe());
            if (outcome.ExitCode == 2) return;
            outcome.AssertAllowed("allowed-path");
            outcome.Note("read-config").Should().NotContain(l => l.StartsWith("read=" + AttackSite.UserHome, StringComparison.Ordinal));
            outcome.Note("self-dir").Should().BeEmpty();
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_symlink_to_the_cache_as_sandbox_home_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("p1", ct);
        using (site)
        {
            MissingPartIfNoCache();
            var link = Path.Combine(site.Scratch.Root, "home-link");
            Directory.CreateSymbolicLink(link, AttackSite.Cache);
            await AssertRefusedAsync(site, profile, Launch(site, profile, home: link), AttackSite.Cache, ct);
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_symlink_to_the_checkout_as_work_dir_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("p2", ct);
        using (site)
        {
            var link = Path.Combine(site.Scratch.Root, "work-link");
            Directory.CreateSymbolicLink(link, LauncherCli.Repo.Root);
            await AssertRefusedAsync(site, profile, Launch(site, profile, work: link), LauncherCli.Repo.Root, ct);
        }
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_system_folder_as_sandbox_home_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("p3", ct);
        using (site)
            await AssertRefusedAsync(site, profile, Launch(site, profile, home: "/opt"), "/opt", ct);
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_sandbox_home_holding_the_work_dir_and_its_parent_project_config_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, profile) = await SiteAsync("p4", ct);
        using (site)
            await AssertRefusedAsync(site, profile, Launch(site, profile, home: site.Scratch.Root), site.Scratch.Root, ct);
    }

    private static void MissingPartIfNoCache() =>
        LocalClaude.Tests.Support.MissingPart.Require(Directory.Exists(AttackSite.Cache), $"the LocalClaude cache {AttackSite.Cache} does not exist");
}
