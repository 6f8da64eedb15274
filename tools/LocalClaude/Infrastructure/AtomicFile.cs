using System.Text.Json;

namespace LocalClaude.Infrastructure;

/// <summary>Writes files so that a reader (or an interrupted run) sees the old content or the new, never half.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content) =>
        Write(path, tmp => File.WriteAllText(tmp, content));

    public static void WriteAllBytes(string path, byte[] content) =>
        Write(path, tmp => File.WriteAllBytes(tmp, content));

    public static void Write(string path, Action<string> writeTemp)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            writeTemp(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}

public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    public static readonly JsonSerializerOptions Compact = new(JsonSerializerDefaults.Web);
}
