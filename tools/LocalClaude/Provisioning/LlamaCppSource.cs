using System.Text.Json;
using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>A llama.cpp source tree taken from the git bundle that an npm release of node-llama-cpp ships.</summary>
public sealed record LlamaCppSource(string NpmVersion, string ReleaseTag, string Commit, string Directory)
{
    public const string PinnedNpmVersion = "3.22.1";

    public string TemplatesDirectory => Path.Combine(Directory, "models", "templates");
    public string VocabFile(string name) => Path.Combine(Directory, "models", $"ggml-vocab-{name}.gguf");

    /// <summary>Unpacks (once) node-llama-cpp@<paramref name="npmVersion"/> and clones its llama.cpp bundle.</summary>
    public static async Task<LlamaCppSource> EnsureAsync(LocalClaudeHome home, string npmVersion, ProgressLog progress, CancellationToken ct)
    {
        ValidateNpmVersion(npmVersion);
        var root = home.Ensure(Path.Combine(home.Sources, $"node-llama-cpp-{npmVersion}"));
        var tree = Path.Combine(root, "llama.cpp");
        var infoFile = Path.Combine(root, "source.json");
        if (File.Exists(infoFile) && System.IO.Directory.Exists(Path.Combine(tree, ".git")))
        {
            var cached = JsonSerializer.Deserialize<LlamaCppSource>(File.ReadAllText(infoFile), JsonDefaults.Indented);
            if (cached is { ReleaseTag.Length: > 0, Commit.Length: > 0 }) return cached with { Directory = tree };
        }

        var log = Path.Combine(root, "fetch.log");
        var package = Path.Combine(root, "package");
        if (!File.Exists(Path.Combine(package, "llama", "gitRelease.bundle")))
        {
            progress.Info($"npm pack node-llama-cpp@{npmVersion}");
            var packed = await ExternalCommand.RunAsync("npm",
                ["pack", $"node-llama-cpp@{npmVersion}", "--silent", "--pack-destination", root],
                new CommandOptions { WorkingDirectory = root, LogFile = log, Timeout = TimeSpan.FromMinutes(10) }, ct);
            var tarball = Path.Combine(root, packed.StandardOutput.Trim().Split('\n').Last().Trim());
            if (System.IO.Directory.Exists(package)) System.IO.Directory.Delete(package, recursive: true);
            await ExternalCommand.RunAsync("tar", ["xzf", tarball, "-C", root, "package/llama"],
                new CommandOptions { LogFile = log, Timeout = TimeSpan.FromMinutes(5) }, ct);
            File.Delete(tarball);
        }

        var tag = ReadReleaseTag(Path.Combine(package, "llama", "llama.cpp.info.json"));
        if (System.IO.Directory.Exists(tree)) System.IO.Directory.Delete(tree, recursive: true);
        progress.Info($"git clone llama.cpp {tag} from the npm bundle");
        await ExternalCommand.RunAsync("git", ["clone", "--quiet", Path.Combine(package, "llama", "gitRelease.bundle"), tree],
            new CommandOptions { LogFile = log, Timeout = TimeSpan.FromMinutes(10) }, ct);
        var commit = (await ExternalCommand.RunAsync("git", ["-C", tree, "rev-parse", "--short=7", "HEAD"],
            new CommandOptions { Timeout = TimeSpan.FromMinutes(1) }, ct)).StandardOutput.Trim();

        var source = new LlamaCppSource(npmVersion, tag, commit, tree);
        AtomicFile.WriteAllText(infoFile, JsonSerializer.Serialize(source, JsonDefaults.Indented));
        // The bundle is no longer needed once cloned; the tree is what later builds use.
        System.IO.Directory.Delete(package, recursive: true);
        return source;
    }

    private static string ReadReleaseTag(string infoJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(infoJson));
        return doc.RootElement.GetProperty("tag").GetString()
            ?? throw new InvalidDataException($"{infoJson}: no 'tag'");
    }

    public static void ValidateNpmVersion(string version)
    {
        if (version.Length == 0 || !version.All(c => char.IsAsciiDigit(c) || c is '.' or '-' || char.IsAsciiLetter(c)))
            throw new ArgumentException($"'{version}' is not an npm version of node-llama-cpp (e.g. {PinnedNpmVersion})");
    }
}
