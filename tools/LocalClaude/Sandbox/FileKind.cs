using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LocalClaude.Sandbox;

/// <summary>What a path is, from lstat (statx: one layout on every architecture), never following a link at the path.</summary>
internal enum FileKind { Absent, Regular, Directory, Link, Special }

internal static class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;

    private const uint RenameNoReplace = 0x1;

    [DllImport("libc", SetLastError = true, EntryPoint = "renameat2")]
    private static extern int RenameAt2(int olddirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, int newdirfd,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath, uint flags);

    /// <summary>
    /// rename(2) of whatever is at <paramref name="from"/> (a link itself, never its target; a folder or a file alike),
    /// refusing to replace anything at <paramref name="to"/>. File.Move would follow a link to a folder and fail.
    /// </summary>
    public static void Rename(string from, string to)
    {
        if (RenameAt2(AtFdCwd, from, AtFdCwd, to, RenameNoReplace) != 0)
            throw new IOException($"could not move '{from}' aside to '{to}': errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    public static FileKind Of(string path)
    {
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0) return FileKind.Absent;
        // struct statx: stx_mode is a u16 at offset 28.
        return (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Link,
            _ => FileKind.Special,
        };
    }
}
