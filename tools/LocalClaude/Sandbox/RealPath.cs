namespace LocalClaude.Sandbox;

/// <summary>Absolute paths with every symlink and <c>..</c> resolved, so that "is inside" and "contains" compare real folders.</summary>
public static class RealPath
{
    /// <summary>Resolves the part of <paramref name="path"/> that exists and keeps the rest as written (a reserved file may not exist yet).</summary>
    public static string Of(string path) => Of(path, 0);

    private static string Of(string path, int links)
    {
        // The kernel's own limit on links followed while resolving one path.
        if (links > 40) throw new IOException($"too many levels of symbolic links in '{path}'");
        // Not Path.GetFullPath: it drops "link/.." as text, where the kernel (and bwrap) go to the link target's parent.
        var absolute = path.StartsWith('/') ? path : Environment.CurrentDirectory + "/" + path;
        var parts = absolute.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == ".") continue;
            if (parts[i] == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists && info.LinkTarget is null)
                return Path.GetFullPath(Path.Combine([current, .. parts[i..]])); // nothing below exists: the rest is plain text
            // A dangling link resolves to its target's path, so a link to a reserved path that does not exist yet still counts.
            current = info.LinkTarget is null ? next : Of(info.LinkTarget.StartsWith('/') ? info.LinkTarget : current + "/" + info.LinkTarget, links + 1);
        }
        return current;
    }

    /// <summary>The real path of something that exists, else null.</summary>
    public static string? OfExisting(string path)
    {
        var real = Of(path);
        return File.Exists(real) || Directory.Exists(real) ? real : null;
    }

    /// <summary><paramref name="path"/> is <paramref name="folder"/> or lies beneath it (both real, absolute).</summary>
    public static bool IsSameOrInside(string path, string folder) =>
        path == folder || folder == "/" || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>One of the two is, or lies inside, the other.</summary>
    public static bool Overlap(string a, string b) => IsSameOrInside(a, b) || IsSameOrInside(b, a);
}
