using LocalClaude.Tests.Support;
using System.Security.Cryptography;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

public sealed class TrafficFixtureTests
{
    private static TrafficFixture TwoRequests(TempDirectory scratch) => FixtureBuilder.Write(scratch.Combine("two"), "two",
        FixtureBuilder.Request(1, 0, 100, overlaps: [2]),
        FixtureBuilder.Request(2, 5, 80, FixtureBuilder.Body("title", withTools: false), overlaps: [1], purpose: RequestPurpose.Background));

    [Fact]
    public void A_written_fixture_loads_back_with_the_same_requests_and_answers()
    {
        using var scratch = new TempDirectory();

        var fixture = TwoRequests(scratch);

        Assert.Equal("two", fixture.Name);
        Assert.Equal(2, fixture.Manifest.RequestCount);
        Assert.Equal([RequestPurpose.Main, RequestPurpose.Background], fixture.Exchanges.Select(e => e.Purpose));
        Assert.Equal([2], fixture.Exchanges[0].Request.OverlapsWith);
        Assert.Equal("turn 1", (string?)fixture.Exchanges[0].Request.Body!["messages"]![0]!["content"]);
        Assert.Equal(FixtureBuilder.MessageStream, System.Text.Encoding.UTF8.GetString(fixture.Exchanges[1].ResponseBody));
        Assert.True(File.Exists(scratch.Combine("two", "requests", "001.request.json")));
        Assert.True(File.Exists(scratch.Combine("two", "requests", "002.response.sse")));
        Assert.Contains(Placeholders.AuthToken, fixture.Manifest.Placeholders);
    }

    [Fact]
    public void Fixture_files_are_diff_friendly_one_field_per_line()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);

        var lines = File.ReadAllLines(scratch.Combine("two", "requests", "001.request.json"));

        Assert.Contains(lines, l => l.Trim() == "\"index\": 1,");
        Assert.Contains(lines, l => l.Trim() == "\"purpose\": \"main\",");
        Assert.Contains(lines, l => l.Trim() == "\"max_tokens\": 32000,");
        Assert.DoesNotContain("\r", File.ReadAllText(scratch.Combine("two", "manifest.json")));
    }

    [Fact]
    public void Malformed_JSON_in_the_manifest_names_the_file_and_line()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var manifest = scratch.Combine("two", "manifest.json");
        var lines = File.ReadAllLines(manifest).ToList();
        var line = lines.FindIndex(l => l.Contains("\"claudeCodeVersion\""));
        lines[line] = "  \"claudeCodeVersion\": 2.1.328,";
        File.WriteAllLines(manifest, lines);

        var error = Assert.Throws<TrafficFixtureException>(() => TrafficFixture.Load(scratch.Combine("two")));

        Assert.Equal(manifest, error.File);
        Assert.Equal(line + 1, error.Line);
        Assert.StartsWith($"{manifest}:{line + 1}: ", error.Message);
    }

    [Fact]
    public void A_truncated_request_file_is_reported_with_its_last_line()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var file = scratch.Combine("two", "requests", "002.request.json");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text[..(text.Length / 2)]);

        var error = Assert.Throws<TrafficFixtureException>(() => TrafficFixture.Load(scratch.Combine("two")));

        Assert.Equal(file, error.File);
        Assert.NotNull(error.Line);
        Assert.InRange(error.Line!.Value, 2, text.Split('\n').Length);
    }

    [Fact]
    public void A_truncated_answer_names_the_file_its_last_line_and_the_recorded_length()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var sse = scratch.Combine("two", "requests", "001.response.sse");
        var bytes = File.ReadAllBytes(sse);
        File.WriteAllBytes(sse, bytes[..(bytes.Length - 40)]);

        var error = Assert.Throws<TrafficFixtureException>(() => TrafficFixture.Load(scratch.Combine("two")));

        Assert.Equal(sse, error.File);
        Assert.Equal(File.ReadAllLines(sse).Length, error.Line);
        Assert.Contains("truncated", error.Message);
        Assert.Contains($"records {bytes.Length}", error.Message);
        Assert.Contains("001.request.json (line", error.Message);
    }

    [Fact]
    public void A_missing_request_file_is_named_with_the_manifest_line_that_counts_it()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        File.Delete(scratch.Combine("two", "requests", "002.request.json"));

        var error = Assert.Throws<TrafficFixtureException>(() => TrafficFixture.Load(scratch.Combine("two")));

        Assert.EndsWith("002.request.json", error.File);
        Assert.Contains("requestCount", error.Message);
        Assert.Contains("truncated fixture", error.Message);
    }

    [Theory]
    [InlineData("\"index\": 2,", "\"index\": 7,", "the file name says 2")]
    [InlineData("\"overlapsWith\": [", "\"overlapsWith\": [ 9, ", "not another request")]
    [InlineData("\"purpose\": \"background\",", "\"purpose\": \"background\", \"colour\": \"red\",", "colour")]
    [InlineData("\"bodyFile\": \"002.response.sse\",", "\"bodyFile\": \"../../etc/passwd\",", "must be a file name")]
    public void A_value_that_parses_but_is_wrong_is_reported_with_its_line(string find, string replace, string expected)
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var file = scratch.Combine("two", "requests", "002.request.json");
        var text = File.ReadAllText(file);
        Assert.Contains(find, text);
        var line = text[..text.IndexOf(find, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        File.WriteAllText(file, text.Replace(find, replace));

        var error = Assert.Throws<TrafficFixtureException>(() => TrafficFixture.Load(scratch.Combine("two")));

        Assert.Equal(file, error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_request_file_the_manifest_does_not_count_is_reported()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        File.Copy(scratch.Combine("two", "requests", "002.request.json"), scratch.Combine("two", "requests", "003.request.json"));

        var error = Assert.Throws<TrafficFixtureException>(() => TrafficFixture.Load(scratch.Combine("two")));

        Assert.EndsWith("003.request.json", error.File);
        Assert.Contains("not counted", error.Message);
    }

    [Fact]
    public void A_newer_format_is_refused_with_the_line_of_the_format_field()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var manifest = scratch.Combine("two", "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format\": 1,", "\"format\": 99,"));

        var error = Assert.Throws<TrafficFixtureException>(() => TrafficFixture.Load(scratch.Combine("two")));

        Assert.Equal(2, error.Line);
        Assert.Contains("newer", error.Message);
    }

    [Fact]
    public async Task Replay_never_changes_the_fixture_files()
    {
        using var scratch = new TempDirectory();
        var fixture = TwoRequests(scratch);
        var before = Hashes(fixture.Directory);
        await using var server = await LocalClaude.ScriptedControls.ScriptedAnthropicServer.StartAsync(new LocalClaude.ScriptedControls.NoOpScript(), TestContext.Current.CancellationToken);

        await new Replayer(new ReplayTarget(server.BaseUrl, "k", "control")).ReplayAsync(fixture, TestContext.Current.CancellationToken);

        Assert.Equal(before, Hashes(fixture.Directory));
    }

    private static Dictionary<string, string> Hashes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))) + File.GetLastWriteTimeUtc(f).Ticks);
}
