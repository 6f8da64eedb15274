using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

/// <summary>The fixtures in fixtures/traffic: present, loadable, from the pinned Claude Code, and free of machine-specific values.</summary>
public sealed class CommittedFixturesTests
{
    private static readonly string Root = RepoLayout.Find(AppContext.BaseDirectory).Traffic;

    /// <summary>The scenarios issue 4 asks for.</summary>
    public static TheoryData<string> Required => new(
        "headless-greeting", "headless-tool-bash", "headless-tool-read-write", "interactive-title", "interactive-context",
        "model-haiku", "model-sonnet", "model-opus", "interactive-multi-turn");

    public static TheoryData<string> All => new(TrafficFixture.FindAll(Root).Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(Required))]
    public void A_required_fixture_is_committed(string name) =>
        File.Exists(Path.Combine(Root, name, TrafficFixture.ManifestFile)).Should().BeTrue($"fixtures/traffic/{name} is missing");

    [Theory]
    [MemberData(nameof(All))]
    public void A_fixture_loads_and_was_recorded_from_the_pinned_Claude_Code(string name)
    {
        var fixture = TrafficFixture.Load(Path.Combine(Root, name));

        fixture.Name.Should().Be(name);
        fixture.Manifest.ClaudeCodeVersion.Should().Be(ClaudeCodeInstall.PinnedVersion);
        fixture.Manifest.RecordedWith.Should().StartWith("tools/localclaude record ");
        Assert.All(fixture.Exchanges.Where(e => e.Request.Method == "POST"), e => e.Request.Headers["user-agent"].Should().StartWith("claude-cli/2.1.328"));
        if (fixture.Manifest.Upstream.Kind == TrafficUpstream.ControlKind)
            fixture.Manifest.Upstream.Server.Should().Contain("CONTROL");
    }

    [Theory]
    [MemberData(nameof(All))]
    public void A_fixture_holds_no_machine_paths_ids_or_credentials(string name)
    {
        var text = string.Join('\n', Directory.EnumerateFiles(Path.Combine(Root, name), "*", SearchOption.AllDirectories).Select(File.ReadAllText));

        foreach (var forbidden in new[] { "/root/", "/home/", "/tmp/", ".cache/localclaude", "Bearer localclaude", "sk-ant-" })
            text.Should().NotContain(forbidden);
        text.Should().NotMatchRegex(@"""device_id\\"":\\""[0-9a-f]{16,}");
        text.Should().NotMatchRegex(@"x-claude-code-session-id"": ""[0-9a-f]{8}-");
        text.Should().NotMatchRegex(@"Today's date is \d{4}-\d{2}-\d{2}");
    }
}
