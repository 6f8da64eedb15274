namespace LocalClaude.Infrastructure;

/// <summary>
/// The cache folder outside the repo (default ~/.cache/localclaude, or LOCALCLAUDE_HOME)
/// that holds provisioned binaries, generated models, Claude Code and run logs.
/// </summary>
public sealed record LocalClaudeHome(string Root)
{
    public const string EnvironmentVariable = "LOCALCLAUDE_HOME";

    public static LocalClaudeHome Default()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return new LocalClaudeHome(Path.GetFullPath(fromEnv));
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cache = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new LocalClaudeHome(Path.Combine(cache, "localclaude"));
    }

    /// <summary>Provisioned llama-server builds, one folder per release + commit + build flags.</summary>
    public string LlamaBuilds => Path.Combine(Root, "llama");
    /// <summary>Downloaded npm tarballs and llama.cpp source trees.</summary>
    public string Sources => Path.Combine(Root, "src");
    public string Models => Path.Combine(Root, "models");
    public string ClaudeCode => Path.Combine(Root, "claude-code");
    public string Logs => Path.Combine(Root, "logs");
    /// <summary>Sandbox homes, bridges and scratch work dirs.</summary>
    public string Runs => Path.Combine(Root, "runs");
    /// <summary>The sandbox HOMEs of <c>launch local</c>, one per profile, kept between launches.</summary>
    public string LaunchHomes => Path.Combine(Root, "launch", "homes");

    public string Ensure(string path)
    {
        Directory.CreateDirectory(path);
        return path;
    }
}
