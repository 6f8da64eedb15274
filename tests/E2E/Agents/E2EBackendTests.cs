using LocalClaude.Agents;
using LocalClaude.Server;

namespace LocalClaude.E2E.Tests.Agents;

public sealed class E2EBackendTests
{
    private static readonly Profiles.ModelProfile Profile = LocalClaudeContext.Discover(AppContext.BaseDirectory).Profile("cpu-tiny");

    [Fact]
    public async Task A_user_server_on_localhost_is_reached_as_127_0_0_1_with_the_profile_model_and_key()
    {
        var port = FreePort.Pick();
        await using var server = await ServerUnderTest.AttachAsync(Profile, new Uri($"http://localhost:{port}/"), "secret-key", TestContext.Current.CancellationToken);
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

    [Theory]
    [InlineData("http://[::1]:8080/")]
    [InlineData("http://192.168.1.20:8080/")]
    public async Task A_server_the_sandbox_cannot_reach_is_refused(string url)
    {
        // Attaching asks the address for /props; an unreachable one must not hold the test up.
        using var quick = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        quick.CancelAfter(TimeSpan.FromSeconds(1));
        await using var server = await ServerUnderTest.AttachAsync(Profile, new Uri(url), "k", quick.Token);
        Assert.Throws<ArgumentException>(() => new LlamaServerBackend(server));
    }

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
