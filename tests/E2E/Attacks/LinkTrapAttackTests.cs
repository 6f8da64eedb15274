using LocalClaude.E2E.Tests.Launcher;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>What the link-trap launches left: the attack launch, a follow-up on the same HOME and work dir, and the host's view.</summary>
internal sealed record LinkTrapEvidence(AttackSite Site, AttackOutcome Attack, AttackOutcome FollowUp, string VictimAfterAttack,
    string VictimAfterFollowUp, IReadOnlyList<string> NotOursAfterAttack, string HostGitStatus);

/// <summary>One launch planting links in HOME and the work dir (<see cref="AttackScripts.LinkTraps"/>), then a benign launch on the same folders.</summary>
public sealed class LinkTrapRun : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task<LinkTrapEvidence>? _run;
    private AttackSite? _site;

    internal async Task<LinkTrapEvidence> EvidenceAsync(AttackServer server)
    {
        await _gate.WaitAsync();
        try { _run ??= RunAsync(server); }
        finally { _gate.Release(); }
        return await _run;
    }

    private async Task<LinkTrapEvidence> RunAsync(AttackServer attackServer)
    {
        var ct = CancellationToken.None;
        var (profile, server) = await attackServer.StartAsync(tmux: false, ct);
        var site = _site = new AttackSite("l");
        site.InitGit();
        site.WriteScript(AttackScripts.LinkTraps, server.Port);
        var attack = await AttackLaunch.HeadlessAsync(site, profile, ct);
        var victimAfterAttack = site.VictimNow();
        var uid = AttackSite.Host("id", "-u").StandardOutput.Trim();
        // Everything in the work dir and HOME is the user's again (the launcher hands them back).
        var notOurs = AttackSite.Host("find", site.Scratch.Work, site.Scratch.Home, "!", "-type", "l", "!", "-uid", uid).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var status = site.Git("status", "--short");
        site.WriteScript(AttackScripts.FollowUp, server.Port);
        var followUp = await AttackLaunch.HeadlessAsync(site, profile, ct);
        return new LinkTrapEvidence(site, attack, followUp, victimAfterAttack, site.VictimNow(), notOurs,
            $"exit {status.ExitCode}: {status.StandardOutput}{status.StandardError}");
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
/// Guarantees 1 and 5 against the launcher's own file work: links planted inside (HOME/.claude.json, HOME/.config,
/// .git/hooks, ...) pointing at host files owned by another user must not make the launcher (preparing, handing
/// back, moving planted files aside) or the next launch touch those files, nor stop it from handing the folders back.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed class LinkTrapAttackTests(AttackServer server, LinkTrapRun run, ITestOutputHelper output) : IClassFixture<LinkTrapRun>
{
    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Links_planted_in_home_and_work_dir_do_not_redirect_the_launchers_file_work()
    {
        var e = await run.EvidenceAsync(server).WaitAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.Attack.Describe() + "\n" + string.Join('\n', e.Attack.Note("traps")));
        e.Attack.AssertAllowed("allowed-before");
        e.VictimAfterAttack.Should().Be(e.Site.VictimBefore);
        e.VictimAfterFollowUp.Should().Be(e.Site.VictimBefore);
        e.FollowUp.AssertAllowed("followup");
    }

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task Links_planted_inside_do_not_stop_the_launcher_from_ending_cleanly_and_handing_the_folders_back()
    {
        var e = await run.EvidenceAsync(server).WaitAsync(TestContext.Current.CancellationToken);
        output.WriteLine(e.Attack.Describe() + "\nhost git status: " + e.HostGitStatus);
        e.Attack.Note("done").Should().Contain("all");
        var problems = new List<string>();
        if (e.Attack.ExitCode != 0) problems.Add($"the launcher ended with {e.Attack.ExitCode} after a clean script exit");
        if (e.NotOursAfterAttack.Count > 0) problems.Add("files in the work dir or HOME still belong to the sandbox:\n" + string.Join('\n', e.NotOursAfterAttack.Take(10)));
        if (!e.HostGitStatus.StartsWith("exit 0", StringComparison.Ordinal)) problems.Add("git on the host fails in the work dir: " + e.HostGitStatus);
        (problems.Count == 0).Should().BeTrue(string.Join('\n', problems));
    }
}
