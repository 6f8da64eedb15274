using System.Security.Cryptography;
using System.Text;

namespace LocalClaude.Sandbox;

/// <summary>
/// Files inside the writable folders that something on the host executes or trusts later (git's config and hooks,
/// shell start-up files, editor and agent configs), as sandbox-runtime's mandatory deny list. Two layers:
/// <list type="number">
/// <item>while the sandbox runs, each one that exists is bound read-only over itself, and each folder above it is bound
/// over itself, so it can be neither changed, replaced, renamed nor removed;</item>
/// <item>when the sandbox has ended (nothing runs in it any more), before the folder is given back, each one that
/// appeared or changed, and every <c>.git</c> anywhere that was not there before, is renamed to
/// <c>NAME.localclaude-untrusted</c>, where nothing looks for it.</item>
/// </list>
/// So a repository that existed keeps working inside (commits, branches) with its config and hooks read-only, and a
/// <c>git init</c> inside works for the session, but the host never finds a <c>.git</c>, hook or rc file it did not have.
/// </summary>
public static class WriteDenyList
{
    /// <summary>Suffix of what layer 2 moved aside.</summary>
    public const string QuarantineSuffix = ".localclaude-untrusted";

    /// <summary>
    /// Inside every <c>.git</c> folder: what git runs or reads its config from (commondir redirects it all), and the git
    /// folders kept inside it, each with a config and hooks of its own: submodules' (<c>modules/</c>) and linked
    /// worktrees' (<c>worktrees/</c>, whose <c>commondir</c> names the repository).
    /// </summary>
    public static readonly IReadOnlyList<string> GitFolderEntries =
        ["config", "config.worktree", "commondir", "hooks", "modules", "worktrees", "info/attributes", "objects/info/alternates"];

    /// <summary>Shell, git and tool start-up files that run on the host when the folder is a HOME or a project.</summary>
    public static readonly IReadOnlyList<string> StartupFiles =
    [
        ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout",
        ".envrc", ".gitconfig", ".gitmodules", ".config/git", ".ripgreprc",
        ".npmrc", ".yarnrc", ".yarnrc.yml", ".cargo/config", ".cargo/config.toml", "lefthook.yml", ".lefthook.yml",
        ".gdbinit", ".exrc", ".nvimrc", ".nvim.lua", ".lazy.lua",
    ];

    /// <summary>Project configs that the user's own editor or agent trusts and acts on.</summary>
    public static readonly IReadOnlyList<string> ProjectConfigs =
    [
        ".claude/settings.json", ".claude/settings.local.json", ".claude/commands", ".claude/agents", ".claude/hooks",
        ".mcp.json", ".vscode", ".idea", ".devcontainer",
        // Other agents' and editors' project configs (hooks, MCP servers, tasks they run).
        ".cursor", ".gemini", ".codex", ".zed", ".helix", ".continue", ".roo", ".amazonq", ".aider.conf.yml", "opencode.json",
    ];

    /// <summary>The work dir's list (besides every <c>.git</c> folder's <see cref="GitFolderEntries"/>).</summary>
    public static IReadOnlyList<string> ForWorkDirectory(IEnumerable<string> extra) =>
        [.. StartupFiles, .. ProjectConfigs, .. extra];

    /// <summary>The sandbox HOME's list: its <c>.claude/</c> is Claude Code's own state there and stays writable.</summary>
    public static IReadOnlyList<string> ForHome(IEnumerable<string> extra) => [.. StartupFiles, .. extra];

    /// <summary>A relative path a user may add (<c>--deny-write</c>): no <c>..</c>, not absolute, not empty.</summary>
    public static bool IsValidEntry(string relative) =>
        relative.Length > 0 && !relative.StartsWith('/') && !relative.Contains('\0')
        && relative.Split('/').All(p => p.Length > 0 && p is not "." and not "..");

