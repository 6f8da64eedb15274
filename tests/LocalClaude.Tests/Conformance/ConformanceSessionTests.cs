using System.Net;
using System.Text.Json.Nodes;
using LocalClaude.Client;
using LocalClaude.Conformance;
using LocalClaude.Infrastructure;
using LocalClaude.Results;
using LocalClaude.Server;
using LocalClaude.Tests.Server;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Conformance;

/// <summary>
/// The session's harness outcomes are types, read as such by the CLI (exit 2) and the tests: a server that does not
/// start, an attach URL that accepts no connection, a check that throws, times out or outlives its server.
/// </summary>
public sealed class ConformanceSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_server_that_fails_to_start_is_a_typed_start_failure_that_exits_2_and_leaves_no_process()
    {
        var launch = ServerTestProfiles.RunnableCpuLaunch();
        var profile = launch.Profile with { ExtraArgs = [.. launch.Profile.ExtraArgs, "--no-such-llama-option"] };
        var before = ProcessTable.Matching("--no-such-llama-option").Count;

        var e = (await FluentActions.Awaiting(() => ConformanceSession.OpenAsync(ServerTestProfiles.Context, profile, ServerTarget.Start(), Ct)).Should().ThrowExactlyAsync<LlamaServerStartException>()).Which;

        e.Kind.Should().Be(ServerStartFailureKind.BadArguments);
        ProcessTable.Matching("--no-such-llama-option").Count.Should().Be(before);
        (await ExitCodes.GuardAsync("conformance", () => throw e, TextWriter.Null, null, Ct)).Should().Be(ExitCodes.CouldNotRun);
    }

    [Fact]
    public async Task An_attach_url_that_refuses_connections_is_a_typed_unreachable_outcome_that_exits_2()
    {
        var port = FreePort.Pick();
        var url = new Uri($"http://127.0.0.1:{port}/");

        var e = (await FluentActions.Awaiting(() =>
            ConformanceSession.OpenAsync(ServerTestProfiles.Context, ServerTestProfiles.Cpu, ServerTarget.Attach(url, "k"), Ct)).Should().ThrowExactlyAsync<ServerUnreachableException>()).Which;

        e.Url.Should().Be(url);
        e.Message.Should().Be("no server answers at " + url + ": connection refused");
        var error = new StringWriter();
        (await ExitCodes.GuardAsync("conformance", () => throw e, error, null, Ct)).Should().Be(ExitCodes.CouldNotRun);
        error.ToString().Trim().Should().Be($"error: {e.Message}");
    }

    [Theory]
    [InlineData("http://192.168.1.20:8080/")]
    [InlineData("http://example.com/")]
    [InlineData("file:///tmp/x")]
    public void An_attach_url_off_loopback_is_bad_input_before_any_traffic(string url) =>
        Assert.Throws<ArgumentException>(() => ServerTarget.FromArguments(url, null));

    [Fact]
    public void Without_a_url_the_target_starts_the_profiles_server()
    {
        ServerTarget.FromArguments(null, "key").AttachUrl.Should().BeNull();
        ServerTarget.FromArguments("http://[::1]:8080/", "key").AttachUrl.Should().Be(new Uri("http://[::1]:8080/"));
        ServerTarget.FromArguments("http://localhost:8080/", "key").ApiKey.Should().Be("key");
    }

    [Fact]
    public async Task A_check_that_throws_on_a_dropped_answer_could_not_run()
    {
        await using var listener = new ClosingListener(IPAddress.Loopback);
        await using var session = await AttachAsync(listener);
        var check = new ConformanceCheck("test.dropped", "test", "a request the server hangs up on", async (c, ct) =>
        {
            // The client reports the hang-up as an exchange without a body; reading it as JSON throws, as a check would.
            var exchange = await c.PostAsync(RequestBodies.Greedy(c.Model), ct);
            return CheckVerdict.Pass($"id {JsonNode.Parse(exchange.Exchange.ResponseText)!["id"]}");
        });

        var result = await session.RunCheckAsync(check, Ct);

        result.Harness.Should().Be(HarnessOutcome.CouldNotRun);
        result.Outcome.Should().Be(CheckOutcome.Fail);
        CheckResultPolicy.ExitCode([result]).Should().Be(ExitCodes.CouldNotRun);
    }

    [Fact]
    public async Task A_check_that_outlasts_its_timeout_timed_out()
    {
        await using var listener = new ClosingListener(IPAddress.Loopback);
        await using var session = await AttachAsync(listener);
        var check = new ConformanceCheck("test.hangs", "test", "never answers", async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return CheckVerdict.Pass("unreachable");
        })
        { Timeout = TimeSpan.FromMilliseconds(200) };

        var result = await session.RunCheckAsync(check, Ct);

        result.Harness.Should().Be(HarnessOutcome.TimedOut);
        result.Outcome.Should().Be(CheckOutcome.Fail);
        CheckResultPolicy.ExitCode([result], reportOnly: true).Should().Be(ExitCodes.CouldNotRun);
    }

    [Fact]
    public async Task A_check_that_judges_the_server_has_no_harness_outcome()
    {
        await using var listener = new ClosingListener(IPAddress.Loopback);
        await using var session = await AttachAsync(listener);
        var check = new ConformanceCheck("test.judges", "test", "a verdict", (_, _) => Task.FromResult(CheckVerdict.Fail("the server said no")));

        var result = await session.RunCheckAsync(check, Ct);

        result.Harness.Should().BeNull();
        result.Outcome.Should().Be(CheckOutcome.Fail);
        CheckResultPolicy.ExitCode([result]).Should().Be(ExitCodes.Verdict);
        session.Server.Process.Should().BeNull();
    }

    [Fact]
    public async Task A_server_that_dies_during_a_check_is_marked_so_and_counts_against_the_server()
    {
        ServerTestProfiles.RunnableCpuLaunch();
        await using var session = await ConformanceSession.OpenAsync(ServerTestProfiles.Context, ServerTestProfiles.Cpu, ServerTarget.Start(), Ct);
        var server = session.Server.Process!;
        var check = new ConformanceCheck("test.kills", "test", "the server goes away", async (_, _) =>
        {
            await server.StopAsync(TimeSpan.FromSeconds(5));
            return CheckVerdict.Pass("looked fine");
        });

        var result = await session.RunCheckAsync(check, Ct);

        result.Harness.Should().Be(HarnessOutcome.ServerDied);
        result.Outcome.Should().Be(CheckOutcome.Fail);
        CheckResultPolicy.ExitCode([result]).Should().Be(ExitCodes.Verdict);
    }

    [Fact]
    public async Task Disposing_a_session_stops_the_server_it_started()
    {
        ServerTestProfiles.RunnableCpuLaunch();
        var session = await ConformanceSession.OpenAsync(ServerTestProfiles.Context, ServerTestProfiles.Cpu, ServerTarget.Start(), Ct);
        var port = session.Server.BaseUrl.Port;
        FreePort.IsListening(port).Should().BeTrue();

        await session.DisposeAsync();

        FreePort.IsListening(port).Should().BeFalse("the session left its server running");
        ProcessTable.Matching($"--port {port} ").Should().BeEmpty();
    }

    private static Task<ConformanceSession> AttachAsync(ClosingListener listener) =>
        ConformanceSession.OpenAsync(ServerTestProfiles.Context, ServerTestProfiles.Cpu,
            ServerTarget.Attach(new Uri($"http://127.0.0.1:{listener.Port}/"), "k"), Ct);
}
