using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

/// <summary>
/// <c>record import</c> against hostile archives: credentials where the recorder never looks for them, bodies that do
/// not decode or inflate without bound, bytes that are not UTF-8. Each is scrubbed or refused naming the file and entry.
/// </summary>
public sealed class HarImportAttackTests
{
    private const string Key = "sk-ant-api03-Hx7Kq2Vw9Lp4Rt6Yz1Nb3Jd5Fg8Mc0Qe-AAAA";
    private const string Token = "tok-Wm3Pq8Zr5Lx2Vb7Nc4Hd9Jf6";
    private const string QueryKey = "qk-Ra4Tb9Xc2Ye7Uf3Wg8Ih1Jk6";
    private const string Password = "pw-Lm5Nn0Oo4Pp9Qq3Rr8";

    private static JsonObject Entry(string url, JsonArray? requestHeaders = null, string? body = null, JsonArray? responseHeaders = null, JsonObject? content = null) => new()
    {
        ["startedDateTime"] = "2026-12-07T10:00:00Z",
        ["time"] = 5,
        ["request"] = new JsonObject
        {
            ["method"] = "POST",
            ["url"] = url,
            ["headers"] = requestHeaders ?? new JsonArray(Header("x-api-key", Key), Header("content-type", "application/json")),
            ["postData"] = new JsonObject { ["mimeType"] = "application/json", ["text"] = body ?? """{"model":"m","messages":[{"role":"user","content":"hi"}]}""" },
        },
        ["response"] = new JsonObject
        {
            ["status"] = 200,
            ["headers"] = responseHeaders ?? new JsonArray(Header("content-type", "application/json")),
            ["content"] = content ?? new JsonObject { ["mimeType"] = "application/json", ["text"] = """{"type":"message","content":[]}""" },
        },
    };

    private static JsonObject Header(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static string Archive(TempDirectory scratch, params JsonObject[] entries)
    {
        var har = scratch.Combine("session.har");
        File.WriteAllText(har, new JsonObject { ["log"] = new JsonObject { ["version"] = "1.2", ["entries"] = new JsonArray(entries) } }.ToJsonString());
        return har;
    }

    [Fact]
    public void A_credential_in_the_body_the_query_the_userinfo_or_a_token_header_does_not_survive()
    {
        using var scratch = new TempDirectory();
        var har = Archive(scratch, Entry(
            $"https://alice:{Password}@api.anthropic.com/v1/messages?beta=true&api_key={QueryKey}",
            new JsonArray(Header("x-api-key", Key), Header("x-auth-token", Token), Header("content-type", "application/json")),
            $$"""{"model":"m","messages":[{"role":"user","content":"my key is {{Key}}, my token {{Token}}"}]}"""));

        var result = HarImport.Import(har, scratch.Combine("out"), "out", null);

        var written = string.Join('\n', result.Files.Select(File.ReadAllText));
        written.Should().NotContain(Key).And.NotContain(Token).And.NotContain(QueryKey).And.NotContain(Password);
        written.Should().Contain(Placeholders.Redacted);
    }

    [Fact]
    public void A_secret_in_a_response_header_does_not_survive()
    {
        using var scratch = new TempDirectory();
        var har = Archive(scratch, Entry("https://api.anthropic.com/v1/messages",
            responseHeaders: new JsonArray(Header("content-type", "application/json"), Header("x-session-token", Token))));

        var result = HarImport.Import(har, scratch.Combine("out"), "out", null);

        string.Join('\n', result.Files.Select(File.ReadAllText)).Should().NotContain(Token);
    }

    [Fact]
    public void A_body_that_says_gzip_but_does_not_decode_is_refused_naming_the_entry()
    {
        using var scratch = new TempDirectory();
        var har = Archive(scratch, Entry("https://api.anthropic.com/v1/messages",
            responseHeaders: new JsonArray(Header("content-encoding", "gzip")),
            content: new JsonObject { ["text"] = Convert.ToBase64String([0x1f, 0x8b, 8, 0, 0xff, 0xfe, 0, 1, 2, 3]), ["encoding"] = "base64" }));

        var error = FluentActions.Invoking(() => HarImport.Import(har, scratch.Combine("out"), "out", null)).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Message.Should().StartWith(har).And.Contain("log.entries[0].response");
        Directory.Exists(scratch.Combine("out")).Should().BeFalse();
    }

    [Fact]
    public void A_decompression_bomb_is_refused_naming_the_file_and_entry()
    {
        using var scratch = new TempDirectory();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 260; i++) gzip.Write(zeros);
        }
        var har = Archive(scratch, Entry("https://api.anthropic.com/v1/messages",
            responseHeaders: new JsonArray(Header("content-encoding", "gzip")),
            content: new JsonObject { ["text"] = Convert.ToBase64String(compressed.ToArray()), ["encoding"] = "base64" }));

