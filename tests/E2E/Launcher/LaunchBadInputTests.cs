using LocalClaude.Infrastructure;
using LocalClaude.Launcher;
using LocalClaude.Provisioning;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>Bad input is refused with a message that names the problem, before anything starts.</summary>
[Collection(LauncherCollection.Name)]
public sealed class LaunchBadInputTests
{
    private static bool IsParentOf(string folder, string path)
    {
        var parent = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + "/";
        return parent == "/" ? false : path.StartsWith(parent, StringComparison.Ordinal);
    }

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
        FluentActions.Invoking(() => new LocalLauncher(context, TextWriter.Null).Plan(request)).Should().ThrowExactly<LaunchRefusedException>().Which;

    [Fact]
    public void Unknown_profile_is_refused_with_the_known_ones()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var error = Refused(Context(profile), new LocalLaunchRequest { ProfileName = "no-such-profile", WorkDirectory = scratch.Work });
        error.Message.Should().Contain("unknown profile 'no-such-profile'");
        error.Message.Should().Contain(profile.Name);
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
            error.Message.Should().Contain(expected);
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
                     (ClaudeConfigFingerprint.UserHome, "is a parent of your Claude Code config ~/.claude"),
                     (scratch.Work, "must be separate folders"),
                     (Path.Combine(ClaudeConfigFingerprint.UserHome, ".claude", "x"), "inside your Claude Code config"),
                 })
        {
            var error = Refused(Context(profile), new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = scratch.Work, ClaudeBinary = claude, SandboxHome = home });
            error.Message.Should().Contain(expected);
        }
    }

    /// <summary>
    /// Escape 3: --sandbox-home was not checked like --workdir: pointed at a checkout of this suite or the cache, the
    /// sandbox rewrote tools/localclaude or a cached llama-server, which the next host run executed.
    /// </summary>
    [Fact]
    public void Escape3_a_sandbox_home_in_the_suite_the_cache_the_users_config_or_a_system_folder_is_refused()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var claude = FakeClaude(scratch);
        var cache = LocalClaudeHome.Default();
        var repo = LauncherCli.Repo.Root;
        var home = ClaudeConfigFingerprint.UserHome;
        var cases = new List<(string Home, string Expected)>
        {
            (repo, "is the LocalClaude repository"),
            (Path.Combine(repo, "tools"), "is inside the LocalClaude repository"),
            (cache.Root, "is the LocalClaude cache"),
            (Path.Combine(cache.Root, "llama"), "is inside the LocalClaude cache"),
            (LocalLauncher.DefaultSandboxHome(cache, profile.Name), "is inside the LocalClaude cache"),
            (home, "is a parent of your Claude Code config ~/.claude"),
            (Path.Combine(home, ".claude"), "is your Claude Code config ~/.claude"),
            (Path.Combine(home, ".claude.json"), "is your Claude Code config ~/.claude.json"),
            ("/", "'/' is a parent of"),
            ("/etc/localclaude-home", "is inside the system folder /etc"),
            ("/tmp", "is the shared folder /tmp"),
        };
        foreach (var (sandboxHome, expected) in cases)
        {
            var error = Refused(Context(profile, cache), new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = scratch.Work, ClaudeBinary = claude, SandboxHome = sandboxHome });
            error.Message.Should().Contain("the sandbox HOME");
            // A folder that holds this checkout (CI may clone into /tmp or HOME) is refused for that first.
            error.Message.Should().Contain(IsParentOf(sandboxHome, repo) ? "is a parent of the LocalClaude repository" : expected);
        }
        // The allowed side: a folder of its own passes every path check (a refusal, if any, is about the server).
        var ok = Record.Exception(() => new LocalLauncher(Context(profile, cache), TextWriter.Null)
            .Plan(new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = scratch.Work, ClaudeBinary = claude, SandboxHome = scratch.Home }));
        (ok is null || ok.Message.Contains("cannot start", StringComparison.Ordinal)).Should().BeTrue(ok?.Message);
    }

    [Fact]
    public void A_work_dir_in_another_checkout_a_system_folder_or_behind_a_link_is_refused()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var claude = FakeClaude(scratch);
        // Another LocalClaude checkout, found by its marker files wherever it is.
        var other = Path.Combine(scratch.Root, "elsewhere", "LocalClaude");
        Directory.CreateDirectory(Path.Combine(other, "tools", "sub"));
        File.WriteAllText(Path.Combine(other, "LocalClaude.sln"), "");
        File.WriteAllText(Path.Combine(other, "tools", "localclaude"), "#!/bin/sh\n");
        var toRepo = Path.Combine(scratch.Root, "link-to-repo");
        File.CreateSymbolicLink(toRepo, LauncherCli.Repo.Root);
        var toEtc = Path.Combine(scratch.Root, "link-to-etc");
        File.CreateSymbolicLink(toEtc, "/etc");
        foreach (var (work, expected) in new[]
                 {
                     (other, "is a LocalClaude checkout"),
                     (Path.Combine(other, "tools", "sub"), "is inside a LocalClaude checkout"),
                     (Path.Combine(scratch.Root, "elsewhere"), "is a parent of a LocalClaude checkout"),
                     ("/usr/share", "is inside the system folder /usr"),
                     ("/etc", "is the system folder /etc"),
                     ("/var/lib", "is inside the system folder /var"),
                     (toRepo, $"'{LauncherCli.Repo.Root}' is the LocalClaude repository"),
                     (Path.Combine(toEtc, "..", "usr"), "is the system folder /usr"),
                     (Path.Combine(toEtc, "ssl"), "is inside the system folder /etc"),
                 })
        {
            var error = Refused(Context(profile), new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = work, ClaudeBinary = claude });
            error.Message.Should().Contain(expected);
        }
    }

    /// <summary>Escape 4: --claude FILE bound FILE's whole folder (a file in / exposed the host's root file system).</summary>
    [Fact]
    public async Task Escape4_claude_binds_only_its_file_or_its_package_never_the_folder_around_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new Scratch();
        // A file in a shared folder, with a sibling the sandbox must not see.
        var loose = FakeClaude(scratch);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(loose)!, "sibling-secret.txt"), "secret");
        var looseBind = ClaudeCodeLocator.BindFor(new ClaudeCodeBinary(loose, "--claude"));
        looseBind.Should().Be(new ClaudeCodeBind(loose, "claude", IsFile: true));
        // A file directly in / binds that file, never /.
        ClaudeCodeLocator.BindFor(new ClaudeCodeBinary("/claude-x", "--claude")).HostPath.Should().Be("/claude-x");
        // An npm install binds its package folder (from the real path), not node_modules or the prefix.
        var package = Path.Combine(scratch.Root, "prefix", "node_modules", "@anthropic-ai", "claude-code-linux-x64");
        Directory.CreateDirectory(Path.Combine(package, "bin"));
        File.WriteAllText(Path.Combine(package, "bin", "claude"), "#!/bin/sh\necho packaged\n");
        File.WriteAllText(Path.Combine(scratch.Root, "prefix", "node_modules", "sibling-package.txt"), "not claude");
        var link = Path.Combine(scratch.Root, "prefix", "claude");
        File.CreateSymbolicLink(link, Path.Combine(package, "bin", "claude"));
        var packageBind = ClaudeCodeLocator.BindFor(new ClaudeCodeBinary(link, "--claude"));
        packageBind.Should().Be(new ClaudeCodeBind(package, "bin/claude", IsFile: false));

        // Inside a real sandbox: only the file (or package) is there.
        var probe = await new BwrapSandbox().ProbeAsync(ct);
        if (!probe.CanRun(withNetwork: false)) MissingPart.Report("the sandbox cannot run here: " + string.Join("; ", probe.ProblemsFor(withNetwork: false)));
        var work = Directory.CreateDirectory(Path.Combine(scratch.Root, "w")).FullName;
        var home = Directory.CreateDirectory(Path.Combine(scratch.Root, "h")).FullName;
        await using var session = await new BwrapSandbox().StartAsync(new SandboxSpec
        {
            WorkDirectory = work,
            HomeDirectory = home,
            ReadOnlyBinds = [LocalLauncher.ClaudeReadOnlyBind(looseBind)],
        }, ct);
        var seen = await session.RunShellAsync($"ls -A {LocalLauncher.ClaudeFolderInside}; ls -A /tmp; {LocalLauncher.ClaudeInside(looseBind)}; echo rc=$?", TimeSpan.FromSeconds(60), ct);
        seen.StandardOutput.Trim().Should().Be("claude\nrc=0");
        (seen.StandardOutput + seen.StandardError).Should().NotContain("secret");
    }

    [Fact]
    public void A_claude_inside_a_reserved_folder_or_linked_into_one_is_refused()
    {
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var inRepo = Path.Combine(LauncherCli.Repo.Root, "tools", "localclaude");
        var link = Path.Combine(scratch.Root, "claude-link");
        File.CreateSymbolicLink(link, inRepo);
        foreach (var claude in new[] { inRepo, link })
        {
            var error = Refused(Context(profile), new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = scratch.Work, ClaudeBinary = claude });
            error.Message.Should().Contain($"--claude '{claude}'");
            error.Message.Should().Contain("is inside the LocalClaude repository");
        }
        // The suite's own Claude Code lives in the cache: that one stays allowed.
        if (ClaudeCodeInstall.Find(LocalClaudeHome.Default()) is { } pinned)
        {
            var ok = Record.Exception(() => new LocalLauncher(Context(profile), TextWriter.Null)
                .Plan(new LocalLaunchRequest { ProfileName = profile.Name, WorkDirectory = scratch.Work, ClaudeBinary = pinned.Binary }));
            (ok is null || ok.Message.Contains("cannot start", StringComparison.Ordinal)).Should().BeTrue(ok?.Message);
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
        noClaude.Message.Should().Contain($"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed");
        noClaude.Message.Should().Contain("tools/localclaude setup");

        var wrongClaude = Refused(Context(profile), request with { ClaudeBinary = Path.Combine(scratch.Root, "nowhere", "claude") });
        wrongClaude.Message.Should().Contain("no executable file there");

        var noServer = Refused(Context(profile, emptyCache), request with { ClaudeBinary = FakeClaude(scratch) });
        noServer.Message.Should().Contain($"profile '{profile.Name}' cannot start");
        noServer.Message.Should().Contain("tools/localclaude setup");
    }

    [Fact]
    public void Api_needs_a_key()
    {
        using var scratch = new Scratch();
        var launcher = new AnthropicLauncher(LocalClaudeHome.Default(), new HashSet<string>(), TextWriter.Null);
        var request = new AnthropicLaunchRequest { Backend = LaunchBackend.Api, WorkDirectory = scratch.Work, ClaudeBinary = FakeClaude(scratch) };
        foreach (var environment in new[] { new Dictionary<string, string>(), new() { ["ANTHROPIC_API_KEY"] = "" } })
        {
            var error = FluentActions.Invoking(() => launcher.Plan(request, environment)).Should().ThrowExactly<LaunchRefusedException>().Which;
            error.Message.Should().Contain("needs your Anthropic API key in ANTHROPIC_API_KEY");
        }
        launcher.Plan(request, new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-test" }).EnvironmentChanges.Should().BeEmpty();
    }

    [Fact]
    public async Task The_cli_exits_2_with_the_message_and_starts_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        var unknown = await LauncherCli.RunAsync(["launch", "local", "--profile", "no-such-profile", "--workdir", scratch.Work], profile.Environment, scratch.Work, ct);
        unknown.ExitCode.Should().Be(2);
        unknown.StandardError.Should().Contain("error: unknown profile 'no-such-profile'");

        var parent = await LauncherCli.RunAsync(["launch", "local", "--profile", profile.Name, "--workdir", Path.GetDirectoryName(LauncherCli.Repo.Root)!], profile.Environment, scratch.Work, ct);
        parent.ExitCode.Should().Be(2);
        parent.StandardError.Should().Contain("is a parent of the LocalClaude repository");

        // Every path argument goes through the same rule, with one line and exit 2.
        foreach (var (arguments, expected) in new (string[], string)[]
                 {
                     (["--sandbox-home", LauncherCli.Repo.Root], "the sandbox HOME"),
                     (["--sandbox-home", LocalClaudeHome.Default().Root], "is the LocalClaude cache"),
                     (["--claude", Path.Combine(LauncherCli.Repo.Root, "tools", "localclaude")], "is inside the LocalClaude repository"),
                     (["--workdir", "/usr/share"], "is inside the system folder /usr"),
                     (["--deny-write", "../escape"], "--deny-write '../escape'"),
                 })
        {
            string[] args = ["launch", "local", "--profile", profile.Name, .. arguments];
            if (!arguments.Contains("--workdir")) args = [.. args, "--workdir", scratch.Work];
            var refused = await LauncherCli.RunAsync(args, profile.Environment, scratch.Work, ct);
            refused.ExitCode.Should().Be(2);
            refused.StandardError.Should().Contain(expected);
            refused.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle();
        }

        // claude-local: the profile from LOCALCLAUDE_PROFILE, the work dir from the current folder.
        var viaScript = await ExternalCommand.RunAsync(LauncherCli.ClaudeLocal, [], new CommandOptions
        {
            Environment = new Dictionary<string, string?>(profile.Environment) { ["LOCALCLAUDE_PROFILE"] = "no-such-profile" },
            WorkingDirectory = LauncherCli.Repo.Root,
            Timeout = TimeSpan.FromMinutes(3),
            ThrowOnFailure = false,
        }, ct);
        viaScript.ExitCode.Should().Be(2);
        viaScript.StandardError.Should().Contain("unknown profile 'no-such-profile'");
        RunProcesses.Find(profile.Name).Should().BeEmpty();
    }
}
