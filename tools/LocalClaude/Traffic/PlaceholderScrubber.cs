using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalClaude.Relay;

namespace LocalClaude.Traffic;

/// <summary>
/// Replaces run- and machine-specific values with <see cref="Placeholders"/> in recorded text. It learns the values
/// from what it is told (paths, the token) and from the traffic itself (session id header, metadata.user_id), replaces
/// the longest values first, and can say which sensitive values would still leak.
/// </summary>
public sealed partial class PlaceholderScrubber
{
    /// <summary>Headers that carry credentials: never written as they were.</summary>
    public static readonly IReadOnlySet<string> CredentialHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "x-api-key", "proxy-authorization", "cookie", "set-cookie", "anthropic-admin-key",
    };

    private readonly Dictionary<string, string> _literals = new(StringComparer.Ordinal);
    private readonly HashSet<string> _mustNotLeak = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private List<KeyValuePair<string, string>>? _ordered;
    private string? _authToken;

    /// <summary>The placeholders that replaced something so far.</summary>
    public IReadOnlyCollection<string> Used => _used.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Replaces every occurrence of <paramref name="value"/> with <paramref name="placeholder"/> (values shorter than 4 characters are ignored: too likely to hit ordinary text).</summary>
    public PlaceholderScrubber Add(string? value, string placeholder, bool mustNotLeak = true)
    {
        if (string.IsNullOrEmpty(value) || value.Length < 4) return this;
        value = value.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : value;
        // A shorter path is scrubbed after the longer ones that contain it, so the first registration of a value wins.
        _literals.TryAdd(value, placeholder);
        if (mustNotLeak) _mustNotLeak.Add(value);
        _ordered = null;
        return this;
    }

    /// <summary>The work folder, and its slug in Claude Code's project folder names (it spells out the user's path too).</summary>
    public PlaceholderScrubber AddWorkDir(string? path)
    {
        if (string.IsNullOrEmpty(path)) return this;
        Add(path, Placeholders.WorkDir);
        return Add(Placeholders.ProjectSlug(path.TrimEnd('/')), Placeholders.WorkDirSlug);
    }

    /// <summary>
    /// The token the recorder gave Claude Code. It is replaced in credential headers only: the local token is often an
    /// ordinary word (e.g. <c>localclaude</c>) that also appears in paths and text.
    /// </summary>
    public PlaceholderScrubber WithAuthToken(string? token)
    {
        _authToken = string.IsNullOrEmpty(token) ? null : token;
        return this;
    }

    /// <summary>The dates Claude Code writes into its prompt during a recording that runs at <paramref name="now"/> (local and UTC days).</summary>
    public PlaceholderScrubber AddDates(DateTimeOffset now)
    {
        foreach (var day in new[] { now.ToLocalTime(), now.ToUniversalTime(), now.ToLocalTime().AddMinutes(-30), now.ToUniversalTime().AddMinutes(-30) })
            Add(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Placeholders.Date, mustNotLeak: false);
        return this;
    }

    /// <summary>Learns the session and user ids and the proxy's host from one exchange.</summary>
    public void LearnFrom(CapturedExchange exchange)
    {
        Add(exchange.RequestHeader("x-claude-code-session-id"), Placeholders.SessionId);
        Add(exchange.RequestHeader("host"), Placeholders.Host, mustNotLeak: false);
        if (exchange.RequestBody.Length == 0) return;
        JsonNode? body;
        try { body = JsonNode.Parse(exchange.RequestBody); }
        catch (JsonException) { return; }
        if (body?["metadata"]?["user_id"] is not JsonValue userIdValue || !userIdValue.TryGetValue<string>(out var userId)) return;
        LearnUserId(userId);
    }

    /// <summary>
    /// metadata.user_id is a JSON string <c>{"device_id":…,"account_uuid":…,"session_id":…}</c> in 2.1.x; older
    /// releases used <c>user_HASH_account_UUID_session_UUID</c>. Both are understood.
    /// </summary>
    private void LearnUserId(string userId)
    {
        try
        {
            if (JsonNode.Parse(userId) is JsonObject parts)
            {
                Add(parts["device_id"]?.ToString(), Placeholders.DeviceId);
                Add(parts["account_uuid"]?.ToString(), Placeholders.AccountId);
                Add(parts["session_id"]?.ToString(), Placeholders.SessionId);
                return;
            }
        }
        catch (JsonException) { }
        var legacy = LegacyUserId().Match(userId);
        if (!legacy.Success) return;
        Add(legacy.Groups["device"].Value, Placeholders.DeviceId);
        Add(legacy.Groups["account"].Value, Placeholders.AccountId);
        Add(legacy.Groups["session"].Value, Placeholders.SessionId);
    }

    public string Scrub(string text)
    {
        _ordered ??= _literals.OrderByDescending(kv => kv.Key.Length).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        foreach (var (value, placeholder) in _ordered)
        {
            if (!text.Contains(value, StringComparison.Ordinal)) continue;
            text = text.Replace(value, placeholder, StringComparison.Ordinal);
            _used.Add(placeholder);
        }
        text = OsVersionLine().Replace(text, m =>
        {
            _used.Add(Placeholders.OsVersion);
            return m.Groups["label"].Value + Placeholders.OsVersion;
        });
        return text;
    }

    /// <summary>
    /// Scrubs an event stream, including values that the server split across deltas (a path in a tool call's
    /// <c>partial_json</c> arrives in pieces): the placeholder goes where the value starts, the following pieces lose
    /// their share of it, and every event keeps its place, so the stream's shape is unchanged.
    /// </summary>
    public string ScrubEventStream(string stream)
    {
        // Longest first, as in Scrub: a work folder inside the user's HOME must go before HOME does.
        _ordered ??= _literals.OrderByDescending(kv => kv.Key.Length).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        foreach (var (value, placeholder) in _ordered)
        {
            if (value.Length < 8 || stream.IndexOf(value[..4], StringComparison.Ordinal) < 0) continue;
            var pattern = new Regex(string.Join(DeltaBoundary, value.Select(c => Regex.Escape(c.ToString()))), RegexOptions.CultureInvariant);
            stream = pattern.Replace(stream, match =>
            {
                _used.Add(placeholder);
                return placeholder + string.Concat(match.Groups["boundary"].Captures.Select(c => c.Value));
            });
        }
        return Scrub(stream);
    }

    // Between two characters of a split value: the end of one delta event and the start of the next delta's string.
    private const string DeltaBoundary = @"(?<boundary>""\}\}(?:
