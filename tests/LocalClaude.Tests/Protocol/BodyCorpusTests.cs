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

        report.Kind.Should().NotBe(ProtocolInputKind.Unrecognised);
        var found = report.Findings.Select(finding => finding.Id).ToHashSet(StringComparer.Ordinal);
        var missing = expectation.ExpectedIds.Where(id => !found.Contains(id)).ToArray();
        (missing.Length == 0).Should().BeTrue($"{fixture}: expected {string.Join(", ", missing)} but got:\n{StreamCorpusTests.Describe(report.Findings)}");
        var unexpectedBlocking = report.Findings.Where(finding => finding.IsBlocking && !expectation.ExpectedIds.Contains(finding.Id)).ToArray();
        (unexpectedBlocking.Length == 0).Should().BeTrue($"{fixture}: undeclared blocking findings:\n{StreamCorpusTests.Describe(unexpectedBlocking)}");

        var expectedOutcome = expectation.ExpectedIds.Any(id => FindingCatalog.Get(id).Severity.IsBlocking())
            ? ValidationOutcome.Bad
            : ValidationOutcome.Clean;
        report.Outcome.Should().Be(expectedOutcome);
    }

    [Theory]
    [MemberData(nameof(ValidBodies))]
    public void Valid_body_is_clean(string fixture)
    {
        var report = ProtocolFileValidator.ValidateFile(StreamFixtures.PathOf(fixture));

        report.Kind.Should().NotBe(ProtocolInputKind.Unrecognised);
        (report.Findings.Count == 0).Should().BeTrue($"{fixture}:\n{StreamCorpusTests.Describe(report.Findings)}");
        report.Outcome.Should().Be(ValidationOutcome.Clean);
        report.ExitCode.Should().Be(0);
    }
}
