namespace LocalClaude.Sandbox;

/// <summary>Where the tools were found (null: not found).</summary>
public sealed record SandboxToolPaths(string? Bwrap, string? Socat, string? Setpriv, string? Unshare, string? Mount);

/// <summary>What the probe found: tools, identity, and every guarantee that could not be enforced.</summary>
public sealed record SandboxProbe
{
    public required SandboxToolPaths Tools { get; init; }
    public required bool CallerIsRoot { get; init; }
    /// <summary>Host uid/gid the sandboxed processes run as.</summary>
    public required int SandboxUid { get; init; }
    public required int SandboxGid { get; init; }
    public required IReadOnlyList<SandboxProblem> Problems { get; init; }

    /// <summary>Problems that forbid a sandbox without network (socat is only needed for the model-server bridge).</summary>
    public IReadOnlyList<SandboxProblem> ProblemsFor(bool withNetwork) =>
        Problems.Where(p => withNetwork || !p.OnlyForNetwork).ToArray();

    public bool CanRun(bool withNetwork) => ProblemsFor(withNetwork).Count == 0;

    public void EnsureUsable(bool withNetwork)
    {
        var problems = ProblemsFor(withNetwork);
        if (problems.Count > 0) throw new SandboxUnavailableException(problems);
    }
}
