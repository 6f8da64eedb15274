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

        var error = FluentActions.Invoking(() => FixtureExpectation.FromStreamFile(path)).Should().ThrowExactly<InvalidDataException>().Which;

        error.Message.Should().Contain(path);
        error.Message.Should().Contain(": expect");
    }

    [Fact]
    public void Expect_line_after_the_first_event_does_not_count()
    {
        var path = Write("late-expect.sse", "event: ping\ndata: {\"type\":\"ping\"}\n\n: expect stream.empty\n");

        FluentActions.Invoking(() => FixtureExpectation.FromStreamFile(path)).Should().ThrowExactly<InvalidDataException>();
    }

    [Fact]
    public void Unknown_finding_id_is_an_error_naming_file_and_id()
    {
        var path = Write("typo.sse", ": expect stream.block-overlapp\n");

        var error = FluentActions.Invoking(() => FixtureExpectation.FromStreamFile(path)).Should().ThrowExactly<InvalidDataException>().Which;

        error.Message.Should().Contain(path);
        error.Message.Should().Contain("stream.block-overlapp");
    }

    [Fact]
    public void Several_ids_on_several_lines_are_all_read()
    {
        var path = Write("many.sse", ": expect stream.block-overlap, message.id-prefix\n: about this file\n: expect stream.index-gap\n");

        var expectation = FixtureExpectation.FromStreamFile(path);

        expectation.ExpectedIds.Should().Equal(["stream.block-overlap", "message.id-prefix", "stream.index-gap"]);
    }

    [Fact]
    public void Body_without_sidecar_is_an_error_naming_the_file()
    {
        var path = Write("orphan.json", "{}");

        var error = FluentActions.Invoking(() => FixtureExpectation.FromSidecar(path)).Should().ThrowExactly<InvalidDataException>().Which;

        error.Message.Should().Contain(path);
        error.Message.Should().Contain("orphan.expect");
    }

    [Fact]
    public void Sidecar_with_only_comments_is_an_error()
    {
        var path = Write("empty.json", "{}");
        Write("empty.expect", "# nothing declared\n");

        var error = FluentActions.Invoking(() => FixtureExpectation.FromSidecar(path)).Should().ThrowExactly<InvalidDataException>().Which;

        error.Message.Should().Contain(path);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
