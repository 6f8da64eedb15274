using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalClaude.Relay;

namespace LocalClaude.Traffic;

/// <summary>What <c>record import</c> wrote, and the archive's entries it left out (with why).</summary>
public sealed record HarImportResult(TrafficManifest Manifest, IReadOnlyList<string> Files, IReadOnlyList<string> Skipped);

/// <summary>
/// <c>record import FILE.har</c>: Claude Code's traffic as an HTTP Archive (HAR 1.2, what mitmproxy, browsers and most
/// debugging proxies export) turned into a fixture with the recorder's scrubbing and placeholders. The archive is
/// hostile input: every entry is checked, an error names the file and the entry, and nothing is written unless the
/// whole archive is good and no credential or machine-specific value survives.
/// </summary>
public static partial class HarImport
{
    /// <summary>Larger than any real session's archive; a bigger file is refused before it is read.</summary>
    public const long MaxArchiveBytes = 1024L * 1024 * 1024;

    /// <summary>
    /// More Messages API exchanges than any real session; overlap marks grow with the square of the count, so a hostile
    /// archive of concurrent entries is refused rather than written (2000 fully overlapping: seconds and ~50 MB).
    /// </summary>
    public const int MaxExchanges = 2000;

    public static HarImportResult Import(string harPath, string outputDirectory, string name, string? description)
    {
        // Checked before the archive is read: the writer would build beside the target and then fail to move over it.
        var target = new FileInfo(Path.TrimEndingDirectorySeparator(outputDirectory));
        if (target.Exists || (target.LinkTarget is not null && !Directory.Exists(target.FullName)))
            throw new TrafficFixtureException(outputDirectory, null, "exists and is not a folder; choose another --out");
        var (exchanges, skipped, host, started) = Read(harPath);
        var scrubber = new PlaceholderScrubber()
            .Add(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Placeholders.UserHome)
            .Add(Environment.MachineName, Placeholders.MachineName)
            .Add(host, Placeholders.Host, mustNotLeak: false)
            .AddDates(started);
        // A credential is redacted wherever it appears (a body, the query, another header), not only in its own header.
        foreach (var secret in exchanges.SelectMany(CredentialsOf).Distinct(StringComparer.Ordinal)) scrubber.Add(secret, Placeholders.Redacted);
        // The work folder and Claude Code's home are the user's, not ours: the prompt names both.
        var bodies = exchanges.Select(e => Encoding.UTF8.GetString(e.RequestBody)).ToArray();
        if (bodies.Select(b => WorkingDirectory().Match(b)).FirstOrDefault(m => m.Success) is { } work) scrubber.AddWorkDir(work.Groups[1].Value);
        if (bodies.Select(b => MemoryFolder().Match(b)).FirstOrDefault(m => m.Success) is { } home) scrubber.Add(home.Groups[1].Value, Placeholders.Home);
        var requests = TrafficFixtureWriter.Build(exchanges, scrubber);
        var manifest = new TrafficManifest
        {
            Name = name,
            Description = description ?? $"imported from {Path.GetFileName(harPath)}",
            ClaudeCodeVersion = ClaudeCodeVersionOf(exchanges) ?? "unknown",
            RecordedAt = new DateTimeOffset(started.UtcDateTime.Ticks - started.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero),
            RecordedWith = scrubber.Scrub($"tools/localclaude record import {Path.GetFileName(harPath)} {name}"),
            Scenario = new TrafficScenario { Mode = TrafficScenario.Imported, ClaudeArguments = [] },
            Upstream = new TrafficUpstream
            {
                Kind = TrafficUpstream.UrlKind,
                Name = $"https://{Placeholders.Host}",
                Note = "imported from an HTTP Archive: the upstream is whatever answered the user's Claude Code",
            },
            RequestCount = requests.Count,
        };
        var files = TrafficFixtureWriter.Write(outputDirectory, manifest, requests, scrubber);
        return new HarImportResult(TrafficFixture.Load(outputDirectory).Manifest, files, skipped);
    }

