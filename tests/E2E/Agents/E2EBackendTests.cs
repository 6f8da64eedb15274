using System.Net;
using LocalClaude.Agents;
using LocalClaude.Server;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Agents;

public sealed class E2EBackendTests
{
    private static readonly Profiles.ModelProfile Profile = LocalClaudeContext.Discover(AppContext.BaseDirectory).Profile("cpu-tiny");

    private static readonly LocalClaudeContext Context = LocalClaudeContext.Discover(AppContext.BaseDirectory);

    [Fact]
    public async Task A_user_server_on_localhost_is_reached_as_127_0_0_1_with_the_profile_model_and_key()
    {
        await using var listener = new ClosingListener(IPAddress.Loopback);
        var port = listener.Port;
        await using var server = await ServerUnderTest.OpenAsync(Context, Profile, ServerTarget.Attach(new Uri($"http://localhost:{port}/"), "secret-key"),
            TestContext.Current.CancellationToken);
        var backend = new LlamaServerBackend(server);
        await using var lease = await backend.LeaseAsync(E2EPartsForUnitTests.AnyTask(), TestContext.Current.CancellationToken);
        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), lease.Backend.BaseUrl);
        Assert.Equal(Profile.ServedModelName, lease.Backend.ModelName);
        Assert.Equal("secret-key", lease.Backend.AuthToken);
        Assert.Equal(Profile.ContextSize / Profile.ParallelSlots, lease.Backend.ContextTokens);
        Assert.Null(backend.Control);
        Assert.Equal("cpu-tiny", backend.Name);
        Assert.Null(await lease.SaveRequestsAsync(Path.GetTempPath(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_server_on_ipv6_loopback_is_refused_since_the_sandbox_cannot_reach_it()
    {
        await using var listener = new ClosingListener(IPAddress.IPv6Loopback);
        await using var server = await ServerUnderTest.OpenAsync(Context, Profile, ServerTarget.Attach(new Uri($"http://[::1]:{listener.Port}/"), "k"),
            TestContext.Current.CancellationToken);
        Assert.Throws<ArgumentException>(() => new LlamaServerBackend(server));
    }

    [Fact]
    public void A_server_off_loopback_is_refused_before_any_traffic() =>
        Assert.Throws<ArgumentException>(() => ServerTarget.Attach(new Uri("http://192.168.1.20:8080/"), "k"));

    [Theory]
    [InlineData("oracle", ControlKind.Oracle, "control-oracle")]
    [InlineData("noop", ControlKind.NoOp, "control-no-op")]
    [InlineData("No-Op", ControlKind.NoOp, "control-no-op")]
    public void Control_names_parse_and_are_marked_as_controls(string name, ControlKind kind, string column)
    {
        Assert.Equal(kind, ControlBackend.Parse(name));
        Assert.Equal(column, ControlBackend.Create(kind).Name);
        Assert.Throws<ArgumentException>(() => ControlBackend.Parse("llama"));
    }
}

/// <summary>Any real task folder, for tests that need one but do not run it.</summary>
internal static class E2EPartsForUnitTests
{
    public static TaskFixture AnyTask() =>
        TaskFixture.LoadAll(LocalClaudeContext.Discover(AppContext.BaseDirectory).Repo.Tasks).First();
}
