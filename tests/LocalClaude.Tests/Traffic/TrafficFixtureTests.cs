using System.Security.Cryptography;
using LocalClaude.Tests.Support;
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

        fixture.Name.Should().Be("two");
        fixture.Manifest.RequestCount.Should().Be(2);
        fixture.Exchanges.Select(e => e.Purpose).Should().Equal([RequestPurpose.Main, RequestPurpose.Background]);
        fixture.Exchanges[0].Request.OverlapsWith.Should().Equal([2]);
        ((string?)fixture.Exchanges[0].Request.Body!["messages"]![0]!["content"]).Should().Be("turn 1");
        System.Text.Encoding.UTF8.GetString(fixture.Exchanges[1].ResponseBody).Should().Be(FixtureBuilder.MessageStream);
        File.Exists(scratch.Combine("two", "requests", "001.request.json")).Should().BeTrue();
        File.Exists(scratch.Combine("two", "requests", "002.response.sse")).Should().BeTrue();
        fixture.Manifest.Placeholders.Should().Contain(Placeholders.AuthToken);
    }

    [Fact]
    public void Fixture_files_are_diff_friendly_one_field_per_line()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);

        var lines = File.ReadAllLines(scratch.Combine("two", "requests", "001.request.json"));

        lines.Should().Contain(l => l.Trim() == "\"index\": 1,");
        lines.Should().Contain(l => l.Trim() == "\"purpose\": \"main\",");
        lines.Should().Contain(l => l.Trim() == "\"max_tokens\": 32000,");
        File.ReadAllText(scratch.Combine("two", "manifest.json")).Should().NotContain("\r");
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

        var error = FluentActions.Invoking(() => TrafficFixture.Load(scratch.Combine("two"))).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.File.Should().Be(manifest);
        error.Line.Should().Be(line + 1);
        error.Message.Should().StartWith($"{manifest}:{line + 1}: ");
    }

    [Fact]
    public void A_truncated_request_file_is_reported_with_its_last_line()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var file = scratch.Combine("two", "requests", "002.request.json");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text[..(text.Length / 2)]);

        var error = FluentActions.Invoking(() => TrafficFixture.Load(scratch.Combine("two"))).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.File.Should().Be(file);
        error.Line.Should().NotBeNull();
        error.Line!.Value.Should().BeInRange(2, text.Split('\n').Length);
    }

    [Fact]
    public void A_truncated_answer_names_the_file_its_last_line_and_the_recorded_length()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var sse = scratch.Combine("two", "requests", "001.response.sse");
        var bytes = File.ReadAllBytes(sse);
        File.WriteAllBytes(sse, bytes[..(bytes.Length - 40)]);

        var error = FluentActions.Invoking(() => TrafficFixture.Load(scratch.Combine("two"))).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.File.Should().Be(sse);
        error.Line.Should().Be(File.ReadAllLines(sse).Length);
        error.Message.Should().Contain("truncated");
        error.Message.Should().Contain($"records {bytes.Length}");
        error.Message.Should().Contain("001.request.json (line");
    }

    [Fact]
    public void A_missing_request_file_is_named_with_the_manifest_line_that_counts_it()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        File.Delete(scratch.Combine("two", "requests", "002.request.json"));

        var error = FluentActions.Invoking(() => TrafficFixture.Load(scratch.Combine("two"))).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.File.Should().EndWith("002.request.json");
        error.Message.Should().Contain("requestCount");
        error.Message.Should().Contain("truncated fixture");
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
        text.Should().Contain(find);
        var line = text[..text.IndexOf(find, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        File.WriteAllText(file, text.Replace(find, replace));

        var error = FluentActions.Invoking(() => TrafficFixture.Load(scratch.Combine("two"))).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.File.Should().Be(file);
        error.Line.Should().Be(line);
        error.Message.Should().Contain(expected);
    }

    [Fact]
    public void A_request_file_the_manifest_does_not_count_is_reported()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        File.Copy(scratch.Combine("two", "requests", "002.request.json"), scratch.Combine("two", "requests", "003.request.json"));

        var error = FluentActions.Invoking(() => TrafficFixture.Load(scratch.Combine("two"))).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.File.Should().EndWith("003.request.json");
        error.Message.Should().Contain("not counted");
    }

    [Fact]
    public void A_newer_format_is_refused_with_the_line_of_the_format_field()
    {
        using var scratch = new TempDirectory();
        TwoRequests(scratch);
        var manifest = scratch.Combine("two", "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format\": 1,", "\"format\": 99,"));

        var error = FluentActions.Invoking(() => TrafficFixture.Load(scratch.Combine("two"))).Should().ThrowExactly<TrafficFixtureException>().Which;

        error.Line.Should().Be(2);
        error.Message.Should().Contain("newer");
    }

    [Fact]
    public async Task Replay_never_changes_the_fixture_files()
    {
        using var scratch = new TempDirectory();
        var fixture = TwoRequests(scratch);
        var before = Hashes(fixture.Directory);
        await using var server = await LocalClaude.ScriptedControls.ScriptedAnthropicServer.StartAsync(new LocalClaude.ScriptedControls.NoOpScript(), TestContext.Current.CancellationToken);

        await new Replayer(new ReplayTarget(server.BaseUrl, "k", "control")).ReplayAsync(fixture, TestContext.Current.CancellationToken);

        Hashes(fixture.Directory).Should().Equal(before);
    }

    private static Dictionary<string, string> Hashes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))) + File.GetLastWriteTimeUtc(f).Ticks);
}
