using LocalClaude.Infrastructure;

namespace LocalClaude.Traffic;

/// <summary>A fixture that cannot be read: names the file and, where it can, the line. An <see cref="IOException"/>: the input is unreadable, as for a bad file.</summary>
public sealed class TrafficFixtureException(string file, int? line, string problem, Exception? inner = null)
    : IOException($"{file}{(line is { } l ? $":{l}" : "")}: {problem}", inner), IExpectedFailure
{
    public string File { get; } = file;
    /// <summary>1-based line, when known.</summary>
    public int? Line { get; } = line;
    public string Problem { get; } = problem;
}
