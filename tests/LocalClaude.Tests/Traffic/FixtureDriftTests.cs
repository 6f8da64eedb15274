using LocalClaude.Tests.Support;
using System.Text.Json.Nodes;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

public sealed class FixtureDriftTests
{
    [Fact]
    public void The_same_recording_has_no_drift()
    {
        using var scratch = new TempDirectory();
        var a = FixtureBuilder.Write(scratch.Combine("a"), "x", FixtureBuilder.Request(1, 0, 10));
        var b = FixtureBuilder.Write(scratch.Combine("b"), "x", FixtureBuilder.Request(1, 0, 20, FixtureBuilder.Body("different words")));

        Assert.True(FixtureDrift.Compare(a, b).IsEmpty, FixtureDrift.Compare(a, b).Render());
    }

    [Fact]
    public void New_fields_betas_tools_headers_and_requests_are_reported()
    {
        using var scratch = new TempDirectory();
        var old = FixtureBuilder.Request(1, 0, 10) with
        {
            Headers = new Dictionary<string, string> { ["anthropic-beta"] = "claude-code-20250219,effort-2025-11-24", ["user-agent"] = "claude-cli/2.1.328", ["x-old"] = "1" },
        };
        var body = FixtureBuilder.Body("hi");
        body["output_config"] = new JsonObject { ["effort"] = "high" };
        ((JsonArray)body["tools"]!).Add(new JsonObject { ["name"] = "Monitor" });
        body["tools"]![0]!["description"] = "changed";
        var changed = FixtureBuilder.Request(1, 0, 10, body) with
        {
            Headers = new Dictionary<string, string> { ["anthropic-beta"] = "claude-code-20250219,afk-mode-2026-01-31", ["user-agent"] = "claude-cli/2.2.0", ["x-new"] = "1" },
        };
        var before = FixtureBuilder.Write(scratch.Combine("a"), "x", old);
        var after = FixtureBuilder.Write(scratch.Combine("b"), "x", changed,
            FixtureBuilder.Request(2, 20, 30, FixtureBuilder.Body("title", withTools: false), purpose: RequestPurpose.Background));

        var drift = FixtureDrift.Compare(before, after).Items.Select(i => i.ToString()).ToArray();

        Assert.Contains(drift, d => d.StartsWith("~ requests") && d.Contains("[main] -> [main, background]"));
        Assert.Contains(drift, d => d.StartsWith("+ fields") && d.Contains("output_config.effort: string"));
        Assert.Contains(drift, d => d.StartsWith("+ betas") && d.Contains("afk-mode-2026-01-31"));
        Assert.Contains(drift, d => d.StartsWith("- betas") && d.Contains("effort-2025-11-24"));
        Assert.Contains(drift, d => d.StartsWith("+ tools") && d.Contains("Monitor"));
        Assert.Contains(drift, d => d.StartsWith("~ tools") && d.Contains("Bash: definition changed"));
        Assert.Contains(drift, d => d.StartsWith("+ headers") && d.Contains("x-new"));
        Assert.Contains(drift, d => d.StartsWith("- headers") && d.Contains("x-old"));
        Assert.Contains(drift, d => d.StartsWith("~ headers") && d.Contains("user-agent: 'claude-cli/2.1.328' -> 'claude-cli/2.2.0'"));
    }
}
