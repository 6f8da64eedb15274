namespace LocalClaude.Infrastructure;

/// <summary>Where the repository's own folders are (fixtures, reports, models.conf).</summary>
public sealed record RepoLayout(string Root)
{
    public const string MarkerFile = "LocalClaude.sln";

    /// <summary>Walks up from <paramref name="start"/> (default: the current directory, then the app's folder) to the folder holding LocalClaude.sln.</summary>
    public static RepoLayout Find(string? start = null)
    {
        foreach (var candidate in new[] { start, Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            if (candidate is null) continue;
            for (var dir = new DirectoryInfo(candidate); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, MarkerFile)))
                    return new RepoLayout(dir.FullName);
        }
        throw new InvalidOperationException($"Cannot find the LocalClaude repository ({MarkerFile}) above '{start ?? Environment.CurrentDirectory}'.");
    }

    public string ModelsConf => Path.Combine(Root, "models.conf");
    public string Fixtures => Path.Combine(Root, "fixtures");
    public string Streams => Path.Combine(Fixtures, "streams");
    public string Traffic => Path.Combine(Fixtures, "traffic");
    public string Tasks => Path.Combine(Fixtures, "tasks");
    public string Snapshots => Path.Combine(Fixtures, "snapshots");
    public string Reports => Path.Combine(Root, "reports");
}
