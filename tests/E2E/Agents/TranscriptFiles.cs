using LocalClaude.Infrastructure;

namespace LocalClaude.E2E.Tests.Agents;

/// <summary>The captured real transcripts in tests/E2E/Agents/Transcripts (read from the repository, not copied).</summary>
internal static class TranscriptFiles
{
    public static string Folder { get; } = Path.Combine(RepoLayout.Find(AppContext.BaseDirectory).Root, "tests", "E2E", "Agents", "Transcripts");

    public static string PathOf(string name) => Path.Combine(Folder, name + ".jsonl");

    public static IReadOnlyList<string> Lines(string name) => File.ReadAllLines(PathOf(name));
}