    /// <summary>What the folder looked like before the sandbox: every deny path's fingerprint and every <c>.git</c>.</summary>
    internal static WriteDenySnapshot Take(string root, IReadOnlyList<string> entries)
    {
        var gits = FindGitEntries(root);
        var paths = new HashSet<string>(entries, StringComparer.Ordinal);
        foreach (var git in gits)
        {
            // A repository folder stays writable (commits); what in it runs or redirects git is denied. A gitfile is denied itself.
            if (FileKinds.Of(Path.Combine(root, git)) == FileKind.Directory)
            {
                foreach (var entry in GitFolderEntries) paths.Add(git + "/" + entry);
                // A hooks folder named by core.hooksPath (husky's .husky, say) runs like .git/hooks.
                if (HooksPath(root, git) is { } hooks) paths.Add(hooks);
            }
            else paths.Add(git);
        }
        return new WriteDenySnapshot(root, paths.Order(StringComparer.Ordinal).ToDictionary(p => p, p => Fingerprint(root, p), StringComparer.Ordinal), gits);
    }

    /// <summary>
    /// Layer 1 for <paramref name="snapshot"/>: (relative path, read-only) pairs in mount order. A plain file or folder
    /// at a deny path is bound read-only; each real folder between the root and it is bound over itself (read-write)
    /// so that it cannot be renamed away. Links are not bound (a mount would follow them): layer 2 covers them.
    /// </summary>
    internal static IReadOnlyList<(string Relative, bool ReadOnly)> Binds(WriteDenySnapshot snapshot)
    {
        var pins = new SortedSet<string>(StringComparer.Ordinal);
        var denied = new List<string>();
        foreach (var relative in snapshot.Fingerprints.Keys)
        {
            if (!IsPlainWithPlainParents(snapshot.Root, relative)) continue;
            denied.Add(relative);
            for (var parent = Path.GetDirectoryName(relative); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
                pins.Add(parent);
        }
        // A folder that is itself denied (read-only) needs no pin, and its children are covered by it.
        var readOnly = denied.Where(d => !denied.Any(o => o != d && d.StartsWith(o + "/", StringComparison.Ordinal))).ToArray();
        var binds = pins.Where(p => !readOnly.Any(r => p == r || p.StartsWith(r + "/", StringComparison.Ordinal)))
            .Select(p => (p, false))
            .Concat(readOnly.Select(r => (r, true)));
        return binds.OrderBy(b => b.Item1.Count(c => c == '/')).ThenBy(b => b.Item1, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Layer 2, run on the host once nothing runs in the sandbox: moves aside every deny path that appeared or changed
    /// and every new <c>.git</c>. Returns the host paths moved (for the caller to report).
    /// </summary>
    internal static IReadOnlyList<string> Enforce(WriteDenySnapshot before)
    {
        var moved = new List<string>();
        foreach (var git in FindGitEntries(before.Root).Where(g => !before.GitEntries.Contains(g)))
            moved.Add(Quarantine(before.Root, git));
        foreach (var (relative, fingerprint) in before.Fingerprints)
        {
            var now = Fingerprint(before.Root, relative);
            if (now == fingerprint || now == Absent) continue;
            var unsafePart = FirstNonFolder(before.Root, relative);
            // Two deny paths below one planted link share it: it is moved once.
            if (FileKinds.Of(Path.Combine(before.Root, unsafePart)) != FileKind.Absent) moved.Add(Quarantine(before.Root, unsafePart));
        }
        return moved;
    }

    /// <summary>
    /// The shortest prefix of <paramref name="relative"/> that is not a real folder (a link, say, planted where
    /// <c>.git</c> was): that is what gets moved aside. Renaming the full path would resolve through the link and move
    /// something outside the folder.
    /// </summary>
    private static string FirstNonFolder(string root, string relative)
    {
        var parts = relative.Split('/');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var prefix = string.Join('/', parts[..(i + 1)]);
            if (FileKinds.Of(Path.Combine(root, prefix)) != FileKind.Directory) return prefix;
        }
        return relative;
    }

    private const string Absent = "absent";

    /// <summary>
    /// core.hooksPath of the repository at <paramref name="git"/>, relative to <paramref name="root"/> when it lies
    /// inside it (a hooks folder elsewhere is not the sandbox's to write). Read as text: running git here would trust a
    /// config the folder's owner wrote. Includes are not followed.
    /// </summary>
    internal static string? HooksPath(string root, string git)
    {
        var config = Path.Combine(root, git, "config");
        if (FileKinds.Of(config) != FileKind.Regular) return null;
        string? value = null;
        var inCore = false;
        foreach (var raw in File.ReadLines(config))
        {
            var line = raw.Trim();
            if (line.StartsWith('[')) { inCore = line.TrimStart('[').TrimEnd(']').Trim().Equals("core", StringComparison.OrdinalIgnoreCase); continue; }
            var eq = line.IndexOf('=');
            if (!inCore || eq < 0 || !line[..eq].Trim().Equals("hooksPath", StringComparison.OrdinalIgnoreCase)) continue;
            value = line[(eq + 1)..].Trim().Trim('"');
        }
        if (string.IsNullOrEmpty(value)) return null;
        var workTree = Path.GetDirectoryName(Path.Combine(root, git))!;
        var full = Path.GetFullPath(value.StartsWith('~') ? value : Path.Combine(workTree, value));
        var relative = Path.GetRelativePath(root, full);
        return relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) || !IsValidEntry(relative)
            ? null
            : relative;
    }

    private static string Quarantine(string root, string relative)
    {
        var path = Path.Combine(root, relative);
        var target = path + QuarantineSuffix;
        for (var n = 2; Exists(target); n++) target = $"{path}{QuarantineSuffix}-{n}";
        FileKinds.Rename(path, target);
        return target;
    }

    private static bool Exists(string path) => FileKinds.Of(path) != FileKind.Absent;

    /// <summary>The deny path is a regular file or folder, and every folder between it and the root is a real folder.</summary>
    private static bool IsPlainWithPlainParents(string root, string relative)
    {
        var current = root;
        var parts = relative.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            var kind = FileKinds.Of(current);
            if (kind != FileKind.Directory && (i < parts.Length - 1 || kind != FileKind.Regular)) return false;
        }
        return true;
    }

