using System.Text.RegularExpressions;

namespace LocalClaude.Traffic;

/// <summary>
/// The placeholders fixtures use instead of machine- and run-specific values, so a fixture is stable across
/// recordings and safe to commit. Replay puts fresh, consistent values back (<see cref="PlaceholderValues"/>).
/// </summary>
public static partial class Placeholders
{
    /// <summary>The folder Claude Code ran in.</summary>
    public const string WorkDir = "{{WORKDIR}}";
    /// <summary>The HOME Claude Code was given (its own, under the cache).</summary>
    public const string Home = "{{HOME}}";
    /// <summary>The HOME of the user who recorded.</summary>
    public const string UserHome = "{{USER_HOME}}";
    /// <summary>The repository the recorder ran from.</summary>
    public const string Repo = "{{REPO}}";
    /// <summary>The cache folder of the recording run (Claude Code's binary, logs).</summary>
    public const string RunDir = "{{RUN_DIR}}";
    /// <summary>X-Claude-Code-Session-Id and the session in metadata.user_id.</summary>
    public const string SessionId = "{{SESSION_ID}}";
    /// <summary>metadata.user_id's device id (a hash that identifies the installation).</summary>
    public const string DeviceId = "{{DEVICE_ID}}";
    public const string AccountId = "{{ACCOUNT_ID}}";
    /// <summary>The recording day as Claude Code writes it into the prompt (yyyy-MM-dd).</summary>
    public const string Date = "{{DATE}}";
    /// <summary>host:port of the proxy.</summary>
    public const string Host = "{{HOST}}";
    /// <summary>The token Claude Code sent (ANTHROPIC_AUTH_TOKEN); replay sends the profile's key.</summary>
    public const string AuthToken = "{{AUTH_TOKEN}}";
    /// <summary>A credential the recorder did not set itself: never written; replay sends the target's key in its place.</summary>
    public const string Redacted = "{{REDACTED}}";
    /// <summary>The kernel release in Claude Code's environment section.</summary>
    public const string OsVersion = "{{OS_VERSION}}";
    /// <summary>The machine's host name.</summary>
    public const string MachineName = "{{MACHINE}}";
    /// <summary>The work folder as Claude Code names its project folder under ~/.claude/projects (each non-alphanumeric character a dash).</summary>
    public const string WorkDirSlug = "{{WORKDIR_SLUG}}";

    /// <summary>Claude Code's name for a folder's project: <c>/home/a/x.y</c> becomes <c>-home-a-x-y</c>.</summary>
    public static string ProjectSlug(string path) => string.Concat(path.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));

    public static IReadOnlyList<string> All { get; } =
        [WorkDir, Home, UserHome, Repo, RunDir, SessionId, DeviceId, AccountId, Date, Host, AuthToken, Redacted, OsVersion, MachineName, WorkDirSlug];

    /// <summary>Every <c>{{NAME}}</c> in <paramref name="text"/>, known or not.</summary>
    public static IEnumerable<string> FindIn(string text) =>
        PlaceholderPattern().Matches(text).Select(m => m.Value).Distinct();

    [GeneratedRegex(@"\{\{[A-Z][A-Z0-9_]*\}\}")]
    private static partial Regex PlaceholderPattern();
}
