using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

/// <summary>What the sandbox must still allow: the model server, the work dir, its own HOME, and the real Claude Code.</summary>
[Collection(SandboxAttackCollection.Name)]
public sealed class SandboxAllowedPathTests(SandboxAttackFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private async Task<CommandResult> RunAsync(string script)
    {
        var result = await fixture.RequireSession().RunShellAsync(script, Timeout, TestContext.Current.CancellationToken);
        output.WriteLine($"exit {result.ExitCode}\n{result.StandardOutput}{result.StandardError}");
        return result;
    }

    [Fact]
    public async Task Model_server_is_reachable_at_127_0_0_1_and_localhost()
    {
        fixture.RequireSession();
        var port = fixture.ModelServer!.Port;
        var before = fixture.ModelServer.Connections;
        var result = await RunAsync($"""
            curl -sS -m 5 -d x http://127.0.0.1:{port}/v1/messages && curl -sS -m 5 -d x http://localhost:{port}/v1/messages
            """);
        result.ExitCode.Should().Be(0);
        (result.StandardOutput.Split(fixture.ModelServer.Marker).Length - 1).Should().Be(2);
        (fixture.ModelServer.Connections >= before + 2).Should().BeTrue("the host listener did not see the two connections");
    }

    [Fact]
    public async Task Work_dir_is_writable_and_the_host_can_read_what_was_written()
    {
        var session = fixture.RequireSession();
        var name = "written-" + Guid.NewGuid().ToString("N")[..8];
        var result = await RunAsync($"mkdir -p sub && echo 'hello from inside' > sub/{name} && chmod 600 sub/{name} && pwd");
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Trim().Should().Be(session.WorkDirectoryInside);
        var onHost = Path.Combine(fixture.Layout.Work, "sub", name);
        (await File.ReadAllTextAsync(onHost, TestContext.Current.CancellationToken)).Should().Be("hello from inside\n");
        (await SandboxTestEnvironment.OwnerAsync(onHost)).Should().Be(session.SandboxUid);
    }

    [Fact]
    public async Task Home_is_the_sandbox_home()
    {
        fixture.RequireSession();
        var result = await RunAsync("""
            echo "HOME=$HOME USER=$(id -un) TILDE=$(cd ~ && pwd)"
            mkdir -p ~/.claude && echo '{}' > ~/.claude.json && echo '{}' > ~/.claude/settings.json
            """);
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().Contain($"HOME={SandboxSpec.HomeInside} USER=sbx TILDE={SandboxSpec.HomeInside}");
        File.Exists(Path.Combine(fixture.Layout.Home, ".claude.json")).Should().BeTrue();
        File.Exists(Path.Combine(fixture.Layout.Home, ".claude", "settings.json")).Should().BeTrue();
    }

    [Fact]
    public async Task Runs_as_an_unprivileged_uid_without_capabilities()
    {
        var session = fixture.RequireSession();
        var result = await RunAsync("id -u; grep -E '^Cap(Eff|Prm|Inh|Amb):' /proc/self/status; grep NoNewPrivs /proc/self/status");
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Split('\n')[0].Trim().Should().Be(session.SandboxUid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        session.SandboxUid.Should().NotBe(0);
        (result.StandardOutput.Split("0000000000000000").Length - 1).Should().Be(4);
        result.StandardOutput.Should().MatchRegex(@"NoNewPrivs:\s+1");
    }

    [Fact]
    public async Task Real_claude_code_runs_inside()
    {
        fixture.RequireSession();
        var binary = SandboxTestEnvironment.RequireClaudeBinary(fixture.ClaudeBinary);
        var claude = $"{SandboxAttackFixture.ClaudeInside}/{Path.GetFileName(binary)}";
        var result = await fixture.RequireSession().RunAsync(claude, ["--version"], TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        output.WriteLine(result.StandardOutput + result.StandardError);
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Trim().Should().Be("2.1.328 (Claude Code)");
    }

    [Fact]
    public async Task Real_claude_code_talks_to_the_model_server_through_the_bridge_and_keeps_its_state_in_the_sandbox_home()
    {
        var session = fixture.RequireSession();
        var binary = SandboxTestEnvironment.RequireClaudeBinary(fixture.ClaudeBinary);
        var claude = $"{SandboxAttackFixture.ClaudeInside}/{Path.GetFileName(binary)}";
        // The listener is no model server: Claude Code gets a 200 it cannot parse and gives up. What counts is where its request went.
        var script = $"""
            export ANTHROPIC_BASE_URL=http://127.0.0.1:{fixture.ModelServer!.Port} ANTHROPIC_AUTH_TOKEN=llamacpp ANTHROPIC_MODEL=local-test
            export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 CLAUDE_CODE_MAX_RETRIES=0
            timeout 90 {claude} -p 'say hi' --output-format text; echo "claude exit $?"
            """;
        var result = await RunAsync(script);
        result.StandardOutput.Should().Contain("claude exit");
        fixture.ModelServer.RequestLines.Should().Contain(l => l.StartsWith("POST /v1/messages", StringComparison.Ordinal));
        (File.Exists(Path.Combine(fixture.Layout.Home, ".claude.json")) || Directory.Exists(Path.Combine(fixture.Layout.Home, ".claude"))).Should().BeTrue("Claude Code kept no state in the sandbox HOME");
    }

    [Fact]
    public async Task Shell_command_line_for_tmux_runs_the_same_sandbox()
    {
        var session = fixture.RequireSession();
        var shell = session.BuildShellCommand("/bin/sh", ["-c", "echo \"uid=$(id -u) home=$HOME\"; curl -sS -m 5 -d {} http://localhost:$0/v1/messages", session.ModelServerUrl!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var result = await ExternalCommand.RunAsync("/bin/sh", ["-c", shell], new CommandOptions { Timeout = Timeout, ThrowOnFailure = false }, TestContext.Current.CancellationToken);
        output.WriteLine(shell + "\n" + result.StandardOutput + result.StandardError);
        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().Contain($"uid={session.SandboxUid} home={SandboxSpec.HomeInside}");
        result.StandardOutput.Should().Contain(fixture.ModelServer!.Marker);
    }
}
