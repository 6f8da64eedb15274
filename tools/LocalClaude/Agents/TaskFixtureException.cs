using LocalClaude.Infrastructure;

namespace LocalClaude.Agents;

/// <summary>A task fixture that cannot be used, naming the file (and the JSON line where known).</summary>
public sealed class TaskFixtureException(string file, string problem, long? line = null)
    : Exception($"{file}{(line is null ? "" : $":{line}")}: {problem}"), IExpectedFailure
{
    public string File { get; } = file;
    public string Problem { get; } = problem;
    /// <summary>1-based line in <see cref="File"/>, when the problem is tied to one.</summary>
    public long? Line { get; } = line;
}
