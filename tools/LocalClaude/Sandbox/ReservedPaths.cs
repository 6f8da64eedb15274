using LocalClaude.Infrastructure;

namespace LocalClaude.Sandbox;

/// <summary>
/// A host path the sandbox must never be handed as a writable folder (nor its parent). <see cref="InsideToo"/>: nothing
/// inside it may be handed over either (a system folder, the user's Claude Code config, the suite's own files), except
/// beneath one of <see cref="Except"/>; otherwise only the path itself and its parents are refused (HOME, /tmp: a
/// project folder inside them is fine).
/// </summary>
public sealed record ReservedPath(string Path, string What, bool InsideToo, IReadOnlyList<string>? Except = null);

/// <summary>How a candidate path meets a reserved one.</summary>
public enum ReservedRelation { Is, ParentOf, Inside }

/// <summary>A candidate path that meets a reserved path, and the one-line reason.</summary>
public sealed record ReservedConflict(ReservedPath Reserved, ReservedRelation Relation, string Candidate)
{
    public string Describe(string what)
    {
        var where = Reserved.What.EndsWith(Reserved.Path, StringComparison.Ordinal) ? Reserved.What : $"{Reserved.What} ({Reserved.Path})";
        return Relation switch
        {
            ReservedRelation.Is => $"the {what} '{Candidate}' is {Reserved.What}",
            ReservedRelation.ParentOf => $"the {what} '{Candidate}' is a parent of {where}",
            _ => $"the {what} '{Candidate}' is inside {where}",
        };
    }
}

/// <summary>
/// The one list of host paths that no sandbox may write (and that <c>launch local</c> refuses for <c>--workdir</c>,
/// <c>--sandbox-home</c> and <c>--claude</c>), and the one containment rule. Every candidate is resolved first
/// (<see cref="RealPath"/>: symlinks and <c>..</c>); a path that does not exist yet is checked as it would be created.
/// </summary>
public sealed class ReservedPaths
{
    /// <summary>Files that mark a LocalClaude checkout, wherever it is.</summary>
    public static readonly IReadOnlyList<string> CheckoutMarkers = ["LocalClaude.sln", "tools/localclaude"];

    /// <summary>How deep below a candidate folder a LocalClaude checkout is looked for, and how many folders at most.</summary>
    public const int CheckoutSearchDepth = 3;
    public const int CheckoutSearchFolders = 20_000;

    // System folders: nothing in them is the user's project. /tmp, /var/tmp, /home, /mnt, /media hold projects, so only they themselves are refused.
    private static readonly string[] SystemTrees =
        ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev", "/proc", "/sys", "/run", "/opt", "/srv", "/snap", "/nix", "/lost+found"];
    private static readonly string[] SharedFolders = ["/", "/tmp", "/var/tmp", "/home", "/mnt", "/media"];

    /// <summary>System folders every sandbox shows read-only anyway: binding a file from them exposes nothing new.</summary>
    public static readonly IReadOnlyList<string> VisibleInEverySandbox = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    private ReservedPaths(IReadOnlyList<ReservedPath> all) => All = all;

    /// <summary>Most specific first, so that an error names the folder a user recognises (the repo before /).</summary>
    public IReadOnlyList<ReservedPath> All { get; }

    /// <summary>The user's HOME: $HOME, else the passwd entry .NET reports.</summary>
    public static string UserHome() =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home
            ? home
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>
    /// What no sandbox may write, whoever starts it: the user's Claude Code config, HOME itself, the system folders.
    /// <paramref name="suiteFolders"/>: the repository and the cache when the caller knows them (the launcher does).
    /// </summary>
    public static ReservedPaths For(string userHome, params IEnumerable<ReservedPath> suiteFolders)
    {
        var home = RealPath.Of(userHome);
        var list = new List<ReservedPath>
        {
            new(RealPath.Of(System.IO.Path.Combine(home, ".claude")), "your Claude Code config ~/.claude", InsideToo: true),
            new(RealPath.Of(System.IO.Path.Combine(home, ".claude.json")), "your Claude Code config ~/.claude.json", InsideToo: true),
        };
        list.AddRange(suiteFolders.Select(r => r with { Path = RealPath.Of(r.Path), Except = r.Except?.Select(RealPath.Of).ToArray() }));
        list.Add(new ReservedPath(home, "your HOME", InsideToo: false));
        // A HOME inside a system folder (/var/lib/jenkins, /opt/user) stays usable: the folder's other contents stay reserved.
        string[] HomeIfInside(string real) => RealPath.IsSameOrInside(home, real) ? [home] : [];
        foreach (var tree in SystemTrees)
            if (RealPath.Of(tree) is var real && real != home)
                list.Add(new ReservedPath(real, $"the system folder {tree}", InsideToo: true, Except: HomeIfInside(real)));
        // /var holds the system's state; /var/tmp is a shared scratch folder like /tmp.
        var variable = RealPath.Of("/var");
        list.Add(new ReservedPath(variable, "the system folder /var", InsideToo: true, Except: HomeIfInside(variable).Append(RealPath.Of("/var/tmp")).ToArray()));
        // /root is another user's HOME unless it is ours.
        if (RealPath.Of("/root") is var root && root != home)
            list.Add(new ReservedPath(root, "root's HOME /root", InsideToo: true));
        foreach (var shared in SharedFolders)
            list.Add(new ReservedPath(RealPath.Of(shared), shared == "/" ? "the root folder /" : $"the shared folder {shared}", InsideToo: false));
        return new ReservedPaths(list);
    }

