using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

/// <summary>The fixture corpus: every broken stream is caught under the IDs it declares, every valid one passes.</summary>
public sealed class StreamCorpusTests
{
    public static TheoryData<string> BrokenStreams => StreamFixtures.Files("broken", ".sse");

    public static TheoryData<string> ValidStreams => StreamFixtures.Files("valid", ".sse");

    [Theory]
    [MemberData(nameof(BrokenStreams))]
    public void Broken_stream_is_caught_under_exactly_its_declared_ids(string fixture)
    {
        var path = StreamFixtures.PathOf(fixture);
        var expectation = FixtureExpectation.FromStreamFile(path);

        var result = AnthropicStreamValidator.Validate(File.ReadAllBytes(path));

        var found = result.Findings.Select(finding => finding.Id).ToHashSet(StringComparer.Ordinal);
        var missing = expectation.ExpectedIds.Where(id => !found.Contains(id)).ToArray();
        (missing.Length == 0).Should().BeTrue($"{fixture}: expected {string.Join(", ", missing)} but got:\n{Describe(result.Findings)}");

        var unexpectedBlocking = result.Findings
            .Where(finding => finding.IsBlocking && !expectation.ExpectedIds.Contains(finding.Id))
            .ToArray();
        (unexpectedBlocking.Length == 0).Should().BeTrue($"{fixture}: undeclared blocking findings:\n{Describe(unexpectedBlocking)}");
    }

    [Theory]
    [MemberData(nameof(ValidStreams))]
    public void Valid_stream_has_no_finding_above_note(string fixture)
    {
        var result = AnthropicStreamValidator.Validate(File.ReadAllBytes(StreamFixtures.PathOf(fixture)));

        var aboveNote = result.Findings.Where(finding => finding.Severity > FindingSeverity.Note).ToArray();
        (aboveNote.Length == 0).Should().BeTrue($"{fixture}:\n{Describe(aboveNote)}");
        (result.EventCount > 0).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(ValidStreams))]
    public async Task Valid_stream_read_live_matches_the_in_memory_parse(string fixture)
    {
        var bytes = File.ReadAllBytes(StreamFixtures.PathOf(fixture));
        var inMemory = AnthropicStreamValidator.Validate(bytes);

        // One byte per read: every CR/LF pair and every UTF-8 sequence is split across reads somewhere.
        using var stream = new TrickleStream(bytes, maxChunk: 1);
        var live = await AnthropicStreamValidator.ValidateAsync(stream, clock: null, TestContext.Current.CancellationToken);

        live.Findings.Should().Equal(inMemory.Findings);
        live.EventCount.Should().Be(inMemory.EventCount);
        live.Message.Text.Should().Be(inMemory.Message.Text);
        live.Timings.FirstEvent.Should().NotBeNull();
        inMemory.Timings.FirstEvent.Should().BeNull();
    }

    [Fact]
    public void Corpus_is_large_enough_and_covers_the_catalog()
    {
        var brokenFiles = Directory.GetFiles(StreamFixtures.PathOf("broken"), "*.sse");
        (brokenFiles.Length >= 30).Should().BeTrue($"only {brokenFiles.Length} broken streams");

        var bodyFiles = Directory.GetFiles(StreamFixtures.PathOf("bodies/broken"))
            .Where(file => Path.GetExtension(file) is ".json" or ".http");
        var declared = brokenFiles.SelectMany(file => FixtureExpectation.FromStreamFile(file).ExpectedIds)
            .Concat(bodyFiles.SelectMany(file => FixtureExpectation.FromSidecar(file).ExpectedIds))
            .ToHashSet(StringComparer.Ordinal);

        // Findings only the SDK consumer or the reader's own tests produce.
        string[] coveredElsewhere = [FindingCatalog.ClientSdkError.Id, FindingCatalog.SseByteOrderMark.Id, FindingCatalog.SseMultilineData.Id];
        var uncovered = FindingCatalog.All.Select(definition => definition.Id)
            .Where(id => !declared.Contains(id) && !coveredElsewhere.Contains(id))
            .ToArray();
        (uncovered.Length == 0).Should().BeTrue($"catalog IDs no fixture declares: {string.Join(", ", uncovered)}");
    }

    internal static string Describe(IEnumerable<Finding> findings) =>
        string.Join("\n", findings.Select(finding => "  " + finding));
}