    /// <summary>
    /// The archive's Messages API exchanges (paths under <c>/v1/</c> on the host the first one went to), oldest first,
    /// with the entries it left out; the API host and the first request's time.
    /// </summary>
    public static (IReadOnlyList<CapturedExchange> Exchanges, IReadOnlyList<string> Skipped, string Host, DateTimeOffset Started) Read(string harPath)
    {
        var info = new FileInfo(harPath);
        if (!info.Exists) throw new FileNotFoundException($"{harPath}: no such file");
        if (info.Length > MaxArchiveBytes) throw new TrafficFixtureException(harPath, null, $"{info.Length} bytes: larger than {MaxArchiveBytes} bytes");
        JsonDocument document;
        try
        {
            using var stream = info.OpenRead();
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new TrafficFixtureException(harPath, (int?)(e.LineNumber + 1), $"not JSON: {e.Message}", e);
        }
        using (document)
        {
            var log = Property(document.RootElement, "log", harPath, "");
            if (log.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.String
                && version.GetString() is { } v && !v.StartsWith("1.", StringComparison.Ordinal))
                throw new TrafficFixtureException(harPath, null, $"log.version '{v}': HAR 1.x expected");
            var entries = Property(log, "entries", harPath, "log");
            if (entries.ValueKind != JsonValueKind.Array) throw new TrafficFixtureException(harPath, null, "log.entries: not an array");

            var parsed = entries.EnumerateArray().Select((entry, i) => ParseEntryOrRefuse(entry, i, harPath)).ToArray();
            var api = parsed.FirstOrDefault(e => e.Url.AbsolutePath.Contains("/v1/messages", StringComparison.Ordinal))
                ?? throw new TrafficFixtureException(harPath, null, "no entry posts to /v1/messages: not Claude Code traffic to the Messages API");
            var host = api.Url.Authority;
            var skipped = new List<string>();
            var kept = new List<HarEntry>();
            foreach (var entry in parsed)
            {
                if (entry.Url.Authority != host) skipped.Add($"entries[{entry.Index}] {entry.Method} {entry.Url.Host}: another host than the API's ({api.Url.Host})");
                else if (ApiPath(entry) is null) skipped.Add($"entries[{entry.Index}] {entry.Method} {entry.Url.AbsolutePath}: not under /v1/ (nor Claude Code's start-up probe)");
                else kept.Add(entry);
            }
            if (kept.Count > MaxExchanges)
                throw new TrafficFixtureException(harPath, null, $"log.entries: {kept.Count} Messages API exchanges, more than {MaxExchanges}; split the archive");
            var origin = kept.Min(e => e.Started);
            var exchanges = kept.OrderBy(e => e.Started).ThenBy(e => e.Index).Select((e, sequence) => new CapturedExchange
            {
                Sequence = sequence,
                Method = e.Method,
                PathAndQuery = ApiPath(e)!,
                // HTTP/2 exports carry the host as :authority only; the recorder always saw a Host header.
                RequestHeaders = e.RequestHeaders.Any(h => h.Key.Equals("host", StringComparison.OrdinalIgnoreCase)) ? e.RequestHeaders
                    : [new KeyValuePair<string, string>("host", e.Url.Authority), .. e.RequestHeaders],
                RequestBody = e.RequestBody,
                Status = e.Status,
                ResponseHeaders = e.ResponseHeaders,
                ResponseBody = e.ResponseBody,
                ArrivedAt = e.Started - origin,
                FirstByteAt = e.FirstByte is { } first ? e.Started - origin + first : null,
                CompletedAt = e.Started - origin + e.Total,
                ChunkCount = 0,
            }).ToArray();
            return (exchanges, skipped, host, origin);
        }
    }

    private sealed record HarEntry(int Index, string Method, Uri Url, DateTimeOffset Started, TimeSpan Total, TimeSpan? FirstByte,
        IReadOnlyList<KeyValuePair<string, string>> RequestHeaders, byte[] RequestBody,
        int Status, IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders, byte[] ResponseBody);

