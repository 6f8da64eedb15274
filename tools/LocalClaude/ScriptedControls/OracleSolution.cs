using System.Text.Json.Nodes;

namespace LocalClaude.ScriptedControls;

/// <summary>One tool call of a task's oracle solution, as Claude Code's tool would receive it.</summary>
/// <param name="Tool">Claude Code tool name: Write, Edit, Bash, Read…</param>
/// <param name="InputJson">The tool input as JSON text; may contain <see cref="OracleSolution.WorkDirPlaceholder"/>.</param>
public sealed record OracleStep(string Tool, string InputJson)
{
    /// <summary>The input with the work dir placeholder replaced in every string value.</summary>
    public JsonObject InputFor(string workDirectory)
    {
        var input = JsonNode.Parse(InputJson) as JsonObject
                    ?? throw new InvalidOperationException($"oracle step {Tool}: input is not a JSON object");
        return (JsonObject)Substitute(input, OracleSolution.NormaliseWorkDirectory(workDirectory))!;
    }

    private static JsonNode? Substitute(JsonNode? node, string workDirectory) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Substitute(p.Value, workDirectory)))),
        JsonArray array => new JsonArray(array.Select(n => Substitute(n, workDirectory)).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var s) => JsonValue.Create(OracleSolution.Expand(s, workDirectory)),
        _ => node?.DeepClone(),
    };
}

/// <summary>A task's scripted solution (<c>oracle.json</c>): tool calls in order, then the final answer.</summary>
public sealed record OracleSolution(IReadOnlyList<OracleStep> Steps, string FinalText)
{
    /// <summary>Stands for the absolute work dir, which is only known when Claude Code runs.</summary>
    public const string WorkDirPlaceholder = "{{WORKDIR}}";

    public string FinalTextFor(string workDirectory) => Expand(FinalText, NormaliseWorkDirectory(workDirectory));

    internal static string Expand(string text, string workDirectory) => text.Replace(WorkDirPlaceholder, workDirectory);

    internal static string NormaliseWorkDirectory(string workDirectory) =>
        workDirectory.Length > 1 ? workDirectory.TrimEnd('/') : workDirectory;
}
