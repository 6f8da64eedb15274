using System.Text.Json;
using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>A result file and where it was read from (null when it came straight from a producer).</summary>
public sealed record LoadedResultFile(ResultFile File, string? Path)
{
    public string Profile => File.Run.Profile;
    public string Kind => File.Kind;
}

/// <summary>
/// Result files gathered from folders (one per CI job or machine), with one file per profile and kind:
/// when two files claim the same profile and kind the newest run wins and a warning says which was dropped.
/// </summary>
public sealed class ResultFileSet
{
    private ResultFileSet(IReadOnlyList<LoadedResultFile> files, IReadOnlyList<string> warnings)
    {
        Files = files;
        Warnings = warnings;
    }

    public IReadOnlyList<LoadedResultFile> Files { get; }
    public IReadOnlyList<string> Warnings { get; }

    public IReadOnlyList<string> Profiles => Files.Select(f => f.Profile).Distinct(StringComparer.Ordinal).ToList();

    public static ResultFileSet Merge(IEnumerable<LoadedResultFile> files, IEnumerable<string>? warnings = null)
    {
        var notes = new List<string>(warnings ?? []);
        var kept = new List<LoadedResultFile>();
        foreach (var group in files.GroupBy(f => (f.Profile, f.Kind)))
        {
            var ordered = group.OrderByDescending(f => f.File.Run.StartedAt).ToList();
            kept.Add(ordered[0]);
            foreach (var dropped in ordered.Skip(1))
                notes.Add($"{group.Key.Profile} {group.Key.Kind}: kept the run of {ordered[0].File.Run.StartedAt:u} " +
                          $"({Describe(ordered[0])}), dropped the older one of {dropped.File.Run.StartedAt:u} ({Describe(dropped)})");
        }
        return new ResultFileSet(kept, notes);
    }

    /// <summary>Reads every result file under the folders (or the files named). Skips <c>history/</c> folders and JSON that is not a result file.</summary>
    public static ResultFileSet Load(IEnumerable<string> paths)
    {
        var files = new List<LoadedResultFile>();
        var warnings = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(new LoadedResultFile(ResultFile.Load(path), Path.GetFullPath(path)));
                continue;
            }
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"--merge: no such folder or file: {path}");
            var found = 0;
            foreach (var file in EnumerateJson(path))
            {
                if (!LooksLikeResultFile(file)) continue;
                try
                {
                    files.Add(new LoadedResultFile(ResultFile.Load(file), Path.GetFullPath(file)));
                    found++;
                }
                catch (InvalidDataException e)
                {
                    warnings.Add($"skipped {e.Message}");
                }
            }
            if (found == 0) warnings.Add($"{path}: no result files");
        }
        return Merge(files, warnings);
    }

    public ResultFileSet ForProfiles(IReadOnlyCollection<string> profiles) =>
        profiles.Count == 0 ? this : new ResultFileSet(Files.Where(f => profiles.Contains(f.Profile)).ToList(), Warnings);

    private static IEnumerable<string> EnumerateJson(string root)
    {
        foreach (var file in Directory.EnumerateFiles(root, "*.json").Order(StringComparer.Ordinal)) yield return file;
        foreach (var dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            // Earlier reports' copies must not come back into a new report as if they were fresh.
            if (Path.GetFileName(dir) is ReportWriter.HistoryFolder || Path.GetFileName(dir).StartsWith('.')) continue;
            foreach (var file in EnumerateJson(dir)) yield return file;
        }
    }

    /// <summary>A result file is a JSON object with <c>kind</c> and <c>run</c>; report.json and gate.json are not.</summary>
    internal static bool LooksLikeResultFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            return doc.RootElement.ValueKind == JsonValueKind.Object &&
                   doc.RootElement.TryGetProperty("kind", out _) && doc.RootElement.TryGetProperty("run", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Describe(LoadedResultFile f) => f.Path ?? f.File.Run.Machine;
}
