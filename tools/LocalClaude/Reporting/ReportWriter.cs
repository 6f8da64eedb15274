using System.Globalization;
using LocalClaude.Infrastructure;

namespace LocalClaude.Reporting;

/// <summary>Where one written report lies.</summary>
public sealed record ReportFiles(string Html, string Json, string Summary, string Snapshot);

/// <summary>
/// Writes <c>index.html</c>, <c>report.json</c> and <c>summary.md</c> into a folder and keeps every report in
/// <c>history/&lt;timestamp&gt;/</c> with the result files it was built from. Order matters for crashes: everything is
/// rendered first, the snapshot is staged in a hidden folder and renamed into place, and only then are the three
/// top-level files replaced, each atomically. A run that stops before that leaves the previous report as it was.
/// </summary>
public sealed class ReportWriter(string outputDirectory)
{
    public const string HistoryFolder = "history";
    public const string ResultsFolder = "results";
    private const string StagingPrefix = ".staging-";

    public string OutputDirectory { get; } = Path.GetFullPath(outputDirectory);
    public string HistoryDirectory => Path.Combine(OutputDirectory, HistoryFolder);

    /// <summary>Earlier reports, oldest first (at most <paramref name="max"/>, the newest ones). Unreadable ones become warnings.</summary>
    public IReadOnlyList<CompatibilityReport> LoadHistory(ICollection<string> warnings, int max = 60)
    {
        if (!Directory.Exists(HistoryDirectory)) return [];
        var reports = new List<CompatibilityReport>();
        foreach (var dir in Directory.GetDirectories(HistoryDirectory))
        {
            if (Path.GetFileName(dir).StartsWith('.')) continue;
            var file = Path.Combine(dir, CompatibilityReport.FileName);
            if (!File.Exists(file)) continue;
            try { reports.Add(CompatibilityReport.Load(file)); }
            catch (InvalidDataException e) { warnings.Add($"history: {e.Message}"); }
        }
        return reports.OrderBy(r => r.GeneratedAt).TakeLast(max).ToList();
    }

    /// <param name="keepHistory">How many snapshots to keep (0: all).</param>
    public ReportFiles Write(CompatibilityReport report, IReadOnlyList<LoadedResultFile> results, int keepHistory = 0)
    {
        var json = report.ToJson();
        var html = HtmlReport.Render(report);
        var summary = MarkdownSummary.Render(report);

        Directory.CreateDirectory(HistoryDirectory);
        RemoveStaleStaging();
        var snapshot = UniqueSnapshotPath(report.GeneratedAt);
        var staging = Path.Combine(HistoryDirectory, $"{StagingPrefix}{Path.GetFileName(snapshot)}-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(Path.Combine(staging, ResultsFolder));
        File.WriteAllText(Path.Combine(staging, CompatibilityReport.FileName), json);
        File.WriteAllText(Path.Combine(staging, HtmlReport.FileName), html);
        File.WriteAllText(Path.Combine(staging, MarkdownSummary.FileName), summary);
        foreach (var result in results)
            result.File.Save(Path.Combine(staging, ResultsFolder, ResultFileName(result.Profile, result.Kind)));
        Directory.Move(staging, snapshot);

        var files = new ReportFiles(
            Path.Combine(OutputDirectory, HtmlReport.FileName),
            Path.Combine(OutputDirectory, CompatibilityReport.FileName),
            Path.Combine(OutputDirectory, MarkdownSummary.FileName),
            snapshot);
        // report.json last: a reader that sees the new json also sees the page rendered from it.
        AtomicFile.WriteAllText(files.Html, html);
        AtomicFile.WriteAllText(files.Summary, summary);
        AtomicFile.WriteAllText(files.Json, json);
        if (keepHistory > 0) Prune(keepHistory);
        return files;
    }

    /// <summary><c>PROFILE.KIND.json</c>, with anything but letters, digits, '-', '_' and '.' replaced.</summary>
    public static string ResultFileName(string profile, string kind) => $"{Safe(profile)}.{Safe(kind)}.json";

    public static string SnapshotName(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private string UniqueSnapshotPath(DateTimeOffset at)
    {
        var name = SnapshotName(at);
        var path = Path.Combine(HistoryDirectory, name);
        for (var i = 2; Directory.Exists(path); i++) path = Path.Combine(HistoryDirectory, $"{name}-{i}");
        return path;
    }

    /// <summary>A staging folder older than a day belongs to a run that died; a younger one may be another run's.</summary>
    private void RemoveStaleStaging()
    {
        foreach (var dir in Directory.GetDirectories(HistoryDirectory, StagingPrefix + "*"))
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) > TimeSpan.FromDays(1))
                Directory.Delete(dir, recursive: true);
    }

    private void Prune(int keep)
    {
        var snapshots = Directory.GetDirectories(HistoryDirectory)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var old in snapshots.Take(Math.Max(0, snapshots.Count - keep))) Directory.Delete(old, recursive: true);
    }

    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
