using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

/// <summary>
/// <c>record import</c>: a committed recording, exported as a proxy would write it (HAR 1.2: header arrays, postData,
/// content.text decoded or base64, timings, startedDateTime), comes back as the same fixture, with the user's
/// credential and paths scrubbed. Malformed archives fail naming the file and entry, and write nothing.
/// </summary>
public sealed class HarImportTests
{
    private const string Secret = "sk-ant-api03-Zq9tHcWv1Lx4pRk7Ys2Nb5Jd8Fg3Mh6Qw0Ee-AAAA";
    private static readonly string Root = RepoLayout.Find(AppContext.BaseDirectory).Traffic;

    [Theory]
    [InlineData("headless-tool-bash")]
    [InlineData("interactive-title")]
    public void An_exported_recording_imports_as_the_same_fixture_with_the_users_secrets_scrubbed(string name)
    {
        using var scratch = new TempDirectory();
        var original = TrafficFixture.Load(Path.Combine(Root, name));
        var har = scratch.Combine("session.har");
        File.WriteAllText(har, HarExport.Write(original, Secret, gzipFirstJsonAnswer: true).ToJsonString());

        var result = HarImport.Import(har, scratch.Combine("imported"), "imported", null);
        var imported = TrafficFixture.Load(scratch.Combine("imported"));

        var drift = FixtureDrift.Compare(original, imported);
        drift.IsEmpty.Should().BeTrue(drift.Render());
        // HAR times have millisecond precision.
        Assert.All(original.Exchanges.Zip(imported.Exchanges), pair => (pair.Second.Request.ArrivalMs - pair.First.Request.ArrivalMs).Should().BeInRange(-1, 1));
        imported.Exchanges.Select(e => e.Request.Response.Status).Should().Equal(original.Exchanges.Select(e => e.Request.Response.Status));
        imported.Exchanges.Select(e => e.ResponseBody.Length).Should().Equal(original.Exchanges.Select(e => e.ResponseBody.Length));
        result.Manifest.ClaudeCodeVersion.Should().Be(original.Manifest.ClaudeCodeVersion);
        result.Manifest.Scenario.Mode.Should().Be(TrafficScenario.Imported);
        result.Skipped.Should().Contain(s => s.Contains("statsig.anthropic.com", StringComparison.Ordinal));
        result.Skipped.Should().Contain(s => s.Contains("/api/event_logging/batch", StringComparison.Ordinal));
        var written = string.Join('\n', result.Files.Select(File.ReadAllText));
        written.Should().NotContain(Secret);
        written.Should().NotContain(HarExport.WorkDir);
        written.Should().Contain(Placeholders.Redacted);
    }