        var error = FluentActions.Invoking(() => HarImport.Import(har, scratch.Combine("out"), "out", null)).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Message.Should().StartWith(har).And.Contain("log.entries[0]").And.Contain("256 MiB");
        Directory.Exists(scratch.Combine("out")).Should().BeFalse();
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_refused_naming_the_file_and_entry()
    {
        using var scratch = new TempDirectory();
        var har = Archive(scratch, Entry("https://api.anthropic.com/v1/messages", body: "XXhiXX"));
        var bytes = File.ReadAllBytes(har);
        var at = Encoding.ASCII.GetString(bytes).IndexOf("XXhiXX", StringComparison.Ordinal);
        bytes[at] = 0xff;
        bytes[at + 1] = 0xfe;
        File.WriteAllBytes(har, bytes);

        var error = FluentActions.Invoking(() => HarImport.Import(har, scratch.Combine("out"), "out", null)).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Message.Should().StartWith(har).And.Contain("log.entries[0]");
        Directory.Exists(scratch.Combine("out")).Should().BeFalse();
    }

    [Fact]
    public void An_archive_of_more_exchanges_than_any_session_is_refused_before_anything_is_written()
    {
        // Every exchange overlaps every other: the overlap marks grow with the square of the count.
        using var scratch = new TempDirectory();
        var har = Archive(scratch, [.. Enumerable.Range(0, HarImport.MaxExchanges + 1).Select(_ => Entry("https://api.anthropic.com/v1/messages"))]);

        var error = FluentActions.Invoking(() => HarImport.Import(har, scratch.Combine("out"), "out", null)).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Message.Should().StartWith(har).And.Contain($"more than {HarImport.MaxExchanges}");
        Directory.Exists(scratch.Combine("out")).Should().BeFalse();
    }

    [Theory]
    [InlineData("file")]
    [InlineData("dangling link")]
    public void A_target_that_is_a_file_or_a_dangling_link_is_refused_and_nothing_is_left_beside_it(string kind)
    {
        using var scratch = new TempDirectory();
        var har = Archive(scratch, Entry("https://api.anthropic.com/v1/messages"));
        var target = scratch.Combine("out");
        if (kind == "file") File.WriteAllText(target, "mine");
        else File.CreateSymbolicLink(target, scratch.Combine("nowhere"));

        var error = FluentActions.Invoking(() => HarImport.Import(har, target, "out", null)).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Message.Should().StartWith(target).And.Contain("not a folder");
        Directory.EnumerateFileSystemEntries(scratch.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["session.har", "out"]);
        if (kind == "file") File.ReadAllText(target).Should().Be("mine");
    }

    [Theory]
    [InlineData("x-foo\r\nx-injected", "a", "request.headers[1].name")]
    [InlineData("x-foo", "a\r\nx-injected: b", "request.headers[1].value")]
    [InlineData("x-foo", "a\u0000b", "request.headers[1].value")]
    [InlineData("", "a", "request.headers[1].name")]
    public void A_header_that_http_cannot_carry_is_refused_naming_the_entry(string name, string value, string expected)
    {
        using var scratch = new TempDirectory();
        var har = Archive(scratch, Entry("https://api.anthropic.com/v1/messages", new JsonArray(Header("content-type", "application/json"), Header(name, value))));

        var error = FluentActions.Invoking(() => HarImport.Import(har, scratch.Combine("out"), "out", null)).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Message.Should().StartWith(har).And.Contain($"log.entries[0].{expected}");
        Directory.Exists(scratch.Combine("out")).Should().BeFalse();
    }
}
