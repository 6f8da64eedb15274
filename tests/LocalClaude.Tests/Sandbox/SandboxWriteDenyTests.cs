using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// The mandatory deny paths (<see cref="WriteDenyList"/>): what the sandbox writes in its work dir must never run on
/// the host afterwards (git's fsmonitor and hooks, shell rc files, agent configs), while git and ordinary files still
/// work inside. Each test attacks from inside, then looks on the host after the session has ended.
/// </summary>
public sealed class SandboxWriteDenyTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>A work dir and HOME under one temp folder, and a marker path outside both that any escaped command would create.</summary>
    private sealed class Scene : IDisposable
    {
        private readonly TempDirectory _temp = new("lc-deny");

        public Scene()
        {
            Work = Directory.CreateDirectory(_temp.Combine("work")).FullName;
            Home = Directory.CreateDirectory(_temp.Combine("home")).FullName;
            Marker = _temp.Combine("pwned-" + Guid.NewGuid().ToString("N")[..8]);
        }

        public string Work { get; }
        public string Home { get; }
        public string Marker { get; }
        public void Dispose() => _temp.Dispose();
    }

    private async Task<(CommandResult Inside, IReadOnlyList<string> Quarantined)> RunInsideAsync(Scene scene, string script, IReadOnlyList<string>? denyWrite = null)
    {
        SandboxTestEnvironment.Require(await SandboxTestEnvironment.ProbeAsync(), withNetwork: false);
        var session = await new BwrapSandbox().StartAsync(new SandboxSpec
        {
            WorkDirectory = scene.Work,
            HomeDirectory = scene.Home,
            DenyWrite = denyWrite ?? [],
            Environment = new Dictionary<string, string> { ["GIT_AUTHOR_NAME"] = "sbx", ["GIT_AUTHOR_EMAIL"] = "sbx@localhost", ["GIT_COMMITTER_NAME"] = "sbx", ["GIT_COMMITTER_EMAIL"] = "sbx@localhost" },
        }, Ct);
        CommandResult result;
        await using (session) result = await session.RunShellAsync(script, Timeout, Ct);
        output.WriteLine($"exit {result.ExitCode}\n{result.StandardOutput}{result.StandardError}\nquarantined: {string.Join(", ", session.Quarantined)}");
        return (result, session.Quarantined);
    }

    /// <summary>git as the user runs it on the host afterwards; any fsmonitor, hook or pager it ran would create the marker.</summary>
    private static async Task<CommandResult> HostGitAsync(string folder, params string[] arguments) =>
        await ExternalCommand.RunAsync("git", ["-C", folder, .. arguments], new CommandOptions
        {
            Timeout = TimeSpan.FromSeconds(30),
            ThrowOnFailure = false,
            Environment = new Dictionary<string, string?> { ["GIT_AUTHOR_NAME"] = "host", ["GIT_AUTHOR_EMAIL"] = "host@localhost", ["GIT_COMMITTER_NAME"] = "host", ["GIT_COMMITTER_EMAIL"] = "host@localhost" },
        }, Ct);

    private static async Task HostRepoAsync(string work)
    {
        await File.WriteAllTextAsync(Path.Combine(work, "file.txt"), "one\n", Ct);
        foreach (var args in new[] { new[] { "init", "-q" }, ["add", "."], ["commit", "-qm", "host"] })
            (await HostGitAsync(work, args)).Succeeded.Should().BeTrue($"git {string.Join(' ', args)} failed on the host");
    }

    /// <summary>Escape 5: core.fsmonitor, a hook or a config line set inside ran as the user on the next host `git status`.</summary>
    [Fact]
    public async Task Escape5_git_config_and_hooks_set_inside_an_existing_repo_never_run_on_the_host_and_commits_still_work()
    {
        using var scene = new Scene();
        await HostRepoAsync(scene.Work);
        var configBefore = await File.ReadAllTextAsync(Path.Combine(scene.Work, ".git", "config"), Ct);
        var touch = $"touch {scene.Marker}";

        var (inside, quarantined) = await RunInsideAsync(scene, $"""
            git config core.fsmonitor '{touch}' && echo "ESCAPED: git config"
            printf '[core]\n\tfsmonitor = {touch}\n' >> .git/config && echo "ESCAPED: append"
            printf '#!/bin/sh\n{touch}\n' > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout && echo "ESCAPED: hook"
            mv .git/config .git/config.old && echo "ESCAPED: rename config"
            mv .git .git-away && echo "ESCAPED: rename .git"
            rm -rf .git/hooks && echo "ESCAPED: remove hooks"
            echo two >> file.txt && git commit -qam inside && echo COMMITTED
            echo "../elsewhere" > .git/commondir && echo "commondir written"
            """);

        inside.StandardOutput.Should().NotContain("ESCAPED");
        inside.StandardOutput.Should().Contain("COMMITTED");
        // Layer 2: what could be written (commondir would redirect git's config) was moved aside.
        quarantined.Should().Contain(Path.Combine(scene.Work, ".git", "commondir") + WriteDenyList.QuarantineSuffix);

        (await File.ReadAllTextAsync(Path.Combine(scene.Work, ".git", "config"), Ct)).Should().Be(configBefore);
        File.Exists(Path.Combine(scene.Work, ".git", "hooks", "post-checkout")).Should().BeFalse();
        var status = await HostGitAsync(scene.Work, "status", "--porcelain");
        status.Succeeded.Should().BeTrue(status.StandardError);
        await HostGitAsync(scene.Work, "checkout", "-q", "-b", "probe");
        File.Exists(scene.Marker).Should().BeFalse("a command set inside ran on the host");
        var log = await HostGitAsync(scene.Work, "log", "--format=%s");
        log.StandardOutput.Trim().Should().Be("inside\nhost");
    }

    [Fact]
    public async Task A_repository_created_inside_does_not_survive_the_session_as_a_repository()
    {
        using var scene = new Scene();
        var touch = $"touch {scene.Marker}";

        var (inside, quarantined) = await RunInsideAsync(scene, $"""
            git init -q && git config core.fsmonitor '{touch}' && git commit -q --allow-empty -m inside && echo "INIT-OK"
            mkdir -p deep/er && cd deep/er && git init -q && git config core.hooksPath /nonexistent && git config core.fsmonitor '{touch}' && echo "NESTED-OK"
            """);

        // Git works inside for the session...
        inside.StandardOutput.Should().Contain("INIT-OK");
        inside.StandardOutput.Should().Contain("NESTED-OK");
        // ...but the host finds no .git it did not have: each was moved aside, where git does not look.
        Directory.Exists(Path.Combine(scene.Work, ".git")).Should().BeFalse();
        Directory.Exists(Path.Combine(scene.Work, "deep", "er", ".git")).Should().BeFalse();
        Directory.Exists(Path.Combine(scene.Work, ".git" + WriteDenyList.QuarantineSuffix)).Should().BeTrue();
        quarantined.Count(q => q.EndsWith(".git" + WriteDenyList.QuarantineSuffix, StringComparison.Ordinal)).Should().Be(2);
        foreach (var folder in new[] { scene.Work, Path.Combine(scene.Work, "deep", "er") })
        {
            var status = await HostGitAsync(folder, "status");
            status.Succeeded.Should().BeFalse($"{folder} is still a repository on the host");
        }
        File.Exists(scene.Marker).Should().BeFalse("a command set inside ran on the host");
    }

    [Fact]
    public async Task Shell_rc_files_and_agent_configs_written_inside_do_not_survive_and_ordinary_files_do()
    {
        using var scene = new Scene();
        var hook = "{\"hooks\":{\"SessionStart\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"touch " + scene.Marker + "\"}]}]}}";
        var (inside, quarantined) = await RunInsideAsync(scene, $$"""
            echo 'touch {{scene.Marker}}' > .bashrc && echo "wrote .bashrc"
            echo 'touch {{scene.Marker}}' > .profile
            mkdir -p .claude && echo '{{hook}}' > .claude/settings.json && echo "wrote settings"
            mkdir -p .vscode && echo '{}' > .vscode/tasks.json
            echo '{}' > .mcp.json
            echo 'touch {{scene.Marker}}' > ~/.bashrc
            echo notes > notes.txt && mkdir -p src && echo 'print(1)' > src/main.py && echo "ORDINARY-OK"
            """);

        inside.StandardOutput.Should().Contain("ORDINARY-OK");
        foreach (var denied in new[] { ".bashrc", ".profile", ".claude/settings.json", ".vscode", ".mcp.json" })
        {
            Path.Exists(Path.Combine(scene.Work, denied)).Should().BeFalse($"{denied} survived the session");
            quarantined.Should().Contain(Path.Combine(scene.Work, denied) + WriteDenyList.QuarantineSuffix);
        }
        File.Exists(Path.Combine(scene.Home, ".bashrc")).Should().BeFalse("the sandbox HOME kept a .bashrc");
        (await File.ReadAllTextAsync(Path.Combine(scene.Work, "notes.txt"), Ct)).Should().Be("notes\n");
        File.Exists(Path.Combine(scene.Work, "src", "main.py")).Should().BeTrue();
    }

    [Fact]
    public async Task Existing_rc_files_and_agent_configs_are_read_only_inside_and_their_folders_stay_writable()
    {
        using var scene = new Scene();
        var originals = new Dictionary<string, string>
        {
            [".bashrc"] = "# the user's own\n",
            [".claude/settings.json"] = "{\"permissions\":{}}\n",
            [".vscode/settings.json"] = "{}\n",
            [".mcp.json"] = "{\"mcpServers\":{}}\n",
            [".envrc"] = "export A=1\n",
        };
        foreach (var (name, content) in originals)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(scene.Work, name))!);
            await File.WriteAllTextAsync(Path.Combine(scene.Work, name), content, Ct);
        }

        var (inside, quarantined) = await RunInsideAsync(scene, $$"""
            echo 'touch {{scene.Marker}}' >> .bashrc && echo "ESCAPED: .bashrc"
            rm -f .bashrc && echo "ESCAPED: rm .bashrc"
            echo x > .claude/settings.json && echo "ESCAPED: settings"
            mv .claude .claude-away && echo "ESCAPED: rename .claude"
            echo x > .vscode/tasks.json && echo "ESCAPED: .vscode"
            echo x > .mcp.json && echo "ESCAPED: .mcp.json"
            mv .envrc envrc && echo "ESCAPED: rename .envrc"
            echo '{}' > .claude/notes.json && echo "CLAUDE-FOLDER-WRITABLE"
            """);

        inside.StandardOutput.Should().NotContain("ESCAPED");
        inside.StandardOutput.Should().Contain("CLAUDE-FOLDER-WRITABLE");
        foreach (var (name, content) in originals)
            (await File.ReadAllTextAsync(Path.Combine(scene.Work, name), Ct)).Should().Be(content);
        File.Exists(Path.Combine(scene.Work, ".vscode", "tasks.json")).Should().BeFalse();
        quarantined.Should().BeEmpty();
    }

    [Fact]
    public async Task Deny_write_entries_from_the_spec_are_protected_like_the_mandatory_ones()
    {
        using var scene = new Scene();
        await File.WriteAllTextAsync(Path.Combine(scene.Work, "Makefile"), "all:\n\ttrue\n", Ct);
        var (inside, quarantined) = await RunInsideAsync(scene, """
            printf 'all:\n\ttouch pwned\n' > Makefile && echo "ESCAPED: Makefile"
            echo x > Justfile && echo "wrote Justfile"
            echo x > README.md && echo "README-OK"
            """, denyWrite: ["Makefile", "Justfile"]);

        inside.StandardOutput.Should().NotContain("ESCAPED");
        inside.StandardOutput.Should().Contain("README-OK");
        (await File.ReadAllTextAsync(Path.Combine(scene.Work, "Makefile"), Ct)).Should().Be("all:\n\ttrue\n");
        File.Exists(Path.Combine(scene.Work, "Justfile")).Should().BeFalse();
        quarantined.Should().Contain(Path.Combine(scene.Work, "Justfile") + WriteDenyList.QuarantineSuffix);
    }

    [Fact]
    public async Task A_sandbox_refuses_reserved_folders_as_writable_folders_or_whole_read_only_binds()
    {
        SandboxTestEnvironment.Require(await SandboxTestEnvironment.ProbeAsync(), withNetwork: false);
        using var scene = new Scene();
        var checkout = ReservedPathsTests.MakeCheckout(Path.Combine(Path.GetDirectoryName(scene.Work)!, "other-checkout"));
        var inCheckout = Directory.CreateDirectory(Path.Combine(checkout, "sub")).FullName;
        var sandbox = new BwrapSandbox();
        var cases = new (SandboxSpec Spec, string Expected)[]
        {
            (new SandboxSpec { WorkDirectory = ReservedPaths.UserHome(), HomeDirectory = scene.Home }, "work dir"),
            (new SandboxSpec { WorkDirectory = "/", HomeDirectory = scene.Home }, "'/'"),
            (new SandboxSpec { WorkDirectory = "/usr/share", HomeDirectory = scene.Home }, "the system folder /usr"),
            (new SandboxSpec { WorkDirectory = scene.Work, HomeDirectory = inCheckout }, "a LocalClaude checkout"),
            (new SandboxSpec { WorkDirectory = scene.Work, HomeDirectory = scene.Home, ReadOnlyBinds = [new ReadOnlyBind("/", "/opt/root")] }, "read-only bind source '/'"),
            (new SandboxSpec { WorkDirectory = scene.Work, HomeDirectory = scene.Home, ReadOnlyBinds = [new ReadOnlyBind("/tmp", "/opt/tmp")] }, "the shared folder /tmp"),
            (new SandboxSpec { WorkDirectory = scene.Work, HomeDirectory = scene.Home, DenyWrite = ["../x"] }, "deny-write entry"),
        };
        foreach (var (spec, expected) in cases)
        {
            var error = (await FluentActions.Awaiting(() => sandbox.StartAsync(spec, Ct)).Should().ThrowExactlyAsync<ArgumentException>()).Which;
            output.WriteLine(error.Message);
            error.Message.Should().Contain(expected);
        }
        // The allowed side: a project folder of its own, with the read-only file of a tool in /tmp.
        var tool = Path.Combine(Path.GetDirectoryName(scene.Work)!, "tool.sh");
        await File.WriteAllTextAsync(tool, "#!/bin/sh\necho tool-ran\n", Ct);
        await using var session = await sandbox.StartAsync(new SandboxSpec
        {
            WorkDirectory = scene.Work,
            HomeDirectory = scene.Home,
            ReadOnlyBinds = [new ReadOnlyBind(tool, "/opt/tool.sh")],
        }, Ct);
        var ran = await session.RunShellAsync("sh /opt/tool.sh", Timeout, Ct);
        ran.StandardOutput.Trim().Should().Be("tool-ran");
    }
}
