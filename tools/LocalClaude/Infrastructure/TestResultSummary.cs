using System.Xml.Linq;

namespace LocalClaude.Infrastructure;

/// <summary>Counts of a test run, read from the TRX files the test platform wrote.</summary>
public sealed record TestResultSummary(int Passed, int Failed, int Skipped)
{
    /// <summary>The line CI counts.</summary>
    public override string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";

    /// <summary>
    /// A failed test is a verdict; a runner that failed with no failed test (build error, bad arguments, no test
    /// matched, a crashed host) could not run.
    /// </summary>
    public int ExitCode(int runnerExitCode) =>
        Failed > 0 ? ExitCodes.Verdict : runnerExitCode == 0 ? ExitCodes.Ok : ExitCodes.CouldNotRun;

    public static TestResultSummary FromTrxDirectory(string directory)
    {
        int passed = 0, failed = 0, skipped = 0;
        if (!Directory.Exists(directory)) return new(0, 0, 0);
        foreach (var file in Directory.EnumerateFiles(directory, "*.trx", SearchOption.AllDirectories))
        {
            var doc = XDocument.Load(file);
            foreach (var result in doc.Descendants().Where(e => e.Name.LocalName == "UnitTestResult"))
            {
                switch ((string?)result.Attribute("outcome"))
                {
                    case "Passed": passed++; break;
                    case "NotExecuted" or "Inconclusive" or "Skipped": skipped++; break;
                    default: failed++; break;
                }
            }
        }
        return new(passed, failed, skipped);
    }
}
