namespace LocalClaude.Infrastructure;

/// <summary>Facts about the run that change behaviour: in CI a missing part fails instead of skipping.</summary>
public static class RunEnvironment
{
    public static bool IsCi =>
        Environment.GetEnvironmentVariable("CI") is { } ci &&
        (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    public static bool IsRoot => Environment.UserName == "root" || GetUid() == 0;

    private static uint GetUid()
    {
        try { return uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]); }
        catch { return uint.MaxValue; }
    }

    /// <summary>Finds an executable on PATH (or returns null).</summary>
    public static string? Which(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? Path.GetFullPath(name) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, name);
            if (File.Exists(full)) return full;
        }
        return null;
    }
}
