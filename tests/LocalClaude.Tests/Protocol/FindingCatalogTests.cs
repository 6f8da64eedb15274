using System.Text.RegularExpressions;
using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

public sealed partial class FindingCatalogTests
{
    [GeneratedRegex("^(sse|stream|message|body|error|http|client)\\.[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdPattern();

    [Fact]
    public void Ids_are_unique_well_formed_and_described_on_one_line()
    {
        var ids = FindingCatalog.All.Select(definition => definition.Id).ToArray();

        ids.Distinct(StringComparer.Ordinal).Count().Should().Be(ids.Length);
        Assert.All(FindingCatalog.All, definition =>
        {
            definition.Id.Should().MatchRegex(IdPattern());
            string.IsNullOrWhiteSpace(definition.Description).Should().BeFalse();
            Assert.DoesNotContain('\n', definition.Description);
            FindingCatalog.Get(definition.Id).Should().BeSameAs(definition);
        });
    }

    [Fact]
    public void Every_public_definition_field_is_listed_in_All()
    {
        var fields = typeof(FindingCatalog).GetFields()
            .Where(field => field.FieldType == typeof(FindingDefinition))
            .Select(field => (FindingDefinition)field.GetValue(null)!)
            .ToArray();

        FindingCatalog.All.Count.Should().Be(fields.Length);
        Assert.All(fields, definition => FindingCatalog.All.Should().Contain(definition));
    }

    [Fact]
    public void Unknown_id_is_refused()
    {
        FindingCatalog.TryGet("stream.nope", out _).Should().BeFalse();
        FluentActions.Invoking(() => FindingCatalog.Get("stream.nope")).Should().ThrowExactly<KeyNotFoundException>();
    }

    [Theory]
    [InlineData(FindingSeverity.Note, "note", false)]
    [InlineData(FindingSeverity.Deviation, "deviation", false)]
    [InlineData(FindingSeverity.Violation, "violation", true)]
    [InlineData(FindingSeverity.ClientBreak, "client-break", true)]
    public void Severity_names_and_blocking(FindingSeverity severity, string name, bool blocking)
    {
        severity.ToReportName().Should().Be(name);
        FindingSeverityExtensions.ParseReportName(name).Should().Be(severity);
        severity.IsBlocking().Should().Be(blocking);
    }

    [Fact]
    public void Known_client_breaks_keep_their_severity()
    {
        // The gate fails on these; a change of severity must be a deliberate edit of this test too.
        FindingCatalog.Get("stream.block-overlap").Severity.Should().Be(FindingSeverity.ClientBreak);
        FindingCatalog.Get("stream.missing-message-stop").Severity.Should().Be(FindingSeverity.ClientBreak);
        FindingCatalog.Get("stream.delta-unknown-index").Severity.Should().Be(FindingSeverity.ClientBreak);
        FindingCatalog.Get("error.openai-shape").Severity.Should().Be(FindingSeverity.Deviation);
        FindingCatalog.Get("message.stop-sequence-unexpected").Severity.Should().Be(FindingSeverity.Deviation);
    }
}
