using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

/// <summary>
/// The finding IDs a fixture must produce. Streams declare them in leading SSE comment lines
/// (<c>: expect stream.block-overlap message.id-prefix</c>); bodies, which cannot hold comments, in a sidecar
/// <c>NAME.expect</c> file (one or more IDs, '#' comment lines). A fixture that declares nothing, or an ID the
/// catalog does not know, is an error that names the file.
/// </summary>
internal sealed record FixtureExpectation(string Path, IReadOnlyList<string> ExpectedIds)
{
    private const string ExpectPrefix = ": expect";

    public static FixtureExpectation FromStreamFile(string path)
    {
        var ids = new List<string>();
        foreach (var rawLine in File.ReadLines(path))
        {
            var line = rawLine.TrimStart('\uFEFF');
            if (!line.StartsWith(':'))
            {
                // Only the leading comment block declares expectations.
                break;
            }

            if (line.StartsWith(ExpectPrefix + " ", StringComparison.Ordinal))
            {
                ids.AddRange(SplitIds(line[ExpectPrefix.Length..]));
            }
        }

        return Checked(path, ids, $"no leading '{ExpectPrefix} <finding-id>' comment line");
    }

    public static FixtureExpectation FromSidecar(string bodyPath)
    {
        var sidecar = System.IO.Path.ChangeExtension(bodyPath, ".expect");
        if (!File.Exists(sidecar))
        {
            throw new InvalidDataException($"{bodyPath}: no sidecar {System.IO.Path.GetFileName(sidecar)} declaring the expected finding IDs");
        }

        var ids = File.ReadLines(sidecar)
            .Where(line => !line.TrimStart().StartsWith('#'))
            .SelectMany(SplitIds)
            .ToList();
        return Checked(bodyPath, ids, $"{System.IO.Path.GetFileName(sidecar)} lists no finding ID");
    }

    private static IEnumerable<string> SplitIds(string text) =>
        text.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static FixtureExpectation Checked(string path, List<string> ids, string whenEmpty)
    {
        if (ids.Count == 0)
        {
            throw new InvalidDataException($"{path}: {whenEmpty}");
        }

        var unknown = ids.Where(id => !FindingCatalog.TryGet(id, out _)).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidDataException($"{path}: unknown finding ID(s) {string.Join(", ", unknown)} (see {nameof(FindingCatalog)})");
        }

        return new FixtureExpectation(path, ids.Distinct(StringComparer.Ordinal).ToArray());
    }
}

/// <summary>Finds fixtures/streams from the test binary's folder, whatever the working directory.</summary>
internal static class StreamFixtures
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>Relative paths ("broken/index-gap.sse") of the files in a fixture folder, sorted.</summary>
    public static TheoryData<string> Files(string folder, params string[] extensions) => new(Paths(folder, extensions));

    public static string[] Paths(string folder, params string[] extensions)
    {
        var directory = PathOf(folder);
        var files = Directory.EnumerateFiles(directory)
            .Where(file => extensions.Contains(System.IO.Path.GetExtension(file), StringComparer.Ordinal))
            .Select(file => System.IO.Path.GetRelativePath(Root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw new InvalidOperationException($"No {string.Join("/", extensions)} fixtures in {directory}.");
        }

        return files;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "fixtures", "streams");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"fixtures/streams not found above {AppContext.BaseDirectory}.");
    }
}