    [Fact]
    public void A_compressed_body_kept_as_base64_is_decoded_and_its_content_encoding_dropped()
    {
        using var scratch = new TempDirectory();
        var original = TrafficFixture.Load(Path.Combine(Root, "headless-tool-bash"));
        var archive = HarExport.Write(original, Secret, gzipFirstJsonAnswer: true);
        var har = scratch.Combine("session.har");
        File.WriteAllText(har, archive.ToJsonString());
        var gzipped = archive["log"]!["entries"]!.AsArray().Select(e => e!["response"]!["content"]!).First(c => c["encoding"] is not null);

        var (exchanges, _, _, _) = HarImport.Read(har);

        var decoded = Assert.Single(exchanges, e => e.ResponseBody.AsSpan().SequenceEqual(Gunzip(Convert.FromBase64String(gzipped["text"]!.GetValue<string>()))));
        decoded.ResponseHeaders.Should().NotContain(h => h.Key.Equals("content-encoding", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("""{"log":{"version":"1.2"}}""", "log.entries: missing")]
    [InlineData("""{"log":{"version":"2.0","entries":[]}}""", "HAR 1.x expected")]
    [InlineData("""{"log":{"entries":[{"startedDateTime":"2026-12-07T10:00:00Z","time":5,"request":{"method":"POST","url":"https://api.anthropic.com/v1/messages"},"response":{"status":200,"content":{"text":"@@","encoding":"base64"}}}]}}""", "log.entries[0].response.content.text: not valid base64")]
    [InlineData("""{"log":{"entries":[{"startedDateTime":"yesterday","time":5,"request":{"method":"POST","url":"https://api.anthropic.com/v1/messages"},"response":{"status":200,"content":{}}}]}}""", "log.entries[0].startedDateTime 'yesterday'")]
    [InlineData("""{"log":{"entries":[{"startedDateTime":"2026-12-07T10:00:00Z","time":5,"request":{"method":"GET","url":"https://example.com/"},"response":{"status":200,"content":{}}}]}}""", "no entry posts to /v1/messages")]
    [InlineData("""{"log":{"entries":[{"startedDateTime":"2026-12-07T10:00:00Z","time":5,"request":{"method":"POST","url":"file:///etc/passwd"},"response":{"status":200,"content":{}}}]}}""", "not an absolute http(s) URL")]
    [InlineData("""{"log":{"entries":[{"startedDateTime":"2026-12-07T10:00:00Z","time":5,"request":{"method":"POST","url":"https://api.anthropic.com/v1/messages","headers":[]},"response":{"status":200,"headers":[{"name":"content-encoding","value":"zstd"}],"content":{"text":"KLUv/QBYAQAAAA==","encoding":"base64"}}}]}}""", "Content-Encoding 'zstd'")]
    [InlineData("""{"log":{"entries":[ {"startedDateTime": """, "not JSON")]
    public void A_malformed_archive_names_the_file_and_entry_and_writes_nothing(string archive, string expected)
    {
        using var scratch = new TempDirectory();
        var har = scratch.Combine("bad.har");
        File.WriteAllText(har, archive);

        var error = FluentActions.Invoking(() => HarImport.Import(har, scratch.Combine("out"), "x", null)).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Message.Should().StartWith(har);
        error.Message.Should().Contain(expected);
        Directory.Exists(scratch.Combine("out")).Should().BeFalse();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>
/// Writes a fixture as an HTTP Archive the way a debugging proxy exports a real session (HAR 1.2): real-looking values
/// in place of placeholders, the user's own bearer token, an HTTP/2 pseudo-header, a request to a telemetry host and a
/// probe outside /v1/ beside the API traffic, and optionally the first JSON answer kept gzip-compressed in base64.
/// </summary>
internal static class HarExport
{
    // A user on a Mac exported the archive.
    public const string WorkDir = "/Users/alice/projects/shop";

    public static JsonObject Write(TrafficFixture fixture, string secret, bool gzipFirstJsonAnswer)
    {
        var values = new PlaceholderValues(new Dictionary<string, string>(PlaceholderValues.ForReplay(new Uri("https://api.anthropic.com"), secret, new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero)).Values)
        {
            [Placeholders.WorkDir] = WorkDir,
        });
        var origin = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
        var entries = new JsonArray();
        var gzipped = !gzipFirstJsonAnswer;
        foreach (var exchange in fixture.Exchanges)
        {
            var request = exchange.Request;
            var (method, path, body, headers, _) = Replayer.Prepare(request, values);
            var requestHeaders = new JsonArray(new JsonObject { ["name"] = ":authority", ["value"] = "api.anthropic.com" });
            foreach (var (name, value) in headers) requestHeaders.Add(new JsonObject { ["name"] = name, ["value"] = value });
            var contentType = request.Response.Headers.GetValueOrDefault("content-type") ?? "application/json";
            var responseHeaders = new JsonArray();
            foreach (var (name, value) in request.Response.Headers) responseHeaders.Add(new JsonObject { ["name"] = name, ["value"] = value });
            var content = new JsonObject { ["size"] = exchange.ResponseBody.Length, ["mimeType"] = contentType };
            if (!gzipped && exchange.ResponseBody.Length > 0)
            {
                gzipped = true;
                content["text"] = Convert.ToBase64String(Gzip(exchange.ResponseBody));
                content["encoding"] = "base64";
                responseHeaders.Add(new JsonObject { ["name"] = "content-encoding", ["value"] = "gzip" });
            }
            else if (exchange.ResponseBody.Length > 0) content["text"] = Encoding.UTF8.GetString(exchange.ResponseBody);
            var wait = (request.Response.FirstByteMs ?? request.CompletionMs) - request.ArrivalMs;
            entries.Add(Entry(origin.AddMilliseconds(request.ArrivalMs), request.CompletionMs - request.ArrivalMs, wait, method,
                $"https://api.anthropic.com{path}", requestHeaders, body, request.Response.Status, responseHeaders, content));
        }
        entries.Add(Entry(origin.AddMilliseconds(5), 40, 30, "POST", "https://statsig.anthropic.com/v1/rgstr", [], "{\"events\":[]}", 202, [], new JsonObject { ["size"] = 0, ["mimeType"] = "application/json" }));
        entries.Add(Entry(origin.AddMilliseconds(6), 20, 10, "POST", "https://api.anthropic.com/api/event_logging/batch", [], "{\"events\":[]}", 200, [], new JsonObject { ["size"] = 2, ["mimeType"] = "application/json", ["text"] = "{}" }));
        return new JsonObject
        {
            ["log"] = new JsonObject
            {
                ["version"] = "1.2",
                ["creator"] = new JsonObject { ["name"] = "mitmproxy har_dump", ["version"] = "11.0" },
                ["pages"] = new JsonArray(),
                ["entries"] = entries,
            },
        };
    }

    private static JsonObject Entry(DateTimeOffset started, double time, double wait, string method, string url, JsonArray headers, string? body,
        int status, JsonArray responseHeaders, JsonObject content) => new()
        {
            ["startedDateTime"] = started.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture),
            ["time"] = time,
            ["request"] = new JsonObject
            {
                ["method"] = method,
                ["url"] = url,
                ["httpVersion"] = "HTTP/2.0",
                ["cookies"] = new JsonArray(),
                ["headers"] = headers,
                ["queryString"] = new JsonArray(),
                ["headersSize"] = -1,
                ["bodySize"] = body?.Length ?? 0,
                ["postData"] = body is null ? null : new JsonObject { ["mimeType"] = "application/json", ["text"] = body },
            },
            ["response"] = new JsonObject
            {
                ["status"] = status,
                ["statusText"] = "",
                ["httpVersion"] = "HTTP/2.0",
                ["cookies"] = new JsonArray(),
                ["headers"] = responseHeaders,
                ["content"] = content,
                ["redirectURL"] = "",
                ["headersSize"] = -1,
                ["bodySize"] = -1,
            },
            ["cache"] = new JsonObject(),
            ["timings"] = new JsonObject { ["blocked"] = -1, ["dns"] = -1, ["connect"] = -1, ["ssl"] = -1, ["send"] = 0, ["wait"] = wait, ["receive"] = Math.Max(0, time - wait) },
        };

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }
}
