using LocalClaude.Infrastructure;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// The host side an attack aims at: a project folder with its own config around the work dir, an "outside" folder,
/// a fake host HOME with credentials, and a read-only data folder. Targets are world-writable, so that only the
/// sandbox's isolation (not file permissions) can stop the sandbox uid.
/// </summary>
internal sealed class HostLayout : IDisposable
{
    private const UnixFileMode Open = (UnixFileMode)0b111_111_111;
    private const UnixFileMode OpenFile = (UnixFileMode)0b110_110_110;

    public HostLayout()
    {
        Root = Directory.CreateTempSubdirectory("localclaude-sbx-tests-").FullName;
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        Project = Dir(Path.Combine(Root, "project"));
        Work = Path.Combine(Project, "work");
        Directory.CreateDirectory(Work);
        Home = Path.Combine(Root, "sbx-home");
        Directory.CreateDirectory(Home);
        Outside = Dir(Path.Combine(Root, "outside"));
        FakeHostHome = Dir(Path.Combine(Root, "host-home"));
        ReadOnlyData = Dir(Path.Combine(Root, "ro-data"));

        Plant(Path.Combine(Dir(Path.Combine(Project, ".claude")), "settings.json"), $$"""{"canary":"{{Canary}}"}""");
        Plant(Path.Combine(Project, "CLAUDE.md"), $"# project instructions {Canary}\n");
        Plant(Path.Combine(Project, "AI_INSTRUCTIONS.md"), $"instructions {Canary}\n");
        Plant(Path.Combine(Project, ParentMarker), "");
        Plant(Victim, $"victim {Canary}\n");
        Plant(Path.Combine(Outside, OutsideMarker), "");
        Plant(Path.Combine(FakeHostHome, ".claude.json"), $$"""{"oauthAccount":"{{Canary}}"}""");
        Plant(Path.Combine(Dir(Path.Combine(FakeHostHome, ".claude")), ".credentials.json"), $$$"""{"claudeAiOauth":{"accessToken":"{{{Canary}}}"}}""");
        Plant(ReadOnlyDataFile, $"read-only data {Canary}\n");
    }

    /// <summary>Appears in every planted file; seeing it in the sandbox's output means a read got out.</summary>
    public string Canary { get; } = "lc-canary-" + Guid.NewGuid().ToString("N");
    /// <summary>File names that only a listing of the project or outside folder could reveal.</summary>
    public string ParentMarker { get; } = "parent-marker-" + Guid.NewGuid().ToString("N")[..12];
    public string OutsideMarker { get; } = "outside-marker-" + Guid.NewGuid().ToString("N")[..12];

    public string Root { get; }
    /// <summary>The work dir's parent, holding .claude/, CLAUDE.md and AI_INSTRUCTIONS.md.</summary>
    public string Project { get; }
    public string Work { get; }
    public string Home { get; }
    public string Outside { get; }
    public string Victim => Path.Combine(Outside, "victim.txt");
    public string FakeHostHome { get; }
    public string ReadOnlyData { get; }
    public string ReadOnlyDataFile => Path.Combine(ReadOnlyData, "file.txt");

    private static string Dir(string path)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, Open);
        return path;
    }

    private static void Plant(string path, string content)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, OpenFile);
    }

    /// <summary>Owner, mode, size and times of everything under <see cref="Root"/> except the two writable folders.</summary>
    public async Task<IReadOnlyDictionary<string, string>> SnapshotAsync()
    {
        var result = await ExternalCommand.RunAsync("find",
            [Root, "-path", Work, "-prune", "-o", "-path", Home, "-prune", "-o", "-printf", "%p\t%U:%G %m %s %T@ %C@\n"],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(30) });
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => f[1]);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
