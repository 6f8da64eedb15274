using System.Text;
using LocalClaude.Profiles;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>
/// The CPU profile's section of the repo's models.conf, copied under a name no one else uses, into a models.conf of
/// its own: every process of a test run (its llama-server's --alias, the sandbox's ANTHROPIC_MODEL) carries the name,
/// so the test finds exactly its own processes, and never shares a server another test or engineer runs.
/// </summary>
internal sealed record LaunchTestProfile(string Name, string ModelsConfPath)
{
    public const string SourceProfile = ModelsConf.DefaultProfileName;

    public static LaunchTestProfile Write(string folder)
    {
        var name = "launch-test-" + Guid.NewGuid().ToString("N")[..10];
        var lines = File.ReadAllLines(LauncherCli.Repo.ModelsConf);
        var start = Array.FindIndex(lines, l => l.Trim() == $"[{SourceProfile}]");
        if (start < 0) throw new InvalidOperationException($"models.conf has no [{SourceProfile}] section");
        var text = new StringBuilder($"# {SourceProfile} from {LauncherCli.Repo.ModelsConf}, renamed for one test run\n[{name}]\n");
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.TrimStart().StartsWith('[')))
            text.AppendLine(line);
        var path = Path.Combine(folder, "models.conf");
        File.WriteAllText(path, text.ToString());
        // The copy must parse and keep the source's settings.
        var copy = ModelsConf.Load(path).Get(name);
        var source = ModelsConf.Load(LauncherCli.Repo.ModelsConf).Get(SourceProfile);
        if (copy.Model != source.Model || copy.ContextSize != source.ContextSize || copy.ParallelSlots != source.ParallelSlots
            || copy.MaxOutputTokens != source.MaxOutputTokens || !copy.ExtraArgs.SequenceEqual(source.ExtraArgs))
            throw new InvalidOperationException($"the copy of [{SourceProfile}] in {path} differs from its source");
        return new LaunchTestProfile(name, path);
    }

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { [ModelsConf.EnvironmentVariable] = ModelsConfPath };
}
