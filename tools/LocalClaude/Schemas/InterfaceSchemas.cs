using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using LocalClaude.Agents;
using LocalClaude.Reporting;
using LocalClaude.Results;
using LocalClaude.Traffic;

namespace LocalClaude.Schemas;

/// <summary>One file the suite writes or reads as an interface, the type behind it and the options it is (de)serialised with.</summary>
public sealed record InterfaceSchema(string FileName, string Title, Type Type, JsonSerializerOptions Options)
{
    /// <summary>The committed schema's path under the repository.</summary>
    public string PathIn(string repoRoot) => Path.Combine(repoRoot, InterfaceSchemas.Folder, FileName);

    /// <summary>Whether <paramref name="folder"/> holds this schema as the type generates it now.</summary>
    public bool IsCurrentIn(string folder) =>
        File.Exists(Path.Combine(folder, FileName)) && File.ReadAllText(Path.Combine(folder, FileName)) == InterfaceSchemas.Generate(this);
}

/// <summary>
/// JSON Schemas for the result file, report.json, gate.json, task.json and a traffic manifest.json, generated from
/// the C# types with System.Text.Json's exporter and committed under <c>schemas/</c> for CI systems and other tools.
/// Regenerate with <c>tools/localclaude schemas --write</c>.
/// </summary>
public static class InterfaceSchemas
{
    public const string Folder = "schemas";
    public const string RegenerateCommand = "tools/localclaude schemas --write";

    public static IReadOnlyList<InterfaceSchema> All { get; } =
    [
        new("result.schema.json", "LocalClaude result file (reports/results/*.json)", typeof(ResultFile), ResultFile.Json),
        new("report.schema.json", "LocalClaude report.json", typeof(CompatibilityReport), CompatibilityReport.Json),
        new("gate.schema.json", "LocalClaude gate.json", typeof(GateResult), CompatibilityReport.Json),
        new("task.schema.json", "LocalClaude E2E task (fixtures/tasks/*/task.json)", typeof(TaskDefinition), TaskDefinition.Json),
        new("manifest.schema.json", "LocalClaude traffic fixture manifest (fixtures/traffic/*/manifest.json)", typeof(TrafficManifest), FixtureJson.Options),
    ];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The schema as committed: draft 2020-12, a title, LF line ends and a final newline.</summary>
    public static string Generate(InterfaceSchema schema)
    {
        var exporter = new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = Tighten };
        // A copy: the same settings, with the default resolver an options instance gets on its first use.
        var options = new JsonSerializerOptions(schema.Options) { TypeInfoResolver = schema.Options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver() };
        var node = options.GetJsonSchemaAsNode(schema.Type, exporter);
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"https://localclaude.invalid/{Folder}/{schema.FileName}",
            ["title"] = schema.Title,
        };
        foreach (var (key, value) in node.AsObject().ToList())
        {
            node.AsObject().Remove(key);
            root[key] = value;
        }
        return root.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>Writes every schema into <paramref name="folder"/> (the repository's schemas/); returns the files written.</summary>
    public static IReadOnlyList<string> Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var schema in All)
        {
            var path = Path.Combine(folder, schema.FileName);
            Infrastructure.AtomicFile.WriteAllText(path, Generate(schema));
            written.Add(path);
        }
        return written;
    }

    /// <summary>
    /// Required: what a reader cannot do without, i.e. C# <c>required</c> members and constructor parameters without a
    /// default, unless the value may be null (the suite leaves nulls out). The exporter's own list misses the
    /// constructor parameters and names nullable ones that a written file leaves out.
    /// </summary>
    private static JsonNode Tighten(JsonSchemaExporterContext context, JsonNode node)
    {
        NumbersAsNumbers(node);
        if (context.PropertyInfo is not null || node is not JsonObject obj || obj["properties"] is not JsonObject properties) return node;
        var required = context.TypeInfo.Properties
            .Where(p => properties.ContainsKey(p.Name))
            // System.Text.Json itself refuses a file without a C# required member.
            .Where(p => p.IsRequired || p.AssociatedParameter is { HasDefaultValue: false } && !AdmitsNull(properties[p.Name]))
            .Select(p => (JsonNode)p.Name)
            .ToArray();
        obj.Remove("required");
        if (required.Length > 0) obj["required"] = new JsonArray(required);
        return node;
    }

    /// <summary>
    /// The web defaults read numbers from strings too, so the exporter allows <c>"5"</c>; the suite writes numbers,
    /// and another tool should too.
    /// </summary>
    private static void NumbersAsNumbers(JsonNode node)
    {
        if (node is not JsonObject obj || obj["type"] is not JsonArray types || obj["pattern"] is null) return;
        var names = types.Select(t => t!.GetValue<string>()).ToList();
        if (!names.Contains("string") || !(names.Contains("integer") || names.Contains("number"))) return;
        names.Remove("string");
        obj.Remove("pattern");
        obj["type"] = names.Count == 1 ? names[0] : new JsonArray([.. names.Select(n => (JsonNode)n)]);
    }

    private static bool AdmitsNull(JsonNode? property) => property switch
    {
        JsonObject o when o["type"] is JsonValue t => t.GetValue<string>() == "null",
        JsonObject o when o["type"] is JsonArray types => types.Any(t => t?.GetValue<string>() == "null"),
        // A reference or a schema without a type (any value) is left optional.
        _ => true,
    };
}
