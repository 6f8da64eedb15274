namespace LocalClaude.Launcher;

/// <summary>
/// Checks a work dir before it is handed to a sandboxed Claude Code, which may read and write all of it: it must exist,
/// and must neither contain a protected path (a parent of the repo's or the user's config) nor lie inside one.
/// </summary>
public static class WorkDirectoryGuard
{
    /// <summary>The work dir's real path, or <see cref="LaunchRefusedException"/> saying which protected path it would expose.</summary>
    public static string Check(string workDirectory, IEnumerable<ProtectedPath> protectedPaths)
    {
        if (string.IsNullOrWhiteSpace(workDirectory)) throw new LaunchRefusedException("the work dir is empty");
        var work = RealPath.Of(workDirectory);
        if (!Directory.Exists(work))
            throw new LaunchRefusedException($"the work dir '{workDirectory}' does not exist or is not a folder");
        foreach (var guarded in protectedPaths)
        {
            var path = RealPath.Of(guarded.Path);
            if (RealPath.IsSameOrInside(path, work))
                throw new LaunchRefusedException(path == work
                    ? $"the work dir '{work}' is {guarded.What}; the sandboxed Claude Code could read and change it. Use a project folder of its own."
                    : $"the work dir '{work}' is a parent of {guarded.What} ({path}); the sandboxed Claude Code could read and change it. Use a folder that does not contain it.");
            if (RealPath.IsSameOrInside(work, path))
                throw new LaunchRefusedException(
                    $"the work dir '{work}' is inside {guarded.What} ({path}); the sandboxed Claude Code could change it. Use a project folder elsewhere.");
        }
        // After the named checks, so that '/root' says it holds ~/.claude rather than only "top-level".
        if (work == "/" || work.Count(c => c == '/') < 2)
            throw new LaunchRefusedException($"the work dir '{work}' is a top-level folder; use a project folder");
        return work;
    }
}
