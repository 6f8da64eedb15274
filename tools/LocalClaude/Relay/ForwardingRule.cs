using System.Globalization;
using System.Text.RegularExpressions;

namespace LocalClaude.Relay;

/// <summary>A request the forwarding rule turned away: the status and Anthropic error type to answer with.</summary>
public sealed record RefusedRequest(int Status, string ErrorType, string Message);

/// <summary>
/// What the <see cref="RecordingProxy"/> (and so the sandbox's relay) forwards to its upstream: only the requests
/// Claude Code really sends (notes/claude-code.md, fixtures/traffic), as origin-form paths from a fixed list, to an
/// upstream URI built from fixed parts. The request target never resolves against the upstream, so a <c>//host:port</c>,
/// absolute-form or authority-form target cannot choose another host or port.
/// </summary>
public static partial class ForwardingRule
{
    /// <summary>Method and exact path of every request that is forwarded; nothing else reaches the upstream.</summary>
    public static readonly IReadOnlyList<(string Method, string Path)> Allowed =
    [
        ("POST", "/v1/messages"),
        ("POST", "/v1/messages/count_tokens"),
        // Claude Code's connectivity probe at start-up, with non-essential traffic on.
        ("HEAD", "/api/hello"),
    ];

    private const int MaxQuery = 200;

    /// <summary>Hop-by-hop headers are each hop's own; host-ish and proxy headers from the client must not steer anything upstream.</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "content-length", "expect", "http2-settings", "forwarded", "via", "x-real-ip",
        "x-original-url", "x-rewrite-url", "x-http-method-override", "x-http-method", "x-method-override",
        // Dropped so the upstream answers uncompressed: recordings hold readable SSE, clients get it uncompressed too.
        "accept-encoding",
    };

    private static readonly HashSet<string> NotReturned = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "trailer", "upgrade", "content-length",
    };

    /// <summary>Whether a client request header goes on to the upstream.</summary>
    public static bool IsForwarded(string header) =>
        !NotForwarded.Contains(header)
        && !header.StartsWith("proxy-", StringComparison.OrdinalIgnoreCase)
        && !header.StartsWith("x-forwarded-", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether an upstream response header goes back to the client.</summary>
    public static bool IsReturned(string header) => !NotReturned.Contains(header);

    /// <summary>
    /// Checks one request as it arrived. <paramref name="rawTarget"/> is the request target exactly as sent (not
    /// decoded or normalised); <paramref name="host"/> the Host header, which must name this listener
    /// (127.0.0.1 or localhost with <paramref name="listenerPort"/>). Returns null when the request may be forwarded.
    /// </summary>
    public static RefusedRequest? Check(string method, string rawTarget, string? host, int listenerPort, bool hasUpgrade)
    {
        if (!rawTarget.StartsWith('/') || rawTarget.StartsWith("//", StringComparison.Ordinal))
            return Invalid($"the request target must be a plain path (origin-form); '{Shorten(rawTarget)}' is not");
        var question = rawTarget.IndexOf('?');
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var query = question < 0 ? "" : rawTarget[(question + 1)..];
        if (!Allowed.Any(a => a.Path == path))
            return new RefusedRequest(404, "not_found_error", $"localclaude relay: {Shorten(path)} is not served here");
        if (!Allowed.Contains((method, path)))
            return new RefusedRequest(405, "invalid_request_error", $"localclaude relay: {Shorten(method)} {path} is not served here");
        if (query.Length > MaxQuery || !PlainQuery().IsMatch(query))
            return Invalid($"the query '{Shorten(query)}' is not a plain name=value list");
        if (!IsListenerHost(host, listenerPort))
            return Invalid($"the Host header '{Shorten(host ?? "")}' does not name this server");
        if (hasUpgrade)
            return Invalid("protocol upgrades are not served here");
        return null;
    }

    /// <summary>The upstream URI for an allowed target: the upstream's scheme, host and port, the target's own path and query.</summary>
    public static Uri UpstreamUri(Uri upstream, string rawTarget)
    {
        var question = rawTarget.IndexOf('?');
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var query = question < 0 ? "" : rawTarget[(question + 1)..];
        if (!Allowed.Any(a => a.Path == path) || query.Length > MaxQuery || !PlainQuery().IsMatch(query))
            throw new ArgumentException($"'{Shorten(rawTarget)}' is not allowed by the forwarding rule", nameof(rawTarget));
        return new UriBuilder(upstream.Scheme, upstream.Host, upstream.Port, path, query.Length == 0 ? "" : "?" + query).Uri;
    }

    /// <summary>An upstream is a bare http origin on loopback: nothing of it can be overridden or added to by a path.</summary>
    public static Uri CheckUpstream(Uri upstream)
    {
        if (!upstream.IsAbsoluteUri || upstream.Scheme != Uri.UriSchemeHttp || upstream.UserInfo.Length > 0
            || upstream.AbsolutePath != "/" || upstream.Query.Length > 0 || upstream.Fragment.Length > 0)
            throw new ArgumentException($"the upstream '{upstream}' must be a bare http://HOST:PORT origin", nameof(upstream));
        if (!upstream.IsLoopback)
            throw new ArgumentException($"the upstream '{upstream}' is not on loopback (127.0.0.0/8, ::1)", nameof(upstream));
        return new UriBuilder(upstream.Scheme, upstream.Host, upstream.Port).Uri;
    }

    private static bool IsListenerHost(string? host, int port)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $":{port}");
        return host is not null && (host == "127.0.0.1" + suffix || host.Equals("localhost" + suffix, StringComparison.OrdinalIgnoreCase));
    }

    private static RefusedRequest Invalid(string why) => new(400, "invalid_request_error", "localclaude relay: " + why);

    private static string Shorten(string text)
    {
        var printable = new string(text.Take(120).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 120 ? printable + "…" : printable;
    }

    /// <summary>name=value pairs of letters, digits and <c>_ . - ~</c>: no percent-encoding, no slashes (e.g. <c>beta=true</c>).</summary>
    [GeneratedRegex("^([A-Za-z0-9_.~-]+(=[A-Za-z0-9_.~-]*)?(&[A-Za-z0-9_.~-]+(=[A-Za-z0-9_.~-]*)?)*)?$")]
    private static partial Regex PlainQuery();
}
