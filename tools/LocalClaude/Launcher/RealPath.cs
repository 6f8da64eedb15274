namespace LocalClaude.Launcher;

/// <summary>Absolute paths with every symlink resolved, so that "is inside" and "contains" compare real folders.</summary>
internal static class RealPath
{
    /// <summary>Resolves the part of <paramref name="path"/> that exists and keeps the rest as written (a protected file may not exist yet).</summary>
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists && info.LinkTarget is null) return Path.Combine([current, .. parts[i..]]);
            current = info.LinkTarget is null ? next : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next;
        }
        return current;
    }

    /// <summary><paramref name="path"/> is <paramref name="folder"/> or lies beneath it.</summary>
    public static bool IsSameOrInside(string path, string folder) =>
        path == folder || folder == "/" || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);
}
