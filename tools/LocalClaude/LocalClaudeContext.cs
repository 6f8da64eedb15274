using LocalClaude.Infrastructure;
using LocalClaude.Profiles;

namespace LocalClaude;

/// <summary>The repository, the cache folder and the profiles file that one run works with.</summary>
public sealed record LocalClaudeContext(RepoLayout Repo, LocalClaudeHome Home, string ModelsConfPath)
{
    public const string ProfileVariable = "LOCALCLAUDE_PROFILE";

    public static LocalClaudeContext Discover(string? start = null)
    {
        var repo = RepoLayout.Find(start);
        return new LocalClaudeContext(repo, LocalClaudeHome.Default(), ModelsConf.DefaultPath(repo.ModelsConf));
    }

    public ModelsConf LoadModelsConf() => ModelsConf.Load(ModelsConfPath);

    /// <summary>LOCALCLAUDE_PROFILE, or the CPU profile CI uses.</summary>
    public static string SelectedProfileName =>
        Environment.GetEnvironmentVariable(ProfileVariable) is { Length: > 0 } p ? p : ModelsConf.DefaultProfileName;

    public ModelProfile Profile(string name) => LoadModelsConf().Get(name);
}
