namespace LocalClaude.Tests.Support;

/// <summary>A fresh folder under /tmp, deleted with everything in it at the end of the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "localclaude-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        // A leftover temp folder is harmless (e.g. files a sandbox still owns).
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