    /// <summary>
    /// For <c>launch local</c>'s arguments: also the repository and the whole cache (their binaries and scripts run on
    /// the host; the default sandbox HOME in the cache is the launcher's own choice, not an argument).
    /// </summary>
    public static ReservedPaths ForLaunch(string repoRoot, string cacheRoot, string userHome) => For(userHome,
        new ReservedPath(repoRoot, "the LocalClaude repository (its own config: .claude/, CLAUDE.md, AI_INSTRUCTIONS.md, models.conf, .git; tools/localclaude)", InsideToo: true),
        new ReservedPath(cacheRoot, CacheWhat, InsideToo: true));

    /// <summary>
    /// For every sandbox (checked by <see cref="BwrapSandbox"/> itself): the cache except the folders the suite makes
    /// for sandboxes (run folders, launch homes). Checkouts are found by their markers.
    /// </summary>
    public static ReservedPaths ForSandbox(LocalClaudeHome cache, string userHome) => For(userHome,
        new ReservedPath(cache.Root, CacheWhat, InsideToo: true, Except: [cache.Runs, cache.LaunchHomes]));

    private const string CacheWhat = "the LocalClaude cache (llama-server, models, Claude Code, sandbox homes)";

    /// <summary>
    /// The first way <paramref name="path"/> meets a reserved path (is it, holds it, or lies inside one), or a
    /// LocalClaude checkout it is, lies in or holds; null when it is free to hand to a sandbox.
    /// </summary>
    public ReservedConflict? Conflict(string path)
    {
        var real = RealPath.Of(path);
        foreach (var reserved in All)
        {
            if (real == reserved.Path) return new ReservedConflict(reserved, ReservedRelation.Is, real);
            if (RealPath.IsSameOrInside(reserved.Path, real)) return new ReservedConflict(reserved, ReservedRelation.ParentOf, real);
        }
        foreach (var reserved in All.Where(r => r.InsideToo))
            if (RealPath.IsSameOrInside(real, reserved.Path) && !(reserved.Except ?? []).Any(e => RealPath.IsSameOrInside(real, e)))
                return new ReservedConflict(reserved, ReservedRelation.Inside, real);
        if (CheckoutAround(real) is { } checkout) return checkout;
        return null;
    }

    /// <summary>Like <see cref="Conflict"/>, for a writable folder: also refuses a top-level folder (it is never one project).</summary>
    public ReservedConflict? WritableFolderConflict(string path)
    {
        if (Conflict(path) is { } conflict) return conflict;
        var real = RealPath.Of(path);
        return real.Count(c => c == '/') < 2
            ? new ReservedConflict(new ReservedPath(real, "a top-level folder", InsideToo: false), ReservedRelation.Is, real)
            : null;
    }

    /// <summary>A LocalClaude checkout at, above or (up to <see cref="CheckoutSearchDepth"/> levels) below <paramref name="real"/>.</summary>
    private static ReservedConflict? CheckoutAround(string real)
    {
        for (var dir = real; dir is not null; dir = System.IO.Path.GetDirectoryName(dir))
            if (IsCheckout(dir))
                return new ReservedConflict(Checkout(dir), dir == real ? ReservedRelation.Is : ReservedRelation.Inside, real);
        if (!Directory.Exists(real)) return null;
        var queue = new Queue<(string Dir, int Depth)>([(real, 0)]);
        var visited = 0;
        while (queue.Count > 0 && visited++ < CheckoutSearchFolders)
        {
            var (dir, depth) = queue.Dequeue();
            if (depth > 0 && IsCheckout(dir)) return new ReservedConflict(Checkout(dir), ReservedRelation.ParentOf, real);
            if (depth == CheckoutSearchDepth) continue;
            IEnumerable<DirectoryInfo> children;
            try { children = new DirectoryInfo(dir).EnumerateDirectories().ToArray(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var child in children)
                if (child.LinkTarget is null) queue.Enqueue((child.FullName, depth + 1));
        }
        return null;
    }

    private static bool IsCheckout(string dir) => CheckoutMarkers.All(m => File.Exists(System.IO.Path.Combine(dir, m)));

    private static ReservedPath Checkout(string dir) => new(dir, "a LocalClaude checkout (its tools/localclaude runs on the host)", InsideToo: true);
}
