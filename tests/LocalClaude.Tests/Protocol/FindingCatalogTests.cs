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

        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(FindingCatalog.All, definition =>
        {
            Assert.Matches(IdPattern(), definition.Id);
            Assert.False(string.IsNullOrWhiteSpace(definition.Description));
            Assert.DoesNotContain('\n', definition.Description);
            Assert.Same(definition, FindingCatalog.Get(definition.Id));
        });
    }

    [Fact]
    public void Every_public_definition_field_is_listed_in_All()
    {
        var fields = typeof(FindingCatalog).GetFields()
            .Where(field => field.FieldType == typeof(FindingDefinition))
            .Select(field => (FindingDefinition)field.GetValue(null)!)
            .ToArray();

        Assert.Equal(fields.Length, FindingCatalog.All.Count);
        Assert.All(fields, definition => Assert.Contains(definition, FindingCatalog.All));
    }

    [Fact]
    public void Unknown_id_is_refused()
    {
        Assert.False(FindingCatalog.TryGet("stream.nope", out _));
        Assert.Throws<KeyNotFoundException>(() => FindingCatalog.Get("stream.nope"));
    }

    [Theory]
    [InlineData(FindingSeverity.Note, "note", false)]
    [InlineData(FindingSeverity.Deviation, "deviation", false)]
    [InlineData(FindingSeverity.Violation, "violation", true)]
    [InlineData(FindingSeverity.ClientBreak, "client-break", true)]
    public void Severity_names_and_blocking(FindingSeverity severity, string name, bool blocking)
    {
        Assert.Equal(name, severity.ToReportName());
        Assert.Equal(severity, FindingSeverityExtensions.ParseReportName(name));
        Assert.Equal(blocking, severity.IsBlocking());
    }

    [Fact]
    public void Known_client_breaks_keep_their_severity()
    {
        // The gate fails on these; a change of severity must be a deliberate edit of this test too.
        Assert.Equal(FindingSeverity.ClientBreak, FindingCatalog.Get("stream.block-overlap").Severity);
        Assert.Equal(FindingSeverity.ClientBreak, FindingCatalog.Get("stream.missing-message-stop").Severity);
        Assert.Equal(FindingSeverity.ClientBreak, FindingCatalog.Get("stream.delta-unknown-index").Severity);
        Assert.Equal(FindingSeverity.Deviation, FindingCatalog.Get("error.openai-shape").Severity);
        Assert.Equal(FindingSeverity.Deviation, FindingCatalog.Get("message.stop-sequence-unexpected").Severity);
    }
}
