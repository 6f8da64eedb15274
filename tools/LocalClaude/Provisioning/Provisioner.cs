using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>What <c>setup</c> should provision beyond the defaults.</summary>
public sealed record ProvisioningRequest
{
    public IReadOnlyList<string> ExtraNpmVersions { get; init; } = [];
    /// <summary>Claude Code versions to install beside the pinned one: exact versions or <c>latest</c>.</summary>
    public IReadOnlyList<string> ExtraClaudeCodeVersions { get; init; } = [];
    public string? RegisterBinary { get; init; }
    public string? RegisterName { get; init; }
    public bool Cuda { get; init; }
    public bool SkipSystemPackages { get; init; }
}

/// <summary>What setup left on the machine.</summary>
public sealed record ProvisioningResult(
    IReadOnlyList<LlamaServerBuild> Builds,
    IReadOnlyList<(string Name, string Path, string Sha256)> Models,
    ClaudeCodeInstall ClaudeCode,
    IReadOnlyList<SystemPackage> MissingPackages,
    IReadOnlyList<ClaudeCodeInstall> ExtraClaudeCode);

/// <summary>All of setup, in order, each step cached: llama-server builds, generated models, Claude Code, system packages.</summary>
public static class Provisioner
{
    public static async Task<ProvisioningResult> RunAsync(LocalClaudeHome home, ProvisioningRequest request, ProgressLog progress, CancellationToken ct)
    {
        progress.Step($"cache: {home.Root}");
        var missingPackages = request.SkipSystemPackages ? [] : await progress.StepAsync("system packages: bubblewrap, socat, chromium, tmux",
            () => SystemPackages.EnsureAsync(home, progress, ct));

        var flavor = request.Cuda ? "CUDA" : "CPU";
        var pinned = await progress.StepAsync($"llama.cpp source from node-llama-cpp@{LlamaCppSource.PinnedNpmVersion}",
            () => LlamaCppSource.EnsureAsync(home, LlamaCppSource.PinnedNpmVersion, progress, ct));
        progress.Info($"{pinned.ReleaseTag} (commit {pinned.Commit})");
        var builds = new List<LlamaServerBuild>
        {
            await progress.StepAsync($"llama-server {pinned.ReleaseTag} ({flavor})",
                () => LlamaServerBuilder.EnsureAsync(home, pinned, request.Cuda, progress, ct)),
        };
        foreach (var version in request.ExtraNpmVersions.Distinct())
        {
            var source = await progress.StepAsync($"llama.cpp source from node-llama-cpp@{version}",
                () => LlamaCppSource.EnsureAsync(home, version, progress, ct));
            builds.Add(await progress.StepAsync($"llama-server {source.ReleaseTag} ({flavor})",
                () => LlamaServerBuilder.EnsureAsync(home, source, request.Cuda, progress, ct)));
        }
        if (request.RegisterBinary is { } binary)
            builds.Add(await progress.StepAsync($"register {binary}",
                () => new LlamaServerRegistry(home).RegisterAsync(binary, request.RegisterName, ct)));
        foreach (var build in builds) progress.Info($"{build.Key}: {build.Version} -> {build.Binary}");

        var models = await progress.StepAsync("generated models", () => GeneratedModels.EnsureAsync(home, pinned, progress, ct));
        foreach (var (model, path, sha) in models) progress.Info($"{model}: {path} (sha256 {sha[..16]}…)");

        var claude = await progress.StepAsync($"Claude Code {ClaudeCodeInstall.PinnedVersion}",
            () => ClaudeCodeInstall.EnsureAsync(home, progress, ct));
        progress.Info(claude.Binary);
        var extraClaude = new List<ClaudeCodeInstall>();
        foreach (var wanted in request.ExtraClaudeCodeVersions.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var version = await ClaudeCodeInstall.ResolveAsync(wanted, ct);
            if (!string.Equals(wanted, version, StringComparison.Ordinal)) progress.Info($"{ClaudeCodeInstall.Package}@{wanted} is {version}");
            if (version == ClaudeCodeInstall.PinnedVersion || extraClaude.Any(i => i.Version == version)) continue;
            var installed = await progress.StepAsync($"Claude Code {version}", () => ClaudeCodeInstall.EnsureAsync(home, progress, ct, version));
            progress.Info(installed.Binary);
            extraClaude.Add(installed);
        }

        progress.Step($"setup finished in {progress.Elapsed.TotalSeconds:0} s");
        if (missingPackages.Count > 0)
            progress.Warn($"still missing: {string.Join(", ", missingPackages.Select(p => p.Package))}; run: {SystemPackages.InstallCommand(missingPackages)}");
        return new ProvisioningResult(builds, models, claude, missingPackages, extraClaude);
    }
}
