using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Relay;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

public sealed class PlaceholderTests
{
    private const string Work = "/home/alice/.cache/localclaude/runs/record-x-1/work";
    private const string Home = "/home/alice/.cache/localclaude/runs/record-x-1/home";
    private const string Session = "397ce79f-86a5-4401-a858-a06f90622448";
    private const string Device = "8d3f0c6e2b5a4f1e9c7d6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e";

    private static CapturedExchange Exchange(string body, params (string Name, string Value)[] headers) => new()
    {
        Sequence = 1,
        Method = "POST",
        PathAndQuery = "/v1/messages?beta=true",
        RequestHeaders = headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToArray(),
        RequestBody = Encoding.UTF8.GetBytes(body),
        Status = 200,
        ResponseHeaders = [new("content-type", "text/event-stream"), new("date", "Wed, 25 Nov 2026 13:22:02 GMT")],
        ResponseBody = Encoding.UTF8.GetBytes(FixtureBuilder.MessageStream),
        ArrivedAt = TimeSpan.FromSeconds(1),
        CompletedAt = TimeSpan.FromSeconds(2),
    };

    private static string ClaudeCodeBody() => new JsonObject
    {
        ["model"] = "cpu-tiny",
        ["metadata"] = new JsonObject { ["user_id"] = $"{{\"device_id\":\"{Device}\",\"account_uuid\":\"\",\"session_id\":\"{Session}\"}}" },
        ["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "system",
            ["content"] = $"# Environment\n - Primary working directory: {Work}\n - OS Version: Linux 6.8.0-1029-gcp\n\nToday's date is 2026-11-25.\nConfig in {Home}/.claude",
        }),
    }.ToJsonString();

    private static PlaceholderScrubber Scrubber() => new PlaceholderScrubber()
        .Add(Work, Placeholders.WorkDir)
        .Add(Home, Placeholders.Home)
        .Add("/home/alice", Placeholders.UserHome)
        .WithAuthToken("localclaude")
        .AddDates(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Paths_ids_dates_and_the_kernel_become_placeholders_and_nothing_sensitive_is_left()
    {
        var scrubber = Scrubber();
        var exchange = Exchange(ClaudeCodeBody(), ("authorization", "Bearer localclaude"), ("x-claude-code-session-id", Session), ("host", "127.0.0.1:41234"));

        var (request, _) = TrafficFixtureWriter.Build([exchange], scrubber).Should().ContainSingle().Which;
        var text = FixtureJson.Serialize(request);

        text.Should().Contain($"Primary working directory: {Placeholders.WorkDir}");
        text.Should().Contain($"Config in {Placeholders.Home}/.claude");
        text.Should().Contain($"OS Version: {Placeholders.OsVersion}");
        text.Should().Contain($"Today's date is {Placeholders.Date}.");
        text.Should().Contain($"\\\"device_id\\\":\\\"{Placeholders.DeviceId}\\\"");
        request.Headers["x-claude-code-session-id"].Should().Be(Placeholders.SessionId);
        request.Headers["authorization"].Should().Be($"Bearer {Placeholders.AuthToken}");
        request.Headers["host"].Should().Be(Placeholders.Host);
        request.Response.Headers.ContainsKey("date").Should().BeFalse();
        scrubber.FindLeaks(text).Should().BeEmpty();
        foreach (var secret in new[] { Session, Device, "/home/alice", "6.8.0-1029", "2026-11-25", "localclaude\"" })
            text.Should().NotContain(secret);
    }

    [Fact]
    public void A_credential_the_recorder_did_not_set_is_redacted_and_an_empty_one_stays_empty()
    {
        var scrubber = Scrubber();

        scrubber.ScrubHeader("x-api-key", "sk-ant-real-secret").Should().Be(Placeholders.Redacted);
        scrubber.ScrubHeader("Authorization", "Bearer sk-ant-other").Should().Be(Placeholders.Redacted);
        scrubber.ScrubHeader("authorization", "").Should().Be("");
        scrubber.ScrubHeader("authorization", "Bearer localclaude").Should().Be($"Bearer {Placeholders.AuthToken}");
        // The token is only a credential in credential headers: the same word elsewhere is left alone.
        scrubber.Scrub("localclaude is a project").Should().Be("localclaude is a project");
    }

    [Fact]
    public void The_writer_refuses_a_fixture_in_which_a_sensitive_value_survived()
    {
        using var scratch = new TempDirectory();
        var scrubber = Scrubber();
        var request = FixtureBuilder.Request(1, 0, 10, FixtureBuilder.Body("hi"));
        // Built by hand, so the scrubber never saw this text.
        var leaking = request with { BodyText = null, Body = new JsonObject { ["note"] = $"cwd is {Work}" } };

        var error = FluentActions.Invoking(() =>
            TrafficFixtureWriter.Write(scratch.Combine("leaky"), FixtureBuilder.Manifest("leaky", 1), [(leaking, [])], scrubber)).Should().ThrowExactly<InvalidOperationException>().Which;

        error.Message.Should().Contain(Work);
        Directory.Exists(scratch.Combine("leaky")).Should().BeFalse();
    }

    [Fact]
    public void Replay_values_go_back_into_JSON_escaped_and_consistently()
    {
        var values = new PlaceholderValues(new Dictionary<string, string>
        {
            [Placeholders.WorkDir] = "/tmp/a \"quoted\" dir",
            [Placeholders.SessionId] = "11111111-2222-4333-8444-555555555555",
        });
        var json = new JsonObject
        {
            ["cwd"] = $"{Placeholders.WorkDir}/x",
            ["ids"] = new JsonArray($"{Placeholders.SessionId}", $"s={Placeholders.SessionId}"),
        }.ToJsonString();

        var filled = JsonNode.Parse(values.ApplyToJson(json))!;

        ((string?)filled["cwd"]).Should().Be("/tmp/a \"quoted\" dir/x");
        ((string?)filled["ids"]![0]).Should().Be("11111111-2222-4333-8444-555555555555");
        ((string?)filled["ids"]![1]).Should().Be("s=11111111-2222-4333-8444-555555555555");
        values.Unknown("a {{NEW_THING}} and {{WORKDIR}}").Should().Equal(["{{NEW_THING}}"]);
    }

    [Fact]
    public void Default_replay_values_cover_every_placeholder_the_recorder_writes()
    {
        var values = PlaceholderValues.ForReplay(new Uri("http://127.0.0.1:8080"), "key", DateTimeOffset.UtcNow);

        var missing = Placeholders.All.Where(p => p != Placeholders.Redacted && !values.Values.ContainsKey(p)).ToArray();

        missing.Should().BeEmpty();
        values.Values[Placeholders.Host].Should().Be("127.0.0.1:8080");
        values.Values[Placeholders.AuthToken].Should().Be("key");
    }

    [Fact]
    public void The_cap_lowers_only_a_larger_max_tokens()
    {
        ((int)JsonNode.Parse(MaxTokensCap.Apply(FixtureBuilder.Body("x").ToJsonString(), 64))!["max_tokens"]!).Should().Be(64);
        var small = FixtureBuilder.Body("x", maxTokens: 10).ToJsonString();
        MaxTokensCap.Apply(small, 64).Should().BeSameAs(small);
        MaxTokensCap.Apply("not json", 64).Should().Be("not json");
    }
}

public sealed class EventStreamScrubbingTests
{
    private static string Delta(string piece) =>
        $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{{\"type\":\"input_json_delta\",\"partial_json\":\"{piece}\"}}}}\n\n";

    [Fact]
    public void A_path_split_across_deltas_is_replaced_and_every_event_keeps_its_place()
    {
        var scrubber = new PlaceholderScrubber()
            .Add("/home/alice/.cache/localclaude/runs/record-1/work", Placeholders.WorkDir)
            .Add("/home/alice", Placeholders.UserHome);
        var stream = Delta("{\\u0022file_path\\u0022:\\u0022/home/alice/.cache/local") + Delta("claude/runs/record-1/wo") + Delta("rk/notes.txt\\u0022}");

        var scrubbed = scrubber.ScrubEventStream(stream);

        var document = LocalClaude.Protocol.SseReader.Parse(scrubbed);
        document.Events.Count.Should().Be(3);
        var joined = string.Concat(document.Events.Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Data)!["delta"]!["partial_json"]!.GetValue<string>()));
        joined.Should().Be($"{{\"file_path\":\"{Placeholders.WorkDir}/notes.txt\"}}");
        scrubbed.Should().NotContain("alice");
    }
}
