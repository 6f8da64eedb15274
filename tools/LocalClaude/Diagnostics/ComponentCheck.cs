using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Provisioning;

namespace LocalClaude.Diagnostics;

/// <summary>One line of <c>doctor</c>: a component, whether it is there, its version and path.</summary>
public sealed record ComponentStatus(string Name, bool Required, bool Found, string? Version, string? Path, string? Hint = null);

/// <summary>Looks for every part the suite needs, without installing anything.</summary>
public static class ComponentCheck
{
    public static async Task<IReadOnlyList<ComponentStatus>> RunAsync(LocalClaudeContext context, CancellationToken ct)
    {
        var home = context.Home;
        var list = new List<ComponentStatus>();
        var registry = new LlamaServerRegistry(home);

        var pinned = registry.Default();
        list.Add(pinned is null
            ? new("llama-server (default)", true, false, null, null, $"node-llama-cpp {LlamaCppSource.PinnedNpmVersion} not built")
            : await BinaryStatusAsync("llama-server (default)", pinned.Binary, true, ct));
        foreach (var build in registry.All().Where(b => b.Binary != pinned?.Binary))
            list.Add(await BinaryStatusAsync($"llama-server {build.Key}", build.Binary, false, ct));

        foreach (var name in GeneratedModels.Names)
        {
            var path = GeneratedModels.PathFor(home, name);
            list.Add(File.Exists(path)
                ? new($"model {name}", true, true, $"{new FileInfo(path).Length / 1e6:0.0} MB", path)
                : new($"model {name}", true, false, null, null, "not generated"));
        }

        var claude = ClaudeCodeInstall.Find(home);
        list.Add(claude is null
            ? new($"claude-code", true, false, null, null, $"{ClaudeCodeInstall.PinnedVersion} not installed")
            : await ClaudeCodeStatusAsync("claude-code", claude, true, ct));
        foreach (var other in ClaudeCodeInstall.Installed(home).Where(i => i.Version != ClaudeCodeInstall.PinnedVersion))
            list.Add(await ClaudeCodeStatusAsync($"claude-code {other.Version}", other, false, ct));

        foreach (var package in SystemPackages.Required)
        {
            var path = RunEnvironment.Which(package.Program);
            list.Add(path is null
                ? new(package.Program, true, false, null, null, $"apt-get install {package.Package}  ({package.Purpose})")
                : new(package.Program, true, true, await FirstLineAsync(path, package.Program switch { "tmux" or "socat" => "-V", _ => "--version" }, ct), path));
        }

        foreach (var tool in new[] { "npm", "cmake", "git" })
        {
            var path = RunEnvironment.Which(tool);
            list.Add(new(tool, false, path is not null, path is null ? null : await FirstLineAsync(path, "--version", ct), path,
                path is null ? "needed by setup only" : null));
        }

        try
        {
            var conf = context.LoadModelsConf();
            list.Add(new("models.conf", true, true, $"{conf.Profiles.Count} profiles", conf.Path));
        }
        catch (ModelsConfException e)
        {
            list.Add(new("models.conf", true, false, null, null, e.Message));
        }
        return list;
    }

    /// <summary>Found only if the binary reports the version its folder names (a half-finished install does not count).</summary>
    private static async Task<ComponentStatus> ClaudeCodeStatusAsync(string name, ClaudeCodeInstall install, bool required, CancellationToken ct)
    {
        var reported = await ClaudeCodeInstall.ReadVersionAsync(install.Binary, ct);
        return new(name, required, reported == install.Version, reported, install.Binary,
            reported == install.Version ? null : $"reports '{reported}', expected {install.Version}");
    }

    private static async Task<ComponentStatus> BinaryStatusAsync(string name, string binary, bool required, CancellationToken ct)
    {
        if (!File.Exists(binary)) return new(name, required, false, null, null, $"missing: {binary}");
        try
        {
            var version = await LlamaServerVersion.ReadAsync(binary, ct);
            return new(name, required, true, version.Raw, binary);
        }
        catch (Exception e) when (e is FormatException or ExternalCommandException)
        {
            return new(name, required, false, null, binary, $"does not run: {e.Message.Split('\n')[0]}");
        }
    }

    private static async Task<string?> FirstLineAsync(string program, string flag, CancellationToken ct)
    {
        try
        {
            var r = await ExternalCommand.RunAsync(program, [flag], new CommandOptions { Timeout = TimeSpan.FromSeconds(30), ThrowOnFailure = false }, ct);
            return (r.StandardOutput + r.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
        }
        catch (ExternalCommandException) { return null; }
    }
}
