using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Provisioning;

namespace LocalClaude.Server;

/// <summary>Turns a profile into a launch: which binary, which model file, which template, where logs go.</summary>
public sealed class ProfileLaunchResolver(LocalClaudeHome home)
{
    /// <summary>CHAT_TEMPLATE_FILE values with this prefix name a file inside the pinned llama.cpp source tree.</summary>
    public const string SourceTreePrefix = "llama.cpp:";

    public LlamaServerLaunch Resolve(ModelProfile profile, int? port = null)
    {
        var confDir = Path.GetDirectoryName(profile.Location.File) ?? ".";
        string? template = profile.ChatTemplateFile is { } t
            ? t.StartsWith(SourceTreePrefix, StringComparison.Ordinal)
                ? Path.Combine(PinnedSourceDirectory(profile), t[SourceTreePrefix.Length..])
                : ResolvePath(t, confDir)
            : null;
        return new LlamaServerLaunch
        {
            Binary = new LlamaServerRegistry(home).ResolveBinary(profile),
            Profile = profile,
            ModelPath = GeneratedModels.IsGenerated(profile.Model)
                ? GeneratedModels.PathFor(home, profile.Model)
                : ResolvePath(profile.Model, confDir),
            ChatTemplatePath = template,
            MultimodalProjectorPath = profile.MultimodalProjector is { } m ? ResolvePath(m, confDir) : null,
            Port = port,
            LogDirectory = home.Ensure(Path.Combine(home.Logs, "servers")),
        };
    }

    private string PinnedSourceDirectory(ModelProfile profile)
    {
        var dir = Path.Combine(home.Sources, $"node-llama-cpp-{LlamaCppSource.PinnedNpmVersion}", "llama.cpp");
        return Directory.Exists(dir) ? dir : throw new LlamaServerStartException(ServerStartFailureKind.ModelFileMissing,
            $"profile '{profile.Name}' ({profile.LocationOf("CHAT_TEMPLATE_FILE")}): the llama.cpp source tree is not provisioned; run 'tools/localclaude setup'");
    }

    /// <summary>Expands <c>~</c> and makes a path relative to models.conf absolute.</summary>
    public static string ResolvePath(string value, string baseDir)
    {
        if (value == "~" || value.StartsWith("~/", StringComparison.Ordinal))
            value = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), value.TrimStart('~').TrimStart('/'));
        return Path.GetFullPath(value, baseDir);
    }
}

/// <summary>Resolves a profile against a context's cache; lives here so the root context names no server type.</summary>
public static class ContextLaunchResolution
{
    public static LlamaServerLaunch ResolveLaunch(this LocalClaudeContext context, ModelProfile profile, int? port = null) =>
        new ProfileLaunchResolver(context.Home).Resolve(profile, port);
}
