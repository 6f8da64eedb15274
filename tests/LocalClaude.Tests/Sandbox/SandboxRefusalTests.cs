using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

/// <summary>A missing tool stops the sandbox with a clear error naming the tool and its install command, and nothing runs.</summary>
public sealed class SandboxRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Missing_bubblewrap_refuses_and_runs_nothing()
    {
        using var layout = new HostLayout();
        var runtimeRoot = Path.Combine(layout.Root, "runtime");
        var sandbox = new BwrapSandbox(new BwrapSandboxOptions { Bwrap = "bwrap-not-installed-here", RuntimeRoot = runtimeRoot });

        var probe = await sandbox.ProbeAsync(Ct);
        var problem = probe.Problems.Should().ContainSingle(p => p.Component == "bubblewrap").Which;
        problem.Fix.Should().Be("apt-get install -y bubblewrap");
        probe.CanRun(withNetwork: false).Should().BeFalse();

        var error = (await FluentActions.Awaiting(() => sandbox.StartAsync(new SandboxSpec
        {
            WorkDirectory = layout.Work,
            HomeDirectory = layout.Home,
            ModelServerPort = 8080,
        }, Ct)).Should().ThrowExactlyAsync<SandboxUnavailableException>()).Which;
        error.Message.Should().Contain("bwrap-not-installed-here");
        error.Message.Should().Contain("apt-get install -y bubblewrap");
        error.Message.Should().Contain("nothing was run");
        Directory.EnumerateFileSystemEntries(layout.Work).Should().BeEmpty();
        Directory.EnumerateFileSystemEntries(layout.Home).Should().BeEmpty();
        Directory.Exists(runtimeRoot).Should().BeFalse("a runtime folder was prepared");
    }

    [Fact]
    public async Task Missing_socat_refuses_a_sandbox_that_needs_the_model_server()
    {
        using var layout = new HostLayout();
        var sandbox = new BwrapSandbox(new BwrapSandboxOptions { Socat = "socat-not-installed-here" });

        var probe = await sandbox.ProbeAsync(Ct);
        var problem = probe.Problems.Should().ContainSingle(p => p.Component == "socat").Which;
        problem.OnlyForNetwork.Should().BeTrue();
        problem.Fix.Should().Be("apt-get install -y socat");

        var error = (await FluentActions.Awaiting(() => sandbox.StartAsync(new SandboxSpec
        {
            WorkDirectory = layout.Work,
            HomeDirectory = layout.Home,
            ModelServerPort = 8080,
        }, Ct)).Should().ThrowExactlyAsync<SandboxUnavailableException>()).Which;
        error.Message.Should().Contain("socat-not-installed-here");
        error.Message.Should().Contain("apt-get install -y socat");
        Directory.EnumerateFileSystemEntries(layout.Work).Should().BeEmpty();
    }

    [Fact]
    public async Task A_tool_path_without_the_tools_names_each_missing_tool()
    {
        var probe = await new BwrapSandbox(new BwrapSandboxOptions { SearchPath = "/nonexistent/localclaude" }).ProbeAsync(Ct);
        var components = probe.Problems.Select(p => p.Component).ToHashSet();
        Assert.Contains("bubblewrap", components);
        Assert.Contains("socat", components);
        if (probe.CallerIsRoot)
        {
            Assert.Contains("setpriv", components);
            Assert.Contains("unshare", components);
        }
        Assert.All(probe.Problems.Where(p => p.Component != "identity"), p => p.Message.Should().Contain("/nonexistent/localclaude"));
        FluentActions.Invoking(() => probe.EnsureUsable(withNetwork: false)).Should().ThrowExactly<SandboxUnavailableException>();
    }

    [Fact]
    public async Task A_runtime_folder_the_sandbox_uid_cannot_reach_is_refused()
    {
        if (!RunEnvironment.IsRoot) Assert.Skip("only a root caller drops to another uid that needs to traverse it");
        using var layout = new HostLayout();
        var closed = Path.Combine(layout.Root, "closed");
        Directory.CreateDirectory(Path.Combine(closed, "runtime"));
        File.SetUnixFileMode(closed, (UnixFileMode)0b111_000_000);
        var probe = await new BwrapSandbox(new BwrapSandboxOptions { RuntimeRoot = Path.Combine(closed, "runtime") }).ProbeAsync(Ct);
        var problem = probe.Problems.Should().ContainSingle(p => p.Component == "runtime folder").Which;
        problem.Message.Should().Contain(closed);
    }

    [Fact]
    public async Task Without_a_model_port_socat_is_not_needed()
    {
        var real = await SandboxTestEnvironment.ProbeAsync();
        SandboxTestEnvironment.Require(real, withNetwork: false);
        using var layout = new HostLayout();
        var sandbox = new BwrapSandbox(new BwrapSandboxOptions { Socat = "socat-not-installed-here" });
        await using var session = await sandbox.StartAsync(new SandboxSpec { WorkDirectory = layout.Work, HomeDirectory = layout.Home }, Ct);
        var result = await session.RunShellAsync("echo ran > ./ran && tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", TimeSpan.FromSeconds(60), Ct);
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Trim().Should().Be("lo");
        File.Exists(Path.Combine(layout.Work, "ran")).Should().BeTrue();
    }
}
