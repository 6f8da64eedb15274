using System.Security.Cryptography;
using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>The tiny random-weights models the project writes itself so that everything runs on CPU.</summary>
public static class GeneratedModels
{
    /// <summary>MODEL names in models.conf that mean "a model setup generates", by preset.</summary>
    public static readonly IReadOnlyDictionary<string, string> ByName = new Dictionary<string, string>
    {
        ["default"] = "tiny-qwen3.gguf",
        ["default-thinking"] = "tiny-qwen3-thinking.gguf",
    };

    public static bool IsGenerated(string modelValue) => ByName.ContainsKey(modelValue);

    public static string PathFor(LocalClaudeHome home, string name) =>
        Path.Combine(home.Models, ByName[name]);

    /// <summary>Writes each preset from the llama.cpp source's vocab and templates (skipped when already there).</summary>
    public static async Task<IReadOnlyList<(string Name, string Path, string Sha256)>> EnsureAsync(
        LocalClaudeHome home, LlamaCppSource source, ProgressLog progress, CancellationToken ct)
    {
        var written = new List<(string, string, string)>();
        foreach (var (name, preset) in ByName)
        {
            ct.ThrowIfCancellationRequested();
            var path = PathFor(home, name);
            if (!File.Exists(path))
            {
                progress.Info($"writing {name} model: {path}");
                home.Ensure(home.Models);
                throw new NotImplementedException("GGUF writer pending");
            }
            written.Add((name, path, await Sha256Async(path, ct)));
        }
        return written;
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}
