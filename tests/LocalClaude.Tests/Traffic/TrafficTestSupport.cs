using System.Net;
using System.Text.Json.Nodes;
using LocalClaude.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LocalClaude.Tests.Traffic;

/// <summary>Builders for fixture records in tests.</summary>
internal static class FixtureBuilder
{
    public static readonly string MessageStream = string.Concat(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    public static JsonObject Body(string text, bool withTools = true, int maxTokens = 32000) => new()
    {
        ["model"] = "cpu-tiny",
        ["max_tokens"] = maxTokens,
        ["stream"] = true,
        ["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "x-anthropic-billing-header: cc_version=2.1.328.abc;" }),
        ["tools"] = withTools ? new JsonArray(new JsonObject { ["name"] = "Bash", ["input_schema"] = new JsonObject { ["type"] = "object" } }) : new JsonArray(),
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
    };

    public static TrafficRequest Request(int index, double arrival, double completion, JsonObject? body = null, int[]? overlaps = null,
        string purpose = RequestPurpose.Main, string path = "/v1/messages?beta=true", long responseBytes = 0) => new()
        {
            Index = index,
            Purpose = purpose,
            Method = "POST",
            Path = path,
            ArrivalMs = arrival,
            CompletionMs = completion,
            OverlapsWith = overlaps ?? [],
            Headers = new Dictionary<string, string> { ["anthropic-version"] = "2023-06-01", ["authorization"] = $"Bearer {Placeholders.AuthToken}" },
            Body = body ?? Body($"turn {index}"),
            Response = new TrafficResponse
            {
                Status = 200,
                Headers = new Dictionary<string, string> { ["content-type"] = "text/event-stream" },
                BodyFile = responseBytes > 0 ? TrafficFixture.ResponseFileName(index, "text/event-stream") : null,
                BodyBytes = responseBytes,
            },
        };

    public static TrafficManifest Manifest(string name, int count) => new()
    {
        Name = name,
        ClaudeCodeVersion = "2.1.328",
        RecordedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        Scenario = new TrafficScenario { Mode = TrafficScenario.Headless, ClaudeArguments = ["-p", "hi"] },
        Upstream = new TrafficUpstream { Kind = TrafficUpstream.ControlKind, Name = "test" },
        RequestCount = count,
    };

    /// <summary>Writes a fixture with <paramref name="requests"/>, each answered by <see cref="MessageStream"/>.</summary>
    public static TrafficFixture Write(string directory, string name, params TrafficRequest[] requests)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(MessageStream);
        var withBodies = requests.Select(r => (r with
        {
            Response = r.Response with { BodyFile = TrafficFixture.ResponseFileName(r.Index, "text/event-stream"), BodyBytes = bytes.Length },
        }, bytes)).ToArray();
        TrafficFixtureWriter.Write(directory, Manifest(name, requests.Length), withBodies, new PlaceholderScrubber());
        return TrafficFixture.Load(directory);
    }
}
