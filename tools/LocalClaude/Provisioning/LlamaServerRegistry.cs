using System.Text.Json;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;

namespace LocalClaude.Provisioning;

/// <summary>
/// The llama-server builds known to this machine: those <c>setup</c> built (one folder each under the cache)
/// and binaries the user registered. Resolves a profile's LLAMA_SERVER value to a binary.
/// </summary>
public sealed class LlamaServerRegistry(LocalClaudeHome home)
{
    public IReadOnlyList<LlamaServerBuild> All()
    {
        if (!Directory.Exists(home.LlamaBuilds)) return [];
        return Directory.GetDirectories(home.LlamaBuilds)
            .Select(d => TryReadManifest(Path.Combine(d, LlamaServerBuild.ManifestName)))
            .OfType<LlamaServerBuild>()
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .ToList();
    }

    public static LlamaServerBuild? TryReadManifest(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<LlamaServerBuild>(File.ReadAllText(path), JsonDefaults.Indented); }
        catch (JsonException) { return null; }
    }

    /// <summary>Records a binary the user already has (their own CUDA build) under a name profiles can use.</summary>
    public async Task<LlamaServerBuild> RegisterAsync(string binaryPath, string? name, CancellationToken ct)
    {
        var binary = Path.GetFullPath(binaryPath);
        if (!File.Exists(binary)) throw new FileNotFoundException($"llama-server binary not found: {binary}");
        var version = await LlamaServerVersion.ReadAsync(binary, ct);
        name ??= $"registered-{version.Version}-{version.Commit ?? "unknown"}";
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"build name '{name}' must be letters, digits, '-', '_' or '.'");
        var build = new LlamaServerBuild
        {
            Key = name,
            Binary = binary,
            Commit = version.Commit,
            Flavor = "registered",
            Version = version,
            ProvisionedAt = DateTimeOffset.UtcNow,
        };
        AtomicFile.WriteAllText(Path.Combine(home.LlamaBuilds, name, LlamaServerBuild.ManifestName),
            JsonSerializer.Serialize(build, JsonDefaults.Indented));
        return build;
    }

    /// <summary>The build for the pinned release: a CUDA build if one was provisioned, else the CPU one.</summary>
    public LlamaServerBuild? Default() => ForNpmVersion(LlamaCppSource.PinnedNpmVersion);

    public LlamaServerBuild? ForNpmVersion(string npmVersion) =>
        All().Where(b => b.NpmVersion == npmVersion).OrderBy(b => b.Flavor == "cuda" ? 0 : 1).FirstOrDefault();

    /// <summary>Resolves LLAMA_SERVER (<c>default</c>, <c>npm:VERSION</c>, a registered key, or a path) to a binary path.</summary>
    public string ResolveBinary(ModelProfile profile)
    {
        return Resolve(profile.LlamaServer, profile);
    }

    public string Resolve(string value, ModelProfile? profile = null)
    {
        var where = profile is null ? value : $"profile '{profile.Name}' ({profile.LocationOf("LLAMA_SERVER")}) LLAMA_SERVER={value}";
        if (value == "default")
            return Default()?.Binary ?? throw new FileNotFoundException(
                $"{where}: llama-server {LlamaCppSource.PinnedNpmVersion} is not provisioned; run 'tools/localclaude setup'");
        if (value.StartsWith("npm:", StringComparison.Ordinal))
        {
            var version = value[4..];
            return ForNpmVersion(version)?.Binary ?? throw new FileNotFoundException(
                $"{where}: no build of node-llama-cpp {version}; run 'tools/localclaude setup --llama-npm {version}'");
        }
        if (value.Contains('/')) return Path.GetFullPath(value);
        return All().FirstOrDefault(b => b.Key == value)?.Binary ?? throw new FileNotFoundException(
            $"{where}: no build named '{value}' (known: {string.Join(", ", All().Select(b => b.Key))})");
    }
}