    /// <summary>A string that is not UTF-8 or a body that inflates without bound fails deep inside .NET: name the entry.</summary>
    private static HarEntry ParseEntryOrRefuse(JsonElement entry, int index, string file)
    {
        try { return ParseEntry(entry, index, file); }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException)
        {
            throw new TrafficFixtureException(file, null, $"log.entries[{index}]: {e.Message}", e);
        }
    }

    private static HarEntry ParseEntry(JsonElement entry, int index, string file)
    {
        var at = $"log.entries[{index}]";
        var request = Property(entry, "request", file, at);
        var response = Property(entry, "response", file, at);
        var method = String(request, "method", file, $"{at}.request");
        if (method.Length is 0 or > 16 || !method.All(char.IsAsciiLetterUpper))
            throw new TrafficFixtureException(file, null, $"{at}.request.method '{method}': not an HTTP method");
        var urlText = String(request, "url", file, $"{at}.request");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new TrafficFixtureException(file, null, $"{at}.request.url '{urlText}': not an absolute http(s) URL");
        var startedText = String(entry, "startedDateTime", file, at);
        if (!DateTimeOffset.TryParse(startedText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var started))
            throw new TrafficFixtureException(file, null, $"{at}.startedDateTime '{startedText}': not an ISO 8601 time");
        var total = Milliseconds(entry, "time") ?? 0;
        var requestHeaders = Headers(request, file, $"{at}.request");
        var responseHeaders = Headers(response, file, $"{at}.response");

        var requestBody = request.TryGetProperty("postData", out var post) && post.ValueKind == JsonValueKind.Object
            ? Text(post, "text", post.TryGetProperty("encoding", out var pe) ? pe.GetString() : null, file, $"{at}.request.postData")
            : [];
        requestBody = DecodeOrRefuse(requestBody, HeaderValue(requestHeaders, "content-encoding"), file, $"{at}.request");
        var content = Property(response, "content", file, $"{at}.response");
        var responseBody = Text(content, "text", content.TryGetProperty("encoding", out var ce) ? ce.GetString() : null, file, $"{at}.response.content");
        // HAR says content.text is decoded, but some exporters keep the compressed bytes (base64): undo what the header says.
        var encoding = HeaderValue(responseHeaders, "content-encoding");
        if (encoding is not null && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            if (ContentEncodings.CanDecode(encoding)) responseBody = DecodeOrRefuse(responseBody, encoding, file, $"{at}.response");
            else if (!LooksLikeText(responseBody))
                throw new TrafficFixtureException(file, null, $"{at}.response: body in Content-Encoding '{encoding}', which this import cannot undo; export it decoded");
            responseHeaders = responseHeaders.Where(h => !h.Key.Equals("content-encoding", StringComparison.OrdinalIgnoreCase)).ToArray();
        }
        var status = response.TryGetProperty("status", out var s) && s.TryGetInt32(out var code) && code is >= 0 and < 1000 ? code
            : throw new TrafficFixtureException(file, null, $"{at}.response.status: missing or not an HTTP status");
        return new HarEntry(index, method, url, started, TimeSpan.FromMilliseconds(total), FirstByte(entry),
            requestHeaders, requestBody, status, responseHeaders, responseBody);
    }

    /// <summary>blocked + dns + connect + send + wait: when the first byte of the answer came (-1 means "does not apply").</summary>
    private static TimeSpan? FirstByte(JsonElement entry)
    {
        if (!entry.TryGetProperty("timings", out var timings) || timings.ValueKind != JsonValueKind.Object) return null;
        if (Milliseconds(timings, "wait") is not { } wait) return null;
        var before = new[] { "blocked", "dns", "connect", "send" }.Sum(name => Math.Max(0, Milliseconds(timings, name) ?? 0));
        return TimeSpan.FromMilliseconds(before + wait);
    }

    private static double? Milliseconds(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetDouble(out var ms) && ms >= 0 && ms < 86_400_000 ? ms : null;

    /// <summary>
    /// The path from <c>/v1/</c> on (a base URL with a path prefix, e.g. a proxy's <c>/anthropic</c>, is dropped), or
    /// Claude Code's start-up probe (<c>HEAD /api/hello</c>); null for anything else on the host, such as telemetry or
    /// account calls, which carry the user's data and say nothing about a local server.
    /// </summary>
    private static string? ApiPath(HarEntry entry)
    {
        var pathAndQuery = entry.Url.PathAndQuery;
        var start = pathAndQuery.IndexOf("/v1/", StringComparison.Ordinal);
        if (start >= 0) return pathAndQuery[start..];
        var probe = pathAndQuery.IndexOf("/api/hello", StringComparison.Ordinal);
        return probe >= 0 && entry.Method is "HEAD" or "GET" && entry.Url.AbsolutePath.EndsWith("/api/hello", StringComparison.Ordinal) ? pathAndQuery[probe..] : null;
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Headers(JsonElement message, string file, string at)
    {
        if (!message.TryGetProperty("headers", out var headers)) return [];
        if (headers.ValueKind != JsonValueKind.Array) throw new TrafficFixtureException(file, null, $"{at}.headers: not an array");
        return headers.EnumerateArray().Select((h, i) =>
        {
            var name = String(h, "name", file, $"{at}.headers[{i}]");
            var value = String(h, "value", file, $"{at}.headers[{i}]");
            // A name that is no HTTP token or a value with CR, LF or another control byte would be replayed as a forged header.
            if (!HeaderName().IsMatch(name)) throw new TrafficFixtureException(file, null, $"{at}.headers[{i}].name: not an HTTP header name");
            if (value.Any(c => char.IsControl(c) && c != '\t')) throw new TrafficFixtureException(file, null, $"{at}.headers[{i}].value: a control character (CR, LF, NUL...)");
            // HTTP/2 pseudo-headers (:authority, :path) are how some exporters write the request line: not headers.
            return new KeyValuePair<string, string>(name, value);
        }).Where(h => !h.Key.StartsWith(':')).ToArray();
    }

    private static string? HeaderValue(IReadOnlyList<KeyValuePair<string, string>> headers, string name) =>
        headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static byte[] Text(JsonElement element, string name, string? encoding, string file, string at)
    {
        if (!element.TryGetProperty(name, out var text) || text.ValueKind == JsonValueKind.Null) return [];
        if (text.ValueKind != JsonValueKind.String) throw new TrafficFixtureException(file, null, $"{at}.{name}: not a string");
        var value = text.GetString()!;
        if (encoding is null or "") return Encoding.UTF8.GetBytes(value);
        if (!encoding.Equals("base64", StringComparison.OrdinalIgnoreCase))
            throw new TrafficFixtureException(file, null, $"{at}.encoding '{encoding}': only base64 is defined by HAR");
        try { return Convert.FromBase64String(value); }
        catch (FormatException) { throw new TrafficFixtureException(file, null, $"{at}.{name}: not valid base64"); }
    }

    /// <summary>Decoded bytes; bytes that are not in the encoding are kept only when they are text (an exporter that decoded them but kept the header).</summary>
    private static byte[] DecodeOrRefuse(byte[] body, string? encoding, string file, string at)
    {
        // Truncated or garbage bytes either fail to decode or, cut off before the first block, decode to nothing.
        var undecodable = !ContentEncodings.TryDecode(body, encoding, out var decoded) || decoded.Length == 0;
        if (undecodable && ContentEncodings.CanDecode(encoding) && body.Length > 0 && !LooksLikeText(body))
            throw new TrafficFixtureException(file, null, $"{at}: body is not valid Content-Encoding '{encoding}' (nor text); export it decoded");
        return decoded;
    }

    private static bool LooksLikeText(byte[] bytes) => !bytes.Contains((byte)0) && System.Text.Unicode.Utf8.IsValid(bytes);

    private static JsonElement Property(JsonElement element, string name, string file, string at) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value
            : throw new TrafficFixtureException(file, null, $"{(at.Length == 0 ? "" : at + ".")}{name}: missing");

    private static string String(JsonElement element, string name, string file, string at) =>
        Property(element, name, file, at) is { ValueKind: JsonValueKind.String } value ? value.GetString()!
            : throw new TrafficFixtureException(file, null, $"{at}.{name}: not a string");

    /// <summary>
    /// The credential values an exchange carries: credential headers (either way) and headers or query parameters whose
    /// name says token, secret, password, key or auth; a cookie's or an authorization scheme's value on its own too.
    /// </summary>
    private static IEnumerable<string> CredentialsOf(CapturedExchange exchange)
    {
        var headers = exchange.RequestHeaders.Concat(exchange.ResponseHeaders)
            .Where(h => PlaceholderScrubber.CredentialHeaders.Contains(h.Key) || CredentialName().IsMatch(h.Key))
            .Where(h => !h.Key.Equals("x-claude-code-session-id", StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Value);
        var query = exchange.PathAndQuery.IndexOf('?') is var q and >= 0 ? exchange.PathAndQuery[(q + 1)..].Split('&') : [];
        var parameters = query.Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && CredentialName().IsMatch(Uri.UnescapeDataString(p[0])))
            .SelectMany(p => new[] { p[1], Uri.UnescapeDataString(p[1]) });
        foreach (var value in headers.Concat(parameters))
        {
            var pieces = value.Split([';', ',']).Select(piece => piece.Split('=', 2)[^1].Trim())
                .Select(part => part.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } words ? words[^1] : part);
            // Shorter values are flags and counts, not secrets, and would blank ordinary text.
            foreach (var secret in pieces.Prepend(value.Trim()).Where(v => v.Length >= 8)) yield return secret;
        }
    }

    [GeneratedRegex(@"^:?[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$")]
    private static partial Regex HeaderName();

    // The name's last word: x-auth-token and api_key, not anthropic-ratelimit-tokens-limit.
    [GeneratedRegex(@"(?:^|[-_.])(?:auth\w*|\w*token|secret|passw(?:or)?d|api-?key|key|cookie|credentials?|sig(?:nature)?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialName();

    private static string? ClaudeCodeVersionOf(IEnumerable<CapturedExchange> exchanges) =>
        exchanges.Select(e => e.RequestHeader("user-agent")).OfType<string>()
            .Select(agent => UserAgentVersion().Match(agent)).FirstOrDefault(m => m.Success)?.Groups[1].Value;

    [GeneratedRegex(@"^claude-cli/(\d{1,9}\.\d{1,9}\.\d{1,9}(?:-[0-9A-Za-z.]{1,64})?)\b")]
    private static partial Regex UserAgentVersion();

    [GeneratedRegex(@"Primary working directory: (/[^\s""\\]{1,4096})")]
    private static partial Regex WorkingDirectory();

    [GeneratedRegex(@"memory at `(/[^`\s""\\]{1,4096}?)/\.claude/projects/")]
    private static partial Regex MemoryFolder();
}
