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
        lease.Backend.BaseUrl.Should().Be(new Uri($"http://127.0.0.1:{port}/"));
        lease.Backend.ModelName.Should().Be(Profile.ServedModelName);
        lease.Backend.AuthToken.Should().Be("secret-key");
        lease.Backend.ContextTokens.Should().Be(Profile.ContextSize / Profile.ParallelSlots);
        backend.Control.Should().BeNull();
        backend.Name.Should().Be("cpu-tiny");
        (await lease.SaveRequestsAsync(Path.GetTempPath(), TestContext.Current.CancellationToken)).Should().BeNull();
    }

    [Fact]
    public async Task A_server_on_ipv6_loopback_is_refused_since_the_sandbox_cannot_reach_it()
    {
        await using var listener = new ClosingListener(IPAddress.IPv6Loopback);
        await using var server = await ServerUnderTest.OpenAsync(Context, Profile, ServerTarget.Attach(new Uri($"http://[::1]:{listener.Port}/"), "k"),
            TestContext.Current.CancellationToken);
        FluentActions.Invoking(() => new LlamaServerBackend(server)).Should().ThrowExactly<ArgumentException>();
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
        ControlBackend.Parse(name).Should().Be(kind);
        ControlBackend.Create(kind).Name.Should().Be(column);
        FluentActions.Invoking(() => ControlBackend.Parse("llama")).Should().ThrowExactly<ArgumentException>();
    }
}

/// <summary>Any real task folder, for tests that need one but do not run it.</summary>
internal static class E2EPartsForUnitTests
{
    public static TaskFixture AnyTask() =>
        TaskFixture.LoadAll(LocalClaudeContext.Discover(AppContext.BaseDirectory).Repo.Tasks).First();
}
