namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>A scratch folder for one test (work dir, sandbox HOME, models.conf, pane log), deleted afterwards.</summary>
internal sealed class Scratch : IDisposable
{
    public Scratch()
    {
        Root = Directory.CreateTempSubdirectory("lc-launch-").FullName;
        Work = Directory.CreateDirectory(Path.Combine(Root, "work")).FullName;
        Home = Path.Combine(Root, "sandbox-home");
    }

    public string Root { get; }
    public string Work { get; }
    /// <summary>Not created: the launcher makes it.</summary>
    public string Home { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
