using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;

namespace LocalClaude.Traffic;

/// <summary>
/// What replay puts back for each placeholder: paths that look like a real checkout, one fresh session id per fixture
/// (consistent across its requests, as Claude Code's own is), today's date, the target's host and the profile's key.
/// </summary>
public sealed class PlaceholderValues
{
    private readonly IReadOnlyDictionary<string, string> _values;

    public PlaceholderValues(IReadOnlyDictionary<string, string> values) => _values = values;

    public IReadOnlyDictionary<string, string> Values => _values;

    public static PlaceholderValues ForReplay(Uri target, string apiKey, DateTimeOffset now, Guid? sessionId = null)
    {
        const string root = "/tmp/localclaude-replay";
        return new PlaceholderValues(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Placeholders.WorkDir] = $"{root}/work",
            [Placeholders.WorkDirSlug] = Placeholders.ProjectSlug($"{root}/work"),
            [Placeholders.Home] = $"{root}/home",
            [Placeholders.UserHome] = $"{root}/user",
            [Placeholders.Repo] = $"{root}/repo",
            [Placeholders.RunDir] = $"{root}/run",
            [Placeholders.SessionId] = (sessionId ?? Guid.NewGuid()).ToString(),
            [Placeholders.DeviceId] = Convert.ToHexStringLower(SHA256.HashData("localclaude-replay"u8)),
            [Placeholders.AccountId] = "00000000-0000-4000-8000-000000000000",
            [Placeholders.Date] = now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            [Placeholders.Host] = target.Authority,
            [Placeholders.AuthToken] = apiKey,
            [Placeholders.OsVersion] = OsVersion(),
            [Placeholders.MachineName] = "localclaude-replay",
        });
    }

    /// <summary>Substitutes into JSON text: values are escaped as JSON string content (placeholders only ever sit inside strings).</summary>
    public string ApplyToJson(string json) => Apply(json, v => JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(v));

    public string ApplyToText(string text) => Apply(text, v => v);

    /// <summary>Placeholders in <paramref name="text"/> this set has no value for (a typo in a hand-edited fixture, or a newer format).</summary>
    public IReadOnlyList<string> Unknown(string text) =>
        Placeholders.FindIn(text).Where(p => !_values.ContainsKey(p)).ToArray();

    private string Apply(string text, Func<string, string> encode)
    {
        if (!text.Contains("{{", StringComparison.Ordinal)) return text;
        var builder = new StringBuilder(text);
        foreach (var (placeholder, value) in _values) builder.Replace(placeholder, encode(value));
        return builder.ToString();
    }

    /// <summary>"Linux 6.8.0-…" as Claude Code writes it (uname -sr).</summary>
    private static string OsVersion()
    {
        try { return "Linux " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim(); }
        catch (IOException) { return "Linux 6.0.0"; }
    }
}
