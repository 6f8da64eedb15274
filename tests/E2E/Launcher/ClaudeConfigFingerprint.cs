using System.Security.Cryptography;
using System.Text;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>
/// The user's real Claude Code config (<c>~/.claude</c>, <c>~/.claude.json</c>) reduced to one line per entry: path,
/// kind, mode and a SHA-256 of the bytes; an absent path is recorded as absent. Only read, never written.
/// </summary>
internal static class ClaudeConfigFingerprint
{
    public static string UserHome =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public static IReadOnlyList<string> Take()
    {
        var lines = new List<string>();
        foreach (var root in new[] { Path.Combine(UserHome, ".claude"), Path.Combine(UserHome, ".claude.json") })
            Describe(root, lines);
        return lines;
    }

    private static void Describe(string path, List<string> lines)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            lines.Add($"{path} link -> {target}");
            return;
        }
        if (Directory.Exists(path))
        {
            lines.Add($"{path} dir {File.GetUnixFileMode(path)}");
            foreach (var entry in Directory.EnumerateFileSystemEntries(path).Order(StringComparer.Ordinal)) Describe(entry, lines);
            return;
        }
        if (!info.Exists)
        {
            lines.Add($"{path} absent");
            return;
        }
        lines.Add($"{path} file {info.UnixFileMode} {info.Length} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}");
    }

    public static string Render(IReadOnlyList<string> lines) => new StringBuilder().AppendJoin('\n', lines).ToString();
}
