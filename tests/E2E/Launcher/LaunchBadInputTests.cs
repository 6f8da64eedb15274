using LocalClaude.Infrastructure;
using LocalClaude.Launcher;
using LocalClaude.Provisioning;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>Bad input is refused with a message that names the problem, before anything starts.</summary>
[Collection(LauncherCollection.Name)]
public sealed class LaunchBadInputTests
{
    private static LocalClaudeContext Context(LaunchTestProfile profile, LocalClaudeHome? cache = null) =>
        new(LauncherCli.Repo, cache ?? LocalClaudeHome.Default(), profile.ModelsConfPath);

    /// <summary>An executable that is not Claude Code: enough for checks that stop before anything runs.</summary>
    private static string FakeClaude(Scratch scratch)
    {
        var path = Path.Combine(scratch.Root, "bin", "claude");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private static LaunchRefusedException Refused(LocalClaudeContext context, LocalLaunchRequest request) =>
        Assert.Throws<LaunchRefusedException>(() => new LocalLauncher(context, TextWriter.Null).Plan(request));

    [Fact]
    public void Unknown_profile_is_refused_with_the_known_ones()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var error = Refused(Context(profile), new LocalLaunchRequest { ProfileName = "no-such-profile", WorkDirectory = scratch.Work });
        Assert.Contains("unknown profile 'no-such-profile'", error.Message);
        Assert.Contains(profile.Name, error.Message);
    }

    [Fact]
    public void A_work_dir_holding_the_repos_or_the_users_config_is_refused()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var claude = FakeClaude(scratch);
        var repo = LauncherCli.Repo.Root;
        var home = ClaudeConfigFingerprint.UserHome;
        var cases = new List<(string Work, string Expected)>
        {
            (repo, "is the LocalClaude repository"),
            (Path.GetDirectoryName(repo)!, "is a parent of the LocalClaude repository"),
            ("/", "is a parent of"),
            (Path.Combine(repo, "tools"), "is inside the LocalClaude repository"),
            (home, "is a parent of your Claude Code config ~/.claude"),
            (Path.Combine(scratch.Root, "missing"), "does not exist"),
        };
        if (Directory.Exists(LocalClaudeHome.Default().Root)) cases.Add((LocalClaudeHome.Default().Root, "is the LocalClaude cache"));
        foreach (var (work, expected) in cases)
        {
            var error = Refused(Context(profile), new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = work, ClaudeBinary = claude });
            Assert.Contains(expected, error.Message);
        }
    }

    [Fact]
    public void A_sandbox_home_that_is_the_users_home_or_the_work_dir_is_refused()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var claude = FakeClaude(scratch);
        foreach (var (home, expected) in new[]
                 {
                     (ClaudeConfigFingerprint.UserHome, "is or contains your HOME"),
                     (scratch.Work, "must be separate folders"),
                     (Path.Combine(ClaudeConfigFingerprint.UserHome, ".claude", "x"), "inside your Claude Code config"),
                 })
        {
            var error = Refused(Context(profile), new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = scratch.Work, ClaudeBinary = claude, SandboxHome = home });
            Assert.Contains(expected, error.Message);
        }
    }

    [Fact]
    public void Missing_binaries_are_named_with_the_fix()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var emptyCache = new LocalClaudeHome(Directory.CreateDirectory(Path.Combine(scratch.Root, "empty-cache")).FullName);
        var request = new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = scratch.Work };

        var noClaude = Refused(Context(profile, emptyCache), request);
        Assert.Contains($"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed", noClaude.Message);
        Assert.Contains("tools/localclaude setup", noClaude.Message);

        var wrongClaude = Refused(Context(profile), request with { ClaudeBinary = Path.Combine(scratch.Root, "nowhere", "claude") });
        Assert.Contains("no executable file there", wrongClaude.Message);

        var noServer = Refused(Context(profile, emptyCache), request with { ClaudeBinary = FakeClaude(scratch) });
        Assert.Contains($"profile '{profile.Name}' cannot start", noServer.Message);
        Assert.Contains("tools/localclaude setup", noServer.Message);
    }

    [Fact]
    public void Api_needs_a_key()
    {
        using var scratch = new Scratch();
        var launcher = new AnthropicLauncher(LocalClaudeHome.Default(), new HashSet<string>(), TextWriter.Null);
        var request = new AnthropicLaunchRequest { Backend = LaunchBackend.Api, WorkDirectory = scratch.Work, ClaudeBinary = FakeClaude(scratch) };
        foreach (var environment in new[] { new Dictionary<string, string>(), new() { ["ANTHROPIC_API_KEY"] = "" } })
        {
            var error = Assert.Throws<LaunchRefusedException>(() => launcher.Plan(request, environment));
            Assert.Contains("needs your Anthropic API key in ANTHROPIC_API_KEY", error.Message);
        }
        Assert.Empty(launcher.Plan(request, new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-test" }).EnvironmentChanges);
    }

    [Fact]
    public async Task The_cli_exits_2_with_the_message_and_starts_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var unknown = await LauncherCli.RunAsync(["launch", "local", "--profile", "no-such-profile", "--workdir", scratch.Work], profile.Environment, scratch.Work, ct);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("error: unknown profile 'no-such-profile'", unknown.StandardError);

        var parent = await LauncherCli.RunAsync(["launch", "local", "--profile", profile.Name, "--workdir", Path.GetDirectoryName(LauncherCli.Repo.Root)!], profile.Environment, scratch.Work, ct);
        Assert.Equal(2, parent.ExitCode);
        Assert.Contains("is a parent of the LocalClaude repository", parent.StandardError);

        // claude-local: the profile from LOCALCLAUDE_PROFILE, the work dir from the current folder.
        var viaScript = await ExternalCommand.RunAsync(LauncherCli.ClaudeLocal, [], new CommandOptions
        {
            Environment = new Dictionary<string, string?>(profile.Environment) { ["LOCALCLAUDE_PROFILE"] = "no-such-profile" },
            WorkingDirectory = LauncherCli.Repo.Root,
            Timeout = TimeSpan.FromMinutes(3),
            ThrowOnFailure = false,
        }, ct);
        Assert.Equal(2, viaScript.ExitCode);
        Assert.Contains("unknown profile 'no-such-profile'", viaScript.StandardError);
        Assert.Empty(RunProcesses.Find(profile.Name));
    }
}
