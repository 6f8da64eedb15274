using LocalClaude.Client;
using System.Net;
using System.Text.Json.Nodes;
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

        var e = await Assert.ThrowsAsync<LlamaServerStartException>(() => ConformanceSession.OpenAsync(ServerTestProfiles.Context, profile, ServerTarget.Start(), Ct));

        Assert.Equal(ServerStartFailureKind.BadArguments, e.Kind);
        Assert.Equal(before, ProcessTable.Matching("--no-such-llama-option").Count);
        Assert.Equal(ExitCodes.CouldNotRun, await ExitCodes.GuardAsync("conformance", () => throw e, TextWriter.Null, null, Ct));
    }

    [Fact]
    public async Task An_attach_url_that_refuses_connections_is_a_typed_unreachable_outcome_that_exits_2()
    {
        var port = FreePort.Pick();
        var url = new Uri($"http://127.0.0.1:{port}/");

        var e = await Assert.ThrowsAsync<ServerUnreachableException>(() =>
            ConformanceSession.OpenAsync(ServerTestProfiles.Context, ServerTestProfiles.Cpu, ServerTarget.Attach(url, "k"), Ct));

        Assert.Equal(url, e.Url);
        Assert.Equal("no server answers at " + url + ": connection refused", e.Message);
        var error = new StringWriter();
        Assert.Equal(ExitCodes.CouldNotRun, await ExitCodes.GuardAsync("conformance", () => throw e, error, null, Ct));
        Assert.Equal($"error: {e.Message}", error.ToString().Trim());
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
        Assert.Null(ServerTarget.FromArguments(null, "key").AttachUrl);
        Assert.Equal(new Uri("http://[::1]:8080/"), ServerTarget.FromArguments("http://[::1]:8080/", "key").AttachUrl);
        Assert.Equal("key", ServerTarget.FromArguments("http://localhost:8080/", "key").ApiKey);
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

        Assert.Equal(HarnessOutcome.CouldNotRun, result.Harness);
        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Equal(ExitCodes.CouldNotRun, CheckResultPolicy.ExitCode([result]));
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
        }) { Timeout = TimeSpan.FromMilliseconds(200) };

        var result = await session.RunCheckAsync(check, Ct);

        Assert.Equal(HarnessOutcome.TimedOut, result.Harness);
        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Equal(ExitCodes.CouldNotRun, CheckResultPolicy.ExitCode([result], reportOnly: true));
    }

    [Fact]
    public async Task A_check_that_judges_the_server_has_no_harness_outcome()
    {
        await using var listener = new ClosingListener(IPAddress.Loopback);
        await using var session = await AttachAsync(listener);
        var check = new ConformanceCheck("test.judges", "test", "a verdict", (_, _) => Task.FromResult(CheckVerdict.Fail("the server said no")));

        var result = await session.RunCheckAsync(check, Ct);

        Assert.Null(result.Harness);
        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Equal(ExitCodes.Verdict, CheckResultPolicy.ExitCode([result]));
        Assert.Null(session.Server.Process);
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

        Assert.Equal(HarnessOutcome.ServerDied, result.Harness);
        Assert.Equal(CheckOutcome.Fail, result.Outcome);
        Assert.Equal(ExitCodes.Verdict, CheckResultPolicy.ExitCode([result]));
    }

    [Fact]
    public async Task Disposing_a_session_stops_the_server_it_started()
    {
        ServerTestProfiles.RunnableCpuLaunch();
        var session = await ConformanceSession.OpenAsync(ServerTestProfiles.Context, ServerTestProfiles.Cpu, ServerTarget.Start(), Ct);
        var port = session.Server.BaseUrl.Port;
        Assert.True(FreePort.IsListening(port));

        await session.DisposeAsync();

        Assert.False(FreePort.IsListening(port), "the session left its server running");
        Assert.Empty(ProcessTable.Matching($"--port {port} "));
    }

    private static Task<ConformanceSession> AttachAsync(ClosingListener listener) =>
        ConformanceSession.OpenAsync(ServerTestProfiles.Context, ServerTestProfiles.Cpu,
            ServerTarget.Attach(new Uri($"http://127.0.0.1:{listener.Port}/"), "k"), Ct);
}
