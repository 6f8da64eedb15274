using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>What a llama-server binary says of itself (<c>--version</c>).</summary>
public sealed partial record LlamaServerVersion(string Version, int? Build, string? Commit, string Raw)
{
    public static LlamaServerVersion Parse(string output)
    {
        var m = VersionLine().Match(output);
        if (!m.Success) throw new FormatException($"no 'version: ...' line in llama-server --version output:\n{output.Trim()}");
        return new LlamaServerVersion(m.Groups["v"].Value, int.TryParse(m.Groups["b"].Value, out var b) ? b : null,
            m.Groups["c"].Success ? m.Groups["c"].Value : null, m.Value.Trim());
    }

    public static async Task<LlamaServerVersion> ReadAsync(string binary, CancellationToken ct)
    {
        var result = await ExternalCommand.RunAsync(binary, ["--version"],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(30), ThrowOnFailure = false }, ct);
        return Parse(result.StandardOutput + "\n" + result.StandardError);
    }

    public override string ToString() => Raw;

    // "version: 0.5.0-dev (build 1, commit de3ff81)" or older "version: 6431 (b6431)".
    [GeneratedRegex(@"version:\s*(?<v>\S+)(\s*\((build\s*(?<b>\d+),\s*commit\s*(?<c>[0-9a-f]+)|[^)]*)\))?")]
    private static partial Regex VersionLine();
}

/// <summary>A provisioned (or registered) llama-server binary and where it came from.</summary>
public sealed record LlamaServerBuild
{
    /// <summary>Cache key: release, commit and build flags (e.g. <c>v0.5.0-de3ff81-cpu</c>), or the registered name.</summary>
    public required string Key { get; init; }
    public required string Binary { get; init; }
    public string? NpmVersion { get; init; }
    public string? ReleaseTag { get; init; }
    public string? Commit { get; init; }
    /// <summary><c>cpu</c>, <c>cuda</c>, or <c>registered</c> for a binary the user brought.</summary>
    public required string Flavor { get; init; }
    public IReadOnlyList<string> CmakeArguments { get; init; } = [];
    public required LlamaServerVersion Version { get; init; }
    public DateTimeOffset ProvisionedAt { get; init; }
    public double? BuildSeconds { get; init; }

    public const string ManifestName = "build.json";
}

/// <summary>Builds the llama-server target from a llama.cpp source tree with cmake, cached by release, commit and flags.</summary>
public static class LlamaServerBuilder
{
    public static IReadOnlyList<string> CmakeArguments(bool cuda) =>
    [
        "-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=OFF", "-DBUILD_SHARED_LIBS=OFF",
        "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_APP=OFF",
        // Without this the build tries to download the web UI (no internet here).
        "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_CURL=OFF",
        .. cuda ? new[] { "-DGGML_CUDA=ON" } : [],
    ];

    public static string KeyFor(LlamaCppSource source, bool cuda) =>
        $"{source.ReleaseTag}-{source.Commit}-{(cuda ? "cuda" : "cpu")}";

    public static async Task<LlamaServerBuild> EnsureAsync(
        LocalClaudeHome home, LlamaCppSource source, bool cuda, ProgressLog progress, CancellationToken ct)
    {
        var key = KeyFor(source, cuda);
        var dir = Path.Combine(home.LlamaBuilds, key);
        var manifest = Path.Combine(dir, LlamaServerBuild.ManifestName);
        if (LlamaServerRegistry.TryReadManifest(manifest) is { } cached && File.Exists(cached.Binary))
        {
            progress.Info($"cached: {cached.Binary} ({cached.Version})");
            return cached;
        }
        if (cuda && RunEnvironment.Which("nvcc") is null && !File.Exists("/usr/local/cuda/bin/nvcc"))
            throw new InvalidOperationException("--cuda needs nvcc (the CUDA toolkit) on PATH or in /usr/local/cuda/bin");

        Directory.CreateDirectory(dir);
        var buildDir = Path.Combine(home.Sources, $"build-{key}");
        var log = Path.Combine(dir, "build.log");
        if (File.Exists(log)) File.Delete(log);
        var args = CmakeArguments(cuda);
        var env = new Dictionary<string, string?>();
        if (cuda && RunEnvironment.Which("nvcc") is null) env["PATH"] = "/usr/local/cuda/bin:" + Environment.GetEnvironmentVariable("PATH");
        var jobs = Math.Max(1, Environment.ProcessorCount).ToString();
        var clock = Stopwatch.StartNew();
        try
        {
            progress.Info($"cmake configure ({(cuda ? "CUDA" : "CPU")}); log: {log}");
            await ExternalCommand.RunAsync("cmake", ["-S", source.Directory, "-B", buildDir, .. args],
                new CommandOptions { LogFile = log, Timeout = TimeSpan.FromMinutes(10), Environment = env }, ct);
            progress.Info($"cmake --build --target llama-server -j{jobs} (about 16 min on 2 cores, once per release)");
            using var heartbeat = Heartbeat(progress, log, ct);
            await ExternalCommand.RunAsync("cmake", ["--build", buildDir, "--target", "llama-server", "-j", jobs],
                new CommandOptions { LogFile = log, Timeout = TimeSpan.FromMinutes(cuda ? 120 : 60), Environment = env }, ct);
        }
        catch (ExternalCommandException e)
        {
            throw new InvalidOperationException($"building llama-server {key} failed; full log: {log}\n{e.Tail}", e);
        }

        var built = Path.Combine(buildDir, "bin", "llama-server");
        var binary = Path.Combine(dir, "llama-server");
        File.Copy(built, binary, overwrite: true);
        var build = new LlamaServerBuild
        {
            Key = key,
            Binary = binary,
            NpmVersion = source.NpmVersion,
            ReleaseTag = source.ReleaseTag,
            Commit = source.Commit,
            Flavor = cuda ? "cuda" : "cpu",
            CmakeArguments = args,
            Version = await LlamaServerVersion.ReadAsync(binary, ct),
            ProvisionedAt = DateTimeOffset.UtcNow,
            BuildSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        AtomicFile.WriteAllText(manifest, JsonSerializer.Serialize(build, JsonDefaults.Indented));
        // The object files are large and the binary is static: keep only the binary.
        Directory.Delete(buildDir, recursive: true);
        return build;
    }

    /// <summary>Prints the build's last progress line every minute so a long build is visibly alive.</summary>
    private static IDisposable Heartbeat(ProgressLog progress, string log, CancellationToken ct) =>
        new Timer(_ =>
        {
            try
            {
                var last = File.ReadLines(log).LastOrDefault(l => l.StartsWith('[')) ?? "";
                if (!ct.IsCancellationRequested) progress.Info($"building... {last}");
            }
            catch (IOException) { }
        }, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
}
