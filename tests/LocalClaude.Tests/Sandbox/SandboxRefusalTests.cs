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
        var problem = Assert.Single(probe.Problems, p => p.Component == "bubblewrap");
        Assert.Equal("apt-get install -y bubblewrap", problem.Fix);
        Assert.False(probe.CanRun(withNetwork: false));

        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => sandbox.StartAsync(new SandboxSpec
        {
            WorkDirectory = layout.Work, HomeDirectory = layout.Home, ModelServerPort = 8080,
        }, Ct));
        Assert.Contains("bwrap-not-installed-here", error.Message);
        Assert.Contains("apt-get install -y bubblewrap", error.Message);
        Assert.Contains("nothing was run", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Work));
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Home));
        Assert.False(Directory.Exists(runtimeRoot), "a runtime folder was prepared");
    }

    [Fact]
    public async Task Missing_socat_refuses_a_sandbox_that_needs_the_model_server()
    {
        using var layout = new HostLayout();
        var sandbox = new BwrapSandbox(new BwrapSandboxOptions { Socat = "socat-not-installed-here" });

        var probe = await sandbox.ProbeAsync(Ct);
        var problem = Assert.Single(probe.Problems, p => p.Component == "socat");
        Assert.True(problem.OnlyForNetwork);
        Assert.Equal("apt-get install -y socat", problem.Fix);

        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => sandbox.StartAsync(new SandboxSpec
        {
            WorkDirectory = layout.Work, HomeDirectory = layout.Home, ModelServerPort = 8080,
        }, Ct));
        Assert.Contains("socat-not-installed-here", error.Message);
        Assert.Contains("apt-get install -y socat", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Work));
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
        Assert.All(probe.Problems.Where(p => p.Component != "identity"), p => Assert.Contains("/nonexistent/localclaude", p.Message));
        Assert.Throws<SandboxUnavailableException>(() => probe.EnsureUsable(withNetwork: false));
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
        var problem = Assert.Single(probe.Problems, p => p.Component == "runtime folder");
        Assert.Contains(closed, problem.Message);
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
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("lo", result.StandardOutput.Trim());
        Assert.True(File.Exists(Path.Combine(layout.Work, "ran")));
    }
}
