namespace LocalClaude.Sandbox;

/// <summary>The real uid/gid of this process (from /proc, so it is right even without a passwd entry).</summary>
internal sealed record HostIdentity(int Uid, int Gid)
{
    public bool IsRoot => Uid == 0;

    public static HostIdentity Current()
    {
        var status = File.ReadAllLines("/proc/self/status");
        int Field(string name) => int.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        return new HostIdentity(Field("Uid"), Field("Gid"));
    }

    /// <summary>Whether /etc/passwd or /etc/group already use <paramref name="id"/> (the sandbox id must belong to nobody).</summary>
    public static string? AccountUsing(int id)
    {
        foreach (var file in new[] { "/etc/passwd", "/etc/group" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && fields[2] == id.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    return $"{file}: {fields[0]}";
            }
        }
        return null;
    }
}

/// <summary>Finds tools by name in a PATH-like list (the probe can be pointed at another list to simulate a missing tool).</summary>
internal static class ToolLocator
{
    public static string DefaultSearchPath =>
        System.Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : "/usr/local/bin:/usr/bin:/bin";

    public static string? Find(string name, string searchPath)
    {
        if (name.Contains('/')) return IsExecutable(name) ? Path.GetFullPath(name) : null;
        foreach (var dir in searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, name);
            if (IsExecutable(full)) return full;
        }
        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