    /// <summary>Every entry named <c>.git</c> (folder, file or link) below the root, not descending into them or through links.</summary>
    private static IReadOnlySet<string> FindGitEntries(string root)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([""]);
        while (pending.Count > 0)
        {
            var relative = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try { entries = new DirectoryInfo(Path.Combine(root, relative)).EnumerateFileSystemInfos().ToArray(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var entry in entries)
            {
                var child = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                if (entry.Name == ".git") found.Add(child);
                else if (FileKinds.Of(entry.FullName) == FileKind.Directory) pending.Push(child);
            }
        }
        return found;
    }

    /// <summary>What is at the path, without following a link at it or above it: kind, link target, content digest.</summary>
    private static string Fingerprint(string root, string relative)
    {
        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = Path.Combine(current, part);
            switch (FileKinds.Of(current))
            {
                case FileKind.Absent: return Absent;
                case FileKind.Link: return $"link {current} -> {new FileInfo(current).LinkTarget}";
                case FileKind.Regular or FileKind.Special when current.Length < Path.Combine(root, relative).Length: return "not a folder: " + current;
            }
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try { Digest(current, hash); }
        // What cannot be read now is not what was there (a mode the sandbox set counts as a change).
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "unreadable: " + e.Message; }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void Digest(string path, IncrementalHash hash)
    {
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\0"));
        var kind = FileKinds.Of(path);
        Add(kind.ToString());
        switch (kind)
        {
            case FileKind.Link:
                Add(new FileInfo(path).LinkTarget ?? "");
                return;
            case FileKind.Directory:
                Add(((int)File.GetUnixFileMode(path)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                foreach (var child in new DirectoryInfo(path).EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal))
                {
                    Add(child.Name);
                    Digest(child.FullName, hash);
                }
                return;
            case FileKind.Regular:
                Add(((int)File.GetUnixFileMode(path)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                // Only regular files are opened: a FIFO would block, a device could be anything.
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                    hash.AppendData(SHA256.HashData(stream));
                return;
        }
    }
}

/// <summary>One writable folder's deny paths (relative) and their fingerprints, and its <c>.git</c> entries, before a sandbox.</summary>
internal sealed record WriteDenySnapshot(string Root, IReadOnlyDictionary<string, string> Fingerprints, IReadOnlySet<string> GitEntries);
