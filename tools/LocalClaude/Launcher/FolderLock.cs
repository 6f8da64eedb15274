using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LocalClaude.Infrastructure;

namespace LocalClaude.Launcher;

/// <summary>
/// One launch at a time per folder: two sandboxes sharing a work dir or a HOME would hand the folder back to the
/// caller's uid while the other still runs in it. An flock held for the life of this object (released if we die).
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _pidFile;

    private FolderLock(FileStream @lock, string pidFile)
    {
        _lock = @lock;
        _pidFile = pidFile;
    }

    public static FolderLock Acquire(LocalClaudeHome cache, string folder, string what)
    {
        var locks = cache.Ensure(Path.Combine(cache.Root, "launch", "locks"));
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..16];
        var lockPath = Path.Combine(locks, key + ".lock");
        var pidFile = Path.Combine(locks, key + ".pid");
        try
        {
            // FileShare.None is an exclusive flock on Linux.
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(pidFile, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {folder}\n"));
            return new FolderLock(stream, pidFile);
        }
        catch (IOException)
        {
            var holder = File.Exists(pidFile) ? File.ReadAllText(pidFile).Split(' ')[0] : "?";
            throw new LaunchRefusedException(
                $"the {what} '{folder}' is in use by another running launch (pid {holder}); finish that one or pick another folder");
        }
    }

    public void Dispose()
    {
        try { File.Delete(_pidFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _lock.Dispose();
    }
}
