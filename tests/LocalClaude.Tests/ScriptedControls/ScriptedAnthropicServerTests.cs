using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.ScriptedControls;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.ScriptedControls;

public sealed class ScriptedAnthropicServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A text block and a tool call whose input has quotes, newlines and non-ASCII, so chunking matters.</summary>
    private static readonly DelegateControlScript TextThenTool = new("test", _ => ScriptedReply.ToolCall(
        "Writing the file now.",
        ToolUseReplyBlock.Create("toolu_test_01", "Write", new JsonObject
        {
            ["file_path"] = "/w/notes.md",
            ["content"] = "# Notes \"quoted\"\nnaïve café ✓ 😀\n",
        })));

    private static HttpClient Client(ScriptedAnthropicServer server) =>
        new() { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_streaming_request_gets_a_spec_shaped_event_stream()
    {
        await using var server = await ScriptedAnthropicServer.StartAsync(TextThenTool, Ct);
        using var http = Client(server);

        using var response = await http.PostAsync("/v1/messages?beta=true", Json(ClaudeCodeShapedRequest.Build("/w")), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (response.Content.Headers.ContentType?.MediaType).Should().Be("text/event-stream");
        var events = SseShape.Parse(body);
        var (blocks, stopReason) = SseShape.Assemble(events);
        stopReason.Should().Be("tool_use");
        blocks.Count.Should().Be(2);
        ((string?)blocks[0]["text"]).Should().Be("Writing the file now.");
        (((string?)blocks[1]["type"], (string?)blocks[1]["id"], (string?)blocks[1]["name"])).Should().Be(("tool_use", "toolu_test_01", "Write"));
        ((string?)blocks[1]["input"]!["content"]).Should().Be("# Notes \"quoted\"\nnaïve café ✓ 😀\n");
        ((string?)events[0].Data["message"]!["model"]).Should().Be("control");
        // Clients must really concatenate: the tool input comes in several pieces, none of them valid JSON alone.
        var pieces = events.Where(e => (string?)e.Data["delta"]?["type"] == "input_json_delta").ToArray();
        pieces.Length.Should().BeInRange(2, ScriptedReplyRendering.MaxChunksPerBlock);
    }

    [Fact]
    public async Task The_official_SDK_assembles_the_stream_into_the_scripted_message()
    {
        await using var server = await ScriptedAnthropicServer.StartAsync(TextThenTool, Ct);
        var client = new Anthropic.AnthropicClient(new Anthropic.Core.ClientOptions { BaseUrl = server.Url, ApiKey = "control", MaxRetries = 0 });
        var parameters = new Anthropic.Models.Messages.MessageCreateParams
        {
            Model = "control",
            MaxTokens = 64,
            Messages = [new Anthropic.Models.Messages.UserMessageParam { Content = "hi" }],
        };

        var message = await Anthropic.SseAggregatorExtensions.Aggregate(client.Messages.CreateStreaming(parameters, Ct));

        message.Content.Count.Should().Be(2);
        message.Content[0].TryPickText(out var text).Should().BeTrue();
        text!.Text.Should().Be("Writing the file now.");
        message.Content[1].TryPickToolUse(out var tool).Should().BeTrue();
        (((string, string))((tool!.ID, tool.Name))).Should().Be(("toolu_test_01", "Write"));
        tool.Input["file_path"].GetString().Should().Be("/w/notes.md");
    }

    [Fact]
    public async Task A_non_streaming_request_gets_one_message()
    {
        await using var server = await ScriptedAnthropicServer.StartAsync(TextThenTool, Ct);
        using var http = Client(server);
        var request = ClaudeCodeShapedRequest.Build("/w");
        request["stream"] = false;

        using var response = await http.PostAsync("/v1/messages", Json(request), Ct);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (((string?)message["type"], (string?)message["role"], (string?)message["stop_reason"])).Should().Be(("message", "assistant", "tool_use"));
        ((string?)message["content"]![1]!["input"]!["file_path"]).Should().Be("/w/notes.md");
        ((string?)message["id"]).Should().Be("msg_control_0001");
    }

    [Fact]
    public async Task Count_tokens_estimates_a_quarter_of_the_characters()
    {
        await using var server = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);
        using var http = Client(server);
        var body = new JsonObject { ["model"] = "control", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new string('x', 400) }) };

        using var response = await http.PostAsync("/v1/messages/count_tokens?beta=true", Json(body), Ct);
        var count = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["input_tokens"]!.GetValue<int>();

        count.Should().Be(body.ToJsonString().Length / 4);
    }

    [Fact]
    public async Task Probes_and_bad_requests_get_sensible_statuses_and_error_envelopes()
    {
        var calls = 0;
        var throwing = new DelegateControlScript("throws", _ => { calls++; throw new InvalidOperationException("boom"); });
        await using var server = await ScriptedAnthropicServer.StartAsync(throwing, Ct);
        using var http = Client(server);

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/hello"), Ct);
        using var hello = await http.GetAsync("/api/hello", Ct);
        using var models = await http.GetAsync("/v1/models", Ct);
        using var missing = await http.GetAsync("/v1/nothing-here", Ct);
        using var badJson = await http.PostAsync("/v1/messages", new StringContent("{not json", Encoding.UTF8, "application/json"), Ct);
        using var scriptFails = await http.PostAsync("/v1/messages", Json(ClaudeCodeShapedRequest.Build("/w")), Ct);
        var garbage = new ByteArrayContent("not gzip at all"u8.ToArray());
        garbage.Headers.ContentEncoding.Add("gzip");
        using var badGzip = await http.PostAsync("/v1/messages", garbage, Ct);

        head.StatusCode.Should().Be(HttpStatusCode.OK);
        hello.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)JsonNode.Parse(await models.Content.ReadAsStringAsync(Ct))!["data"]![0]!["id"]).Should().Be("control");
        await AssertError(missing, HttpStatusCode.NotFound, "not_found_error");
        await AssertError(badJson, HttpStatusCode.BadRequest, "invalid_request_error");
        await AssertError(scriptFails, HttpStatusCode.InternalServerError, "api_error");
        await AssertError(badGzip, HttpStatusCode.BadRequest, "invalid_request_error");
        server.Requests.Select(r => r.StatusCode).Should().Equal([200, 200, 200, 404, 400, 500, 400]);
        calls.Should().Be(1); // the bad JSON never reached the script
    }

    [Fact]
    public async Task Every_request_is_recorded_with_headers_query_and_body()
    {
        await using var server = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);
        using var http = Client(server);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        var first = ClaudeCodeShapedRequest.Build("/w").ToJsonString();
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(first), Ct);
        var gzipped = new ByteArrayContent(compressed.ToArray());
        gzipped.Headers.ContentType = new("application/json");
        gzipped.Headers.ContentEncoding.Add("gzip");

        (await http.PostAsync("/v1/messages?beta=true", new StringContent(first, Encoding.UTF8, "application/json"), Ct)).Dispose();
        (await http.PostAsync("/v1/messages?beta=true", gzipped, Ct)).Dispose();
        (await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"), Ct)).Dispose();

        var recorded = server.Requests;
        recorded.Select(r => r.Sequence).Should().Equal([1, 2, 3]);
        (((string, string, string, int))((recorded[0].Method, recorded[0].Path, recorded[0].QueryString, recorded[0].StatusCode))).Should().Be(("POST", "/v1/messages", "?beta=true", 200));
        recorded[0].Headers["anthropic-version"].Should().Be("2023-06-01");
        recorded[0].Body.Should().Be(first);
        recorded[1].Body.Should().Be(first); // decompressed
        recorded[2].Method.Should().Be("HEAD");
        server.MessagesRequestBodies.Count.Should().Be(2);

        using var temp = new TempDirectory();
        var file = temp.Combine("requests.jsonl");
        await server.WriteRequestsAsync(file, Ct);
        var lines = await File.ReadAllLinesAsync(file, Ct);
        lines.Length.Should().Be(3);
        ((string?)JsonNode.Parse(lines[0])!["Body"]).Should().Be(first);
    }

    [Fact]
    public async Task The_server_listens_on_loopback_on_a_port_of_its_own_and_stops_on_dispose()
    {
        var a = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);
        await using var b = await ScriptedAnthropicServer.StartAsync(new NoOpScript(), Ct);

        a.BaseUrl.Host.Should().Be("127.0.0.1");
        b.Port.Should().NotBe(a.Port);
        a.Url.Should().Be($"http://127.0.0.1:{a.Port}");
        await a.DisposeAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await FluentActions.Awaiting(() => http.GetAsync($"{a.Url}/api/hello", Ct)).Should().ThrowExactlyAsync<HttpRequestException>();
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 1)]
    [InlineData("abcdefg", 3)]
    [InlineData("😀😀😀😀", 3)]
    [InlineData("x😀", 3)]
    public void Splitting_keeps_every_character_and_never_cuts_a_surrogate_pair(string text, int expectedPieces)
    {
        var pieces = ScriptedReplyRendering.Split(text, 3);

        string.Concat(pieces).Should().Be(text);
        Assert.All(pieces, p => p.Should().NotBeEmpty());
        Assert.All(pieces, p => char.IsHighSurrogate(p[^1]).Should().BeFalse());
        (pieces.Count <= expectedPieces).Should().BeTrue($"{pieces.Count} pieces");
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        response.StatusCode.Should().Be(status);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        ((string?)error["type"]).Should().Be("error");
        ((string?)error["error"]!["type"]).Should().Be(type);
        string.IsNullOrEmpty((string?)error["error"]!["message"]).Should().BeFalse();
    }
}