?
){2}event: content_block_delta
?
data: \{[^
]*?""(?:partial_json|text|thinking)"":"")?";

    /// <summary>A header value as it may be written: credentials become the token placeholder or are redacted.</summary>
    public string ScrubHeader(string name, string value)
    {
        if (!CredentialHeaders.Contains(name) || value.Length == 0) return Scrub(value);
        if (_authToken is not null && value.Contains(_authToken, StringComparison.Ordinal)
            && value.Replace(_authToken, "", StringComparison.Ordinal).Trim() is "" or "Bearer")
        {
            _used.Add(Placeholders.AuthToken);
            return value.Replace(_authToken, Placeholders.AuthToken, StringComparison.Ordinal);
        }
        _used.Add(Placeholders.Redacted);
        return Placeholders.Redacted;
    }

    /// <summary>The sensitive values (paths, ids, the token) still present in <paramref name="text"/>.</summary>
    public IReadOnlyList<string> FindLeaks(string text) =>
        _mustNotLeak.Where(v => text.Contains(v, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

    [GeneratedRegex(@"^user_(?<device>[0-9a-f]{16,})_account_(?<account>[0-9a-f-]*)_session_(?<session>[0-9a-f-]{36})$")]
    private static partial Regex LegacyUserId();

    // Claude Code's environment section: "OS Version: Linux 6.8.0-1029-gcp".
    [GeneratedRegex(@"(?<label>OS Version: )(?!\{\{)[^\r\n""\\]+")]
    private static partial Regex OsVersionLine();
}
