using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LocalClaude.Traffic;

/// <summary>
/// A recorded Claude Code session: <c>fixtures/traffic/NAME/manifest.json</c> plus, per request,
/// <c>requests/NNN.request.json</c> (request, timings, the answer's status and headers) and <c>requests/NNN.response.*</c>
/// (the answer's raw body: <c>.sse</c> for event streams, <c>.json</c> for JSON). Loading never changes the files.
/// </summary>
public sealed partial record TrafficFixture(string Directory, TrafficManifest Manifest, IReadOnlyList<FixtureExchange> Exchanges)
{
    public const string ManifestFile = "manifest.json";
    public const string RequestsFolder = "requests";

    public string Name => Manifest.Name;

    public static string RequestFileName(int index) => $"{index:D3}.request.json";

    public static string ResponseFileName(int index, string? contentType) =>
        contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "text/event-stream" => $"{index:D3}.response.sse",
            "application/json" => $"{index:D3}.response.json",
            _ => $"{index:D3}.response.txt",
        };

    /// <summary>Every fixture folder (one holding a manifest.json) under <paramref name="trafficRoot"/>, sorted by name.</summary>
    public static IReadOnlyList<string> FindAll(string trafficRoot) =>
        System.IO.Directory.Exists(trafficRoot)
            ? System.IO.Directory.EnumerateDirectories(trafficRoot)
                .Where(d => File.Exists(Path.Combine(d, ManifestFile)))
                .Order(StringComparer.Ordinal)
                .ToArray()
            : [];

    /// <summary>Reads and checks a fixture folder; a malformed or truncated one throws <see cref="TrafficFixtureException"/> naming file and line.</summary>
    public static TrafficFixture Load(string directory)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        if (!System.IO.Directory.Exists(directory))
            throw new TrafficFixtureException(directory, null, "no such fixture folder");
        var manifest = ReadJson<TrafficManifest>(manifestPath);
        if (manifest.Format > TrafficManifest.CurrentFormat)
            throw new TrafficFixtureException(manifestPath, LineOf(manifestPath, "format"),
                $"fixture format {manifest.Format} is newer than this tool's ({TrafficManifest.CurrentFormat})");
        if (manifest.RequestCount < 1)
            throw new TrafficFixtureException(manifestPath, LineOf(manifestPath, "requestCount"), "requestCount must be at least 1");

        var requestsDir = Path.Combine(directory, RequestsFolder);
        var exchanges = new List<FixtureExchange>();
        for (var index = 1; index <= manifest.RequestCount; index++)
        {
            var requestPath = Path.Combine(requestsDir, RequestFileName(index));
            if (!File.Exists(requestPath))
                throw new TrafficFixtureException(requestPath, null,
                    $"missing: requestCount in {ManifestFile} (line {LineOf(manifestPath, "requestCount")}) says the fixture has {manifest.RequestCount} requests (truncated fixture?)");
            exchanges.Add(ReadExchange(requestPath, index, manifest.RequestCount));
        }
        var extra = System.IO.Directory.Exists(requestsDir)
            ? System.IO.Directory.EnumerateFiles(requestsDir, "*.request.json")
                .Select(f => (File: f, Match: RequestFilePattern().Match(Path.GetFileName(f))))
                .Where(f => !f.Match.Success || int.Parse(f.Match.Groups[1].Value) > manifest.RequestCount)
                .Select(f => f.File).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (extra is not null)
            throw new TrafficFixtureException(extra, null,
                $"not counted: requestCount in {ManifestFile} (line {LineOf(manifestPath, "requestCount")}) says the fixture has {manifest.RequestCount} requests");
        return new TrafficFixture(Path.GetFullPath(directory), manifest, exchanges);
    }

    private static FixtureExchange ReadExchange(string requestPath, int index, int count)
    {
        var request = ReadJson<TrafficRequest>(requestPath);
        if (request.Index != index)
            throw new TrafficFixtureException(requestPath, LineOf(requestPath, "index"), $"index is {request.Index}, but the file name says {index}");
        if (request.CompletionMs < request.ArrivalMs)
            throw new TrafficFixtureException(requestPath, LineOf(requestPath, "completionMs"), "completionMs is before arrivalMs");
        var badOverlap = request.OverlapsWith.FirstOrDefault(i => i < 1 || i > count || i == index);
        if (badOverlap != 0)
            throw new TrafficFixtureException(requestPath, LineOf(requestPath, "overlapsWith"), $"overlapsWith names request {badOverlap}, which is not another request of this fixture");
        if (request.Body is not null && request.BodyText is not null)
            throw new TrafficFixtureException(requestPath, LineOf(requestPath, "bodyText"), "a request has either body or bodyText, not both");

        var response = request.Response;
        if (response.BodyFile is null)
        {
            if (response.BodyBytes != 0)
                throw new TrafficFixtureException(requestPath, LineOf(requestPath, "bodyBytes"), $"bodyBytes is {response.BodyBytes} but no bodyFile is named");
            return new FixtureExchange(request, [], requestPath, null);
        }
        if (response.BodyFile.Contains('/') || response.BodyFile.Contains('\\') || response.BodyFile.StartsWith('.'))
            throw new TrafficFixtureException(requestPath, LineOf(requestPath, "bodyFile"), $"bodyFile '{response.BodyFile}' must be a file name next to the request file");
        var responsePath = Path.Combine(Path.GetDirectoryName(requestPath)!, response.BodyFile);
        if (!File.Exists(responsePath))
            throw new TrafficFixtureException(responsePath, null, $"missing: named by {Path.GetFileName(requestPath)} (line {LineOf(requestPath, "bodyFile")})");
        var body = File.ReadAllBytes(responsePath);
        if (body.LongLength != response.BodyBytes)
        {
            var lines = body.Count(b => b == (byte)'\n') + (body.Length > 0 && body[^1] != (byte)'\n' ? 1 : 0);
            var what = body.LongLength < response.BodyBytes ? "truncated" : "longer than recorded";
            throw new TrafficFixtureException(responsePath, Math.Max(lines, 1),
                $"{what}: {body.LongLength} bytes, but {Path.GetFileName(requestPath)} (line {LineOf(requestPath, "bodyBytes")}) records {response.BodyBytes}");
        }
        return new FixtureExchange(request, body, requestPath, responsePath);
    }

    private static T ReadJson<T>(string path)
    {
        if (!File.Exists(path)) throw new TrafficFixtureException(path, null, "missing");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new TrafficFixtureException(path, 1, "empty file (truncated fixture?)");
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, FixtureJson.Options)
                   ?? throw new TrafficFixtureException(path, 1, "the file holds JSON null");
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
            var problem = e.Message.Split(" Path:", 2)[0];
            if (e.Path is { Length: > 1 } jsonPath) problem += $" (at {jsonPath})";
            if (line is null && Encoding.UTF8.GetString(bytes).TrimEnd() is var text && !text.EndsWith('}'))
                problem += " (truncated file?)";
            throw new TrafficFixtureException(path, line, problem, e);
        }
    }

    /// <summary>The 1-based line where <c>"property":</c> first appears, for messages about a value that parsed but is wrong.</summary>
    internal static int? LineOf(string path, string property)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            var needle = $"\"{property}\"";
            for (var i = 0; i < lines.Length; i++)
                if (lines[i].Contains(needle, StringComparison.Ordinal)) return i + 1;
        }
        catch (IOException) { }
        return null;
    }

    [GeneratedRegex(@"^(\d{3,})\.request\.json$")]
    private static partial Regex RequestFilePattern();
}
