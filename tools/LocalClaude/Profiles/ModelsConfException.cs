using LocalClaude.Infrastructure;

namespace LocalClaude.Profiles;

/// <summary>A models.conf problem, naming file, line and key.</summary>
public sealed class ModelsConfException(string file, int line, string? key, string problem)
    : Exception($"{file}{(line > 0 ? $":{line}" : "")}: {(key is null ? "" : $"{key}: ")}{problem}"), IExpectedFailure
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string? Key { get; } = key;
    public string Problem { get; } = problem;
}
