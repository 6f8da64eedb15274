using System.Text.Json.Nodes;
using LocalClaude.Client;
using LocalClaude.Conformance;
using LocalClaude.Tests.Support;
using Snapshooter;
using Snapshooter.Xunit3;

namespace LocalClaude.Conformance.Tests.Snapshots;

/// <summary>
/// Greedy scenarios whose normalized SSE transcript must equal the committed snapshot of the profile, so a change in
/// llama-server's stream shape (event order, block indices, delta chunking, stop reasons) shows as a readable diff.
/// </summary>
[Collection(ProfileServerCollection.Name)]
public sealed class StreamSnapshotTests(LlamaServerFixture server)
{
    public static TheoryData<string> Scenarios => new("text", "max-tokens", "stop-sequence", "tool-use", "error");

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Normalized_stream_matches_the_snapshot(string scenario)
    {
        server.RequireServer();
        var context = server.Session.Checks;
        var body = await BodyFor(scenario, context);
        var exchange = await context.PostAsync(body, TestContext.Current.CancellationToken);
        var transcript = exchange.Exchange.IsEventStream
            ? StreamTranscript.Normalize(exchange.Exchange.ResponseBody)
            : [new TranscriptEvent($"HTTP {exchange.Status}", exchange.Exchange.ResponseText)];
        TranscriptSnapshot.Match(server.Profile.Name, scenario, exchange.Status, transcript);
    }

    private static async Task<JsonObject> BodyFor(string scenario, CheckContext c)
    {
        switch (scenario)
        {
            case "text": return RequestBodies.Greedy(c.Model, stream: true);
            case "max-tokens": return RequestBodies.Greedy(c.Model, maxTokens: 5, stream: true);
            case "stop-sequence":
                var probe = await c.PostAsync(RequestBodies.Greedy(c.Model), TestContext.Current.CancellationToken);
                var stop = RequestBodies.PickStopSequence(probe.Message!.Text) ?? "\u0001";
                return RequestBodies.Greedy(c.Model, stream: true).With("stop_sequences", new JsonArray(stop));
            case "tool-use":
                return c.Synthetic
                    ? RequestBodies.ToolCallByPrefill(c.Model, "get_weather", new JsonObject { ["city"] = "Paris" }, new JsonArray(RequestBodies.WeatherTool()), stream: true)
                    : RequestBodies.Greedy(c.Model, "What is the weather in Paris? Use the tool.", maxTokens: 128, stream: true)
                        .With("tools", new JsonArray(RequestBodies.WeatherTool())).With("tool_choice", new JsonObject { ["type"] = "any" });
            case "error": return RequestBodies.Greedy(c.Model, stream: true).With("max_tokens", "many");
            default: throw new ArgumentException(scenario);
        }
    }
}

/// <summary>The thinking stream on the CPU profile whose template opens &lt;think&gt;.</summary>
[Collection(ThinkingTemplateServerCollection.Name)]
public sealed class ThinkingStreamSnapshotTests(ThinkingTemplateServerFixture server)
{
    [Fact]
    public async Task Normalized_thinking_stream_matches_the_snapshot()
    {
        server.RequireServer();
        var context = server.Session.Checks;
        var body = RequestBodies.Greedy(context.Model, "Think, then answer.", maxTokens: 48, stream: true)
            .With("thinking", new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 24 });
        var exchange = await context.PostAsync(body, TestContext.Current.CancellationToken);
        TranscriptSnapshot.Match(server.Profile.Name, "thinking", exchange.Status, StreamTranscript.Normalize(exchange.Exchange.ResponseBody));
    }
}

/// <summary>Snapshots a transcript with each event's data as nested JSON, so the committed file reads like the stream.</summary>
internal static class TranscriptSnapshot
{
    public static void Match(string profile, string scenario, int status, IReadOnlyList<TranscriptEvent> transcript)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', transcript));
        var events = transcript.Select(e => new { e.Name, Data = ParseOrText(e.Data) }).ToList();
        Snapshot.Match(new { scenario, status, events }, SnapshotNameExtension.Create(profile, scenario));
    }

    private static object ParseOrText(string data)
    {
        try { return Newtonsoft.Json.Linq.JToken.Parse(data); }
        catch (Newtonsoft.Json.JsonReaderException) { return data; }
    }
}
