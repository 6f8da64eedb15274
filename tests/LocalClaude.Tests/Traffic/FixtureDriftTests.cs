using System.Text.Json.Nodes;
using LocalClaude.Tests.Support;
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

        FixtureDrift.Compare(a, b).IsEmpty.Should().BeTrue(FixtureDrift.Compare(a, b).Render());
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

        drift.Should().Contain(d => d.StartsWith("~ requests") && d.Contains("[main] -> [main, background]"));
        drift.Should().Contain(d => d.StartsWith("+ fields") && d.Contains("output_config.effort: string"));
        drift.Should().Contain(d => d.StartsWith("+ betas") && d.Contains("afk-mode-2026-01-31"));
        drift.Should().Contain(d => d.StartsWith("- betas") && d.Contains("effort-2025-11-24"));
        drift.Should().Contain(d => d.StartsWith("+ tools") && d.Contains("Monitor"));
        drift.Should().Contain(d => d.StartsWith("~ tools") && d.Contains("Bash: definition changed"));
        drift.Should().Contain(d => d.StartsWith("+ headers") && d.Contains("x-new"));
        drift.Should().Contain(d => d.StartsWith("- headers") && d.Contains("x-old"));
        drift.Should().Contain(d => d.StartsWith("~ headers") && d.Contains("user-agent: 'claude-cli/2.1.328' -> 'claude-cli/2.2.0'"));
    }

    [Fact]
    public void A_changed_tool_definition_shows_which_fields_changed_and_how()
    {
        var before = JsonNode.Parse("""
            {"name":"Bash","description":"Runs a command. The default timeout is 2 minutes; the longest is 10 minutes, after which it is stopped.",
             "input_schema":{"type":"object","required":["command"],"properties":{"command":{"type":"string"},"timeout":{"type":"number","maximum":600000}}}}
            """);
        var after = JsonNode.Parse("""
            {"name":"Bash","description":"Runs a command. The default timeout is 2 minutes; the longest is 20 minutes, after which it is stopped.",
             "input_schema":{"type":"object","required":["command","description"],"properties":{"command":{"type":"string"},"timeout":{"type":"number","maximum":1200000},"description":{"type":"string"}}},
             "defer_loading":true}
            """);

        var lines = JsonNodeDiff.Lines(before, after);

        lines.Should().Equal([
            "+ defer_loading: true",
            "~ description: \"…minutes; the longest is 10 minutes, after which…\" -> \"…minutes; the longest is 20 minutes, after which…\" (+0 chars)",
            "+ input_schema.properties.description: {\"type\":\"string\"}",
            "~ input_schema.properties.timeout.maximum: 600000 -> 1200000",
            "+ input_schema.required[]: \"description\"",
        ]);
        JsonNodeDiff.Lines(before, before!.DeepClone()).Should().BeEmpty();
    }

    [Fact]
    public void Drift_carries_the_tool_diff_and_the_system_prompt_size()
    {
        using var scratch = new TempDirectory();
        var oldBody = FixtureBuilder.Body("hi");
        var newBody = FixtureBuilder.Body("hi");
        newBody["tools"]![0]!["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["run_in_background"] = new JsonObject { ["type"] = "boolean" } } };
        newBody["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "a much longer system prompt than before, with new rules" });
        var before = FixtureBuilder.Write(scratch.Combine("a"), "x", FixtureBuilder.Request(1, 0, 10, oldBody));
        var after = FixtureBuilder.Write(scratch.Combine("b"), "x", FixtureBuilder.Request(1, 0, 10, newBody));

        var items = FixtureDrift.Compare(before, after).Items;

        var tool = items.Should().ContainSingle(i => i.Area == "tools" && i.Change == '~').Which;
        tool.Details!.Should().Contain(d => d.StartsWith("+ input_schema.properties: {\"run_in_background\"", StringComparison.Ordinal));
        items.Should().Contain(i => i.Area == "system" && i.What.StartsWith("size ", StringComparison.Ordinal));
    }

    [Fact]
    public void Edits_far_apart_in_a_long_text_show_the_first_and_say_there_are_more()
    {
        var filler = string.Concat(Enumerable.Repeat("All of this stays the same from one version to the next. ", 20));
        var before = new JsonObject { ["description"] = $"Jobs expire after 7 days. {filler}Durable jobs survive restarts." };
        var after = new JsonObject { ["description"] = $"Jobs expire after 30 days. {filler}Durable jobs survive restarts when signed in." };

        var line = JsonNodeDiff.Lines(before, after).Should().ContainSingle().Which;

        line.Should().Contain("after 7 days").And.Contain("after 30 days").And.EndWith("more changes further on)");
        line.Length.Should().BeLessThan(300);
    }
}
