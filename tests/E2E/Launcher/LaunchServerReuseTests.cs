using System.Globalization;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;
using LocalClaude.Server;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>
/// A launch shares a llama-server that already runs with the profile's exact arguments (as <c>serve</c> starts it) and
/// leaves it running; with <c>--new-server</c> it starts its own and stops it. Claude Code runs for real in the
/// sandbox, non-interactively (<c>-- --version</c>), so this costs seconds.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed partial class LaunchServerReuseTests(ITestOutputHelper output)
{
    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task A_running_server_for_the_profile_is_reused_and_left_running_and_new_server_starts_and_stops_its_own()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        await LaunchRequirements.RequireAsync(profile, tmux: false);
        var context = new LocalClaudeContext(LauncherCli.Repo, LocalClaudeHome.Default(), profile.ModelsConfPath);
        // What 'serve PROFILE' does.
        var serverLaunch = context.ResolveLaunch(context.Profile(profile.Name));
        await using var opened = await ServerUnderTest.OpenAsync(context, context.Profile(profile.Name), ServerTarget.Start(), ct);
        var served = opened.Process!;
        var servedPid = ProcessTable.ChildrenOf(served.GuardPid).Single(p => p.CommandLine.StartsWith(serverLaunch.Binary + " ", StringComparison.Ordinal)).Pid;
        string[] launch = ["launch", "local", "--profile", profile.Name, "--workdir", scratch.Work, "--sandbox-home", scratch.Home];

        var reused = await LauncherCli.RunAsync([.. launch, "--", "--version"], profile.Environment, scratch.Work, ct);
        output.WriteLine(reused.StandardOutput + reused.StandardError);
        reused.ExitCode.Should().Be(0);
        reused.StandardOutput.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"reusing llama-server pid {servedPid} on http://127.0.0.1:{served.Port}/"));
        reused.StandardOutput.Should().Contain("2.1.328 (Claude Code)");
        reused.StandardOutput.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"llama-server pid {servedPid} was not started by this launch: left running."));
        served.HasExited.Should().BeFalse("the launch stopped a server it did not start");
        await AssertHealthyAsync(served.BaseUrl, ct);

        var own = await LauncherCli.RunAsync([.. launch, "--new-server", "--", "--version"], profile.Environment, scratch.Work, ct);
        output.WriteLine(own.StandardOutput + own.StandardError);
        own.ExitCode.Should().Be(0);
        var started = StartedPid().Match(own.StandardOutput);
        started.Success.Should().BeTrue("no 'started llama-server pid N' line");
        var ownPid = int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture);
        ownPid.Should().NotBe(servedPid);
        own.StandardOutput.Should().Contain("2.1.328 (Claude Code)");
        own.StandardOutput.Should().Contain("stopped.");
        IsRunning(ownPid).Should().BeFalse($"the launch left its own llama-server (pid {ownPid}) running");
        served.HasExited.Should().BeFalse();

        // Apart from the served server, nothing of either launch is left (no bwrap, socat, claude, launcher).
        // The served server's guard and its watcher belong to this test, not to a launch.
        var ours = ProcessTable.Snapshot().Where(p => p.Pid == served.GuardPid || p.ParentPid == served.GuardPid).Select(p => p.Pid).ToHashSet();
        var left = RunProcesses.Find(profile.Name).Where(p => !ours.Contains(p.Pid)).ToArray();
        RunProcesses.Kill(left);
        (left.Length == 0).Should().BeTrue("left behind:\n" + string.Join('\n', left));
    }

    /// <summary>Alive and not a zombie (an exited child waits in /proc until something reaps it).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0] != "Z";
        }
        catch (IOException) { return false; }
    }

    private static async Task AssertHealthyAsync(Uri baseUrl, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri(baseUrl, "/health"), ct);
        response.IsSuccessStatusCode.Should().BeTrue($"{baseUrl} is not healthy after the launch: {(int)response.StatusCode}");
    }

    [GeneratedRegex(@"started llama-server pid (\d+)")]
    private static partial Regex StartedPid();
}
