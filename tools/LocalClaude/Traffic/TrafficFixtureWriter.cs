using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalClaude.Relay;

namespace LocalClaude.Traffic;

/// <summary>Turns what the proxy captured into a fixture folder: scrubbed, timed relative to the first request, overlaps marked.</summary>
public static class TrafficFixtureWriter
{
    /// <summary>Left out of recorded request headers: it changes whenever a placeholder is substituted.</summary>
    private static readonly HashSet<string> DroppedRequestHeaders = new(StringComparer.OrdinalIgnoreCase) { "content-length" };

    /// <summary>Left out of recorded response headers: they change on every run and say nothing about the server.</summary>
    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase) { "date", "content-length" };

    /// <summary>Builds the fixture's request records and response bodies (nothing is written).</summary>
    public static IReadOnlyList<(TrafficRequest Request, byte[] ResponseBody)> Build(IReadOnlyList<CapturedExchange> captured, PlaceholderScrubber scrubber)
    {
        foreach (var exchange in captured) scrubber.LearnFrom(exchange);
        var ordered = captured.OrderBy(e => e.ArrivedAt).ThenBy(e => e.Sequence).ToArray();
        if (ordered.Length == 0) return [];
        var origin = ordered[0].ArrivedAt;
        double Ms(TimeSpan t) => Math.Round((t - origin).TotalMilliseconds, 1);
        var overlaps = OverlapMarks.Compute(ordered.Select(e => (Ms(e.ArrivedAt), Ms(e.CompletedAt))).ToArray());

        var result = new List<(TrafficRequest, byte[])>();
        for (var i = 0; i < ordered.Length; i++)
        {
            var exchange = ordered[i];
            var index = i + 1;
            var bodyText = scrubber.Scrub(Encoding.UTF8.GetString(exchange.RequestBody));
            JsonNode? body = null;
            string? text = null;
            if (bodyText.Length > 0)
            {
                try { body = JsonNode.Parse(bodyText); }
                catch (JsonException) { text = bodyText; }
            }
            var contentType = exchange.ResponseHeader("content-type");
            var responseText = Encoding.UTF8.GetString(exchange.ResponseBody);
            var responseBody = Encoding.UTF8.GetBytes(contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true
                ? scrubber.ScrubEventStream(responseText)
                : scrubber.Scrub(responseText));
            var request = new TrafficRequest
            {
                Index = index,
                Purpose = RequestPurpose.Classify(exchange.Method, exchange.PathAndQuery, body),
                Method = exchange.Method,
                Path = scrubber.Scrub(exchange.PathAndQuery),
                ArrivalMs = Ms(exchange.ArrivedAt),
                CompletionMs = Ms(exchange.CompletedAt),
                OverlapsWith = overlaps[i].Select(j => j + 1).ToArray(),
                Headers = HeaderMap(exchange.RequestHeaders.Where(h => !DroppedRequestHeaders.Contains(h.Key)), scrubber),
                Body = body,
                BodyText = text,
                Response = new TrafficResponse
                {
                    Status = exchange.Status,
                    Headers = HeaderMap(exchange.ResponseHeaders.Where(h => !DroppedResponseHeaders.Contains(h.Key)), scrubber),
                    BodyFile = responseBody.Length == 0 ? null : TrafficFixture.ResponseFileName(index, contentType),
                    BodyBytes = responseBody.Length,
                    FirstByteMs = exchange.FirstByteAt is { } first ? Ms(first) : null,
                    Chunks = exchange.ChunkCount,
                    TransportError = exchange.TransportError is { } error ? scrubber.Scrub(error) : null,
                },
            };
            result.Add((request, responseBody));
        }
        return result;
    }

    /// <summary>
    /// Writes the fixture folder (replacing one that is there) and returns the paths written. Throws before writing
    /// anything if a sensitive value survived scrubbing.
    /// </summary>
    public static IReadOnlyList<string> Write(string directory, TrafficManifest manifest,
        IReadOnlyList<(TrafficRequest Request, byte[] ResponseBody)> requests, PlaceholderScrubber scrubber)
    {
        var files = new List<(string RelativePath, byte[] Content)>();
        foreach (var (request, responseBody) in requests)
        {
            var relative = Path.Combine(TrafficFixture.RequestsFolder, TrafficFixture.RequestFileName(request.Index));
            files.Add((relative, Encoding.UTF8.GetBytes(FixtureJson.Serialize(request))));
            if (request.Response.BodyFile is { } bodyFile)
                files.Add((Path.Combine(TrafficFixture.RequestsFolder, bodyFile), responseBody));
        }
        var placeholders = files.SelectMany(f => Placeholders.FindIn(Encoding.UTF8.GetString(f.Content)))
            .Concat(Placeholders.FindIn(FixtureJson.Serialize(manifest with { Placeholders = [] })))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        manifest = manifest with { RequestCount = requests.Count, Placeholders = placeholders };
        files.Insert(0, (TrafficFixture.ManifestFile, Encoding.UTF8.GetBytes(FixtureJson.Serialize(manifest))));

        var leaks = files.SelectMany(f => scrubber.FindLeaks(Encoding.UTF8.GetString(f.Content)).Select(v => $"{f.RelativePath}: '{v}'")).ToArray();
        if (leaks.Length > 0)
            throw new InvalidOperationException($"refusing to write fixture {directory}: machine-specific values survived scrubbing:\n  {string.Join("\n  ", leaks)}");

        // Build next to the target, then swap: an interrupted recording never leaves a half-written fixture.
        var full = Path.GetFullPath(directory);
        var staging = $"{full}.tmp-{Environment.ProcessId}";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        foreach (var (relative, content) in files)
        {
            var path = Path.Combine(staging, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }
        if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        Directory.Move(staging, full);
        return files.Select(f => Path.Combine(full, f.RelativePath)).ToArray();
    }

    private static IReadOnlyDictionary<string, string> HeaderMap(IEnumerable<KeyValuePair<string, string>> headers, PlaceholderScrubber scrubber)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.ToLowerInvariant();
            var scrubbed = scrubber.ScrubHeader(key, value);
            map[key] = map.TryGetValue(key, out var existing) ? $"{existing}, {scrubbed}" : scrubbed;
        }
        return map;
    }
}
