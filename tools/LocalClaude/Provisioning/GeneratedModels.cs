using System.Security.Cryptography;
using LocalClaude.Gguf;
using LocalClaude.Infrastructure;

namespace LocalClaude.Provisioning;

/// <summary>The tiny random-weights models the project writes itself so that everything runs on CPU.</summary>
public static class GeneratedModels
{
    /// <summary>MODEL values in models.conf that mean "a model setup generates".</summary>
    public static IEnumerable<string> Names => TinyModelPresets.All.Select(p => p.Id);

    public static bool IsGenerated(string modelValue) => TinyModelPresets.All.Any(p => p.Id == modelValue);

    public static string PathFor(LocalClaudeHome home, string name) =>
        Path.Combine(home.Models, TinyModelPresets.Get(name).FileName);

    /// <summary>Writes each preset from the llama.cpp source's vocab and templates (skipped when already there).</summary>
    public static async Task<IReadOnlyList<(string Name, string Path, string Sha256)>> EnsureAsync(
        LocalClaudeHome home, LlamaCppSource source, ProgressLog progress, CancellationToken ct)
    {
        var written = new List<(string, string, string)>();
        foreach (var preset in TinyModelPresets.All)
        {
            ct.ThrowIfCancellationRequested();
            var path = PathFor(home, preset.Id);
            if (!File.Exists(path))
            {
                progress.Info($"writing {preset.Id} model: {path}");
                home.Ensure(home.Models);
                await Task.Run(() => TinyModel.Write(preset, source.Directory, path), ct);
            }
            written.Add((preset.Id, path, await Sha256Async(path, ct)));
        }
        return written;
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}
