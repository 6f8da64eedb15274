using LocalClaude.Provisioning;
using LocalClaude.Reporting;

namespace LocalClaude.Pipeline;

/// <summary>One side of the gate as the user named it.</summary>
public abstract record GateSource(string Spec)
{
    /// <summary>An earlier <c>report.json</c> (or a folder holding one).</summary>
    public sealed record Report(string Spec, string Path) : GateSource(Spec);

    /// <summary>Result files already made (a folder of them, or one file).</summary>
    public sealed record Results(string Spec, string Path) : GateSource(Spec);

    /// <summary>A llama-server build the producers run on.</summary>
    public sealed record Build(string Spec, string Binary) : GateSource(Spec);
}

/// <summary>
/// Reads a <c>--baseline</c>/<c>--candidate</c> value: an existing report.json, result file or folder first; otherwise a
/// llama-server build as profiles name them (<c>default</c>, <c>npm:VERSION</c>, a registered name, a binary path).
/// </summary>
public static class GateSourceResolver
{
    public static GateSource Resolve(string spec, LlamaServerRegistry registry)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("empty --baseline/--candidate");
        if (Directory.Exists(spec))
        {
            var report = Path.Combine(spec, CompatibilityReport.FileName);
            return File.Exists(report) ? new GateSource.Report(spec, Path.GetFullPath(report)) : new GateSource.Results(spec, Path.GetFullPath(spec));
        }
        if (File.Exists(spec) && spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ResultFileSet.LooksLikeResultFile(spec) ? new GateSource.Results(spec, Path.GetFullPath(spec)) : new GateSource.Report(spec, Path.GetFullPath(spec));
        if (spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new FileNotFoundException($"no such report or result file: {spec}");
        var binary = registry.Resolve(spec);
        if (!File.Exists(binary)) throw new FileNotFoundException($"'{spec}': llama-server binary not found: {binary}");
        return new GateSource.Build(spec, binary);
    }
}
