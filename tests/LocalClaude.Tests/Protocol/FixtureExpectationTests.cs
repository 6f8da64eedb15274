namespace LocalClaude.Tests.Protocol;

/// <summary>A malformed fixture must fail loudly and name the file, not silently expect nothing.</summary>
public sealed class FixtureExpectationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("localclaude-fixture-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Stream_without_expect_line_is_an_error_naming_the_file()
    {
        var path = Write("no-expect.sse", ": just a comment\nevent: ping\ndata: {\"type\":\"ping\"}\n\n");

        var error = Assert.Throws<InvalidDataException>(() => FixtureExpectation.FromStreamFile(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(": expect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expect_line_after_the_first_event_does_not_count()
    {
        var path = Write("late-expect.sse", "event: ping\ndata: {\"type\":\"ping\"}\n\n: expect stream.empty\n");

        Assert.Throws<InvalidDataException>(() => FixtureExpectation.FromStreamFile(path));
    }

    [Fact]
    public void Unknown_finding_id_is_an_error_naming_file_and_id()
    {
        var path = Write("typo.sse", ": expect stream.block-overlapp\n");

        var error = Assert.Throws<InvalidDataException>(() => FixtureExpectation.FromStreamFile(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("stream.block-overlapp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_ids_on_several_lines_are_all_read()
    {
        var path = Write("many.sse", ": expect stream.block-overlap, message.id-prefix\n: about this file\n: expect stream.index-gap\n");

        var expectation = FixtureExpectation.FromStreamFile(path);

        Assert.Equal(["stream.block-overlap", "message.id-prefix", "stream.index-gap"], expectation.ExpectedIds);
    }

    [Fact]
    public void Body_without_sidecar_is_an_error_naming_the_file()
    {
        var path = Write("orphan.json", "{}");

        var error = Assert.Throws<InvalidDataException>(() => FixtureExpectation.FromSidecar(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("orphan.expect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sidecar_with_only_comments_is_an_error()
    {
        var path = Write("empty.json", "{}");
        Write("empty.expect", "# nothing declared\n");

        var error = Assert.Throws<InvalidDataException>(() => FixtureExpectation.FromSidecar(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
