using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

/// <summary>JSON bodies and raw HTTP captures through the file entry point the validate command uses.</summary>
public sealed class BodyCorpusTests
{
    public static TheoryData<string> BrokenBodies => StreamFixtures.Files("bodies/broken", ".json", ".http");

    public static TheoryData<string> ValidBodies => StreamFixtures.Files("bodies/valid", ".json", ".http");

    [Theory]
    [MemberData(nameof(BrokenBodies))]
    public void Broken_body_is_caught_under_exactly_its_declared_ids(string fixture)
    {
        var path = StreamFixtures.PathOf(fixture);
        var expectation = FixtureExpectation.FromSidecar(path);

        var report = ProtocolFileValidator.ValidateFile(path);

        Assert.NotEqual(ProtocolInputKind.Unrecognised, report.Kind);
        var found = report.Findings.Select(finding => finding.Id).ToHashSet(StringComparer.Ordinal);
        var missing = expectation.ExpectedIds.Where(id => !found.Contains(id)).ToArray();
        Assert.True(missing.Length == 0, $"{fixture}: expected {string.Join(", ", missing)} but got:\n{StreamCorpusTests.Describe(report.Findings)}");
        var unexpectedBlocking = report.Findings.Where(finding => finding.IsBlocking && !expectation.ExpectedIds.Contains(finding.Id)).ToArray();
        Assert.True(unexpectedBlocking.Length == 0, $"{fixture}: undeclared blocking findings:\n{StreamCorpusTests.Describe(unexpectedBlocking)}");

        var expectedOutcome = expectation.ExpectedIds.Any(id => FindingCatalog.Get(id).Severity.IsBlocking())
            ? ValidationOutcome.Bad
            : ValidationOutcome.Clean;
        Assert.Equal(expectedOutcome, report.Outcome);
    }

    [Theory]
    [MemberData(nameof(ValidBodies))]
    public void Valid_body_is_clean(string fixture)
    {
        var report = ProtocolFileValidator.ValidateFile(StreamFixtures.PathOf(fixture));

        Assert.NotEqual(ProtocolInputKind.Unrecognised, report.Kind);
        Assert.True(report.Findings.Count == 0, $"{fixture}:\n{StreamCorpusTests.Describe(report.Findings)}");
        Assert.Equal(ValidationOutcome.Clean, report.Outcome);
        Assert.Equal(0, report.ExitCode);
    }
}
