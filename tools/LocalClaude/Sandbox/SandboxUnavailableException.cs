namespace LocalClaude.Sandbox;

/// <summary>One reason the sandbox cannot be built or cannot enforce a guarantee, with the fix.</summary>
public sealed record SandboxProblem(string Component, string Message, string? Fix, bool OnlyForNetwork = false)
{
    public override string ToString() => $"{Component}: {Message}" + (Fix is null ? "" : $" Fix: {Fix}");
}

/// <summary>Thrown instead of running anything when the sandbox is missing a tool or cannot enforce a guarantee.</summary>
public sealed class SandboxUnavailableException(IReadOnlyList<SandboxProblem> problems)
    : Exception("The sandbox cannot be used, so nothing was run:\n" + string.Join('\n', problems.Select(p => " - " + p))), Infrastructure.IExpectedFailure
{
    public IReadOnlyList<SandboxProblem> Problems { get; } = problems;
}
