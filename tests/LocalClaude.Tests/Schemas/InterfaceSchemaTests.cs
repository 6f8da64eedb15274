using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using LocalClaude.Infrastructure;
using LocalClaude.Reporting;
using LocalClaude.Schemas;

namespace LocalClaude.Tests.Schemas;

/// <summary>
/// The committed schemas under schemas/ are what the C# types generate now, every committed example of each kind
/// validates against its schema (with JsonSchema.Net, an independent validator), and a broken example does not.
/// </summary>
public sealed class InterfaceSchemaTests(ITestOutputHelper output)
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);

    public static TheoryData<string> SchemaFiles() => [.. InterfaceSchemas.All.Select(s => s.FileName)];

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public void The_committed_schema_is_what_the_types_generate(string fileName)
    {
        var schema = InterfaceSchemas.All.Single(s => s.FileName == fileName);
        File.Exists(schema.PathIn(Repo.Root)).Should().BeTrue($"{InterfaceSchemas.Folder}/{fileName} is missing: run {InterfaceSchemas.RegenerateCommand}");
        schema.IsCurrentIn(Path.Combine(Repo.Root, InterfaceSchemas.Folder)).Should().BeTrue($"{InterfaceSchemas.Folder}/{fileName} differs from what {schema.Type.Name} generates now: run {InterfaceSchemas.RegenerateCommand} and commit the result");
    }

    /// <summary>Every committed file of an interface kind, relative to the repository, with the schema it must meet.</summary>
    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.Root, "reports"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repo.Root, file), ReportsKind(file));
        foreach (var task in Directory.EnumerateFiles(Path.Combine(Repo.Root, "fixtures", "tasks"), "task.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repo.Root, task), "task.schema.json");
        foreach (var manifest in Directory.EnumerateFiles(Path.Combine(Repo.Root, "fixtures", "traffic"), "manifest.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repo.Root, manifest), "manifest.schema.json");
        return data;
    }

    /// <summary>Which schema a JSON file under reports/ must meet; one of no known kind is named, so it gets a schema.</summary>
    private static string ReportsKind(string file) => Path.GetFileName(file) switch
    {
        "gate.json" => "gate.schema.json",
        CompatibilityReport.FileName => "report.schema.json",
        _ when JsonNode.Parse(File.ReadAllText(file)) is JsonObject o && o.ContainsKey("kind") && o.ContainsKey("run") => "result.schema.json",
        _ => $"(no schema for {Path.GetFileName(file)})",
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_committed_example_meets_its_schema(string file, string schemaFile)
    {
        schemaFile.EndsWith(".schema.json", StringComparison.Ordinal).Should().BeTrue($"{file}: {schemaFile}: give its kind a schema in {nameof(InterfaceSchemas)}");
        AssertValid(schemaFile, File.ReadAllText(Path.Combine(Repo.Root, file)), file);
    }

    [Fact]
    public void There_are_examples_of_every_kind_but_report()
    {
        var kinds = Examples().Select(row => (string)row.Data.Item2).ToHashSet();
        Assert.Superset(new HashSet<string> { "result.schema.json", "gate.schema.json", "task.schema.json", "manifest.schema.json" }, kinds);
    }

    [Fact]
    public void A_report_built_from_committed_result_files_meets_its_schema()
    {
        // No report.json is committed (reports/ keeps gate runs); build one as the report command does.
        var set = ResultFileSet.Load([Path.Combine(Repo.Root, "reports", "gate-demo", "candidate")]);
        var report = CompatibilityReportBuilder.Build(set.Files, DateTimeOffset.UnixEpoch, warnings: set.Warnings);
        AssertValid("report.schema.json", report.ToJson(), "a report of reports/gate-demo/candidate");
    }

    public static TheoryData<string, string, string> BrokenExamples() => new()
    {
        // file, JSON path of the property, what is done to it
        { "fixtures/tasks/answer-port/task.json", "timeout_seconds", "wrong-type" },
        { "fixtures/tasks/answer-port/task.json", "id", "missing" },
        { "fixtures/traffic/model-haiku/manifest.json", "requestCount", "wrong-type" },
        { "fixtures/traffic/model-haiku/manifest.json", "name", "missing" },
        { "reports/gate-demo/candidate/cpu-tiny.conformance.json", "run", "missing" },
        { "reports/gate-demo/candidate/cpu-tiny.conformance.json", "schema", "wrong-type" },
        { "reports/gate-demo/gate.json", "profile", "missing" },
    };

    [Theory]
    [MemberData(nameof(BrokenExamples))]
    public void A_broken_example_is_rejected(string file, string property, string breakage)
    {
        var schemaFile = Examples().Single(row => (string)row.Data.Item1 == file).Data.Item2;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, file)))!.AsObject();
        json.ContainsKey(property).Should().BeTrue($"{file} has no '{property}' to break");
        // The unbroken file passes, so the rejection below is the breakage's doing.
        Evaluate(schemaFile, json.ToJsonString()).IsValid.Should().BeTrue();
        if (breakage == "missing") json.Remove(property);
        else json[property] = json[property] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? 42 : "not the right type";
        var result = Evaluate(schemaFile, json.ToJsonString());
        output.WriteLine(Describe(result));
        result.IsValid.Should().BeFalse($"{file} with '{property}' {breakage} was accepted by {schemaFile}");
    }

    private void AssertValid(string schemaFile, string json, string what)
    {
        var result = Evaluate(schemaFile, json);
        result.IsValid.Should().BeTrue($"{what} does not meet {InterfaceSchemas.Folder}/{schemaFile}:\n{Describe(result)}");
    }

    private static EvaluationResults Evaluate(string schemaFile, string json)
    {
        // A registry of its own: the schemas' $ids would otherwise collide in the global one across tests.
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Repo.Root, InterfaceSchemas.Folder, schemaFile)),
            new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        using var document = JsonDocument.Parse(json);
        return schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults result) =>
        string.Join('\n', (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"  {d.InstanceLocation}: {e.Key}: {e.Value}")).Take(20));
}
