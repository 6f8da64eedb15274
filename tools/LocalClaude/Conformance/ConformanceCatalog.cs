using LocalClaude.Conformance.Checks;

namespace LocalClaude.Conformance;

/// <summary>Every conformance check, in the order the runner takes them. Ids are stable: reports and the gate key on them.</summary>
public static class ConformanceCatalog
{
    public static IReadOnlyList<ConformanceCheck> All { get; } =
    [
        .. MessageChecks.All,
        .. StreamingChecks.All,
        .. ConnectionChecks.All,
        .. StopReasonChecks.All,
        .. TokenChecks.All,
        .. ClaudeCodeRequestChecks.All,
        .. ToolChecks.All,
        .. ThinkingChecks.All,
        .. VisionChecks.All,
        .. ErrorChecks.All,
        .. PerformanceChecks.All,
        .. ConcurrencyChecks.All,
    ];

    public static ConformanceCheck Get(string id) =>
        All.FirstOrDefault(c => c.Id == id) ?? throw new ArgumentException($"no conformance check '{id}'");

    /// <summary>Checks whose id matches one of the globs (<c>*</c> wildcard), or all.</summary>
    public static IReadOnlyList<ConformanceCheck> Select(IReadOnlyCollection<string>? globs) =>
        globs is null || globs.Count == 0 ? All : All.Where(c => globs.Any(g => Glob.IsMatch(c.Id, g))).ToList();
}

internal static class Glob
{
    public static bool IsMatch(string text, string pattern) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*") + "$");
}
