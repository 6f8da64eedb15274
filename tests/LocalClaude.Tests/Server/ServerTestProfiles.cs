using LocalClaude.Profiles;
using LocalClaude.Server;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Server;

/// <summary>Launches for the CPU profile and broken variants of it, or a skip (a failure in CI) when setup has not run.</summary>
internal static class ServerTestProfiles
{
    public static LocalClaudeContext Context { get; } = LocalClaudeContext.Discover();

    public static ModelProfile Cpu => Context.Profile(ModelsConf.DefaultProfileName);

    public static LlamaServerLaunch CpuLaunch(Func<ModelProfile, ModelProfile>? change = null, int? port = null)
    {
        var profile = change is null ? Cpu : change(Cpu);
        LlamaServerLaunch launch;
        try
        {
            launch = Context.ResolveLaunch(profile, port);
        }
        catch (FileNotFoundException e)
        {
            MissingPart.Report(e.Message);
            throw;
        }
        MissingPart.Require(File.Exists(launch.Binary), $"llama-server not provisioned at {launch.Binary}");
        return launch;
    }

    /// <summary>A launch whose model exists (the generated one), for tests about everything but the model.</summary>
    public static LlamaServerLaunch RunnableCpuLaunch(Func<ModelProfile, ModelProfile>? change = null, int? port = null)
    {
        var launch = CpuLaunch(change, port);
        MissingPart.Require(File.Exists(Context.ResolveLaunch(Cpu).ModelPath), "the generated default model is missing");
        return launch;
    }
}
