using System.Text.Json.Nodes;
using LocalClaude.ScriptedControls;

namespace LocalClaude.Traffic;

/// <summary>
/// The scripted control backends a recording can use as its upstream (<c>--upstream control:NAME</c>). They are not
/// models: they exist to make Claude Code send requests a random-weights model never provokes (tool rounds).
/// </summary>
public static class RecordingControls
{
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        ["tool-round"] = "answers the first main-loop request with Bash {\"command\":\"ls\"}, then a final text (ScriptedControls.ToolRoundScript)",
        ["read-write"] = "answers with Write {notes.txt}, then Read {notes.txt}, then a final text",
        ["no-op"] = "answers every request with one short text and end_turn (ScriptedControls.NoOpScript): one request per turn, a benign history",
    };

    /// <summary>The script named <paramref name="name"/>; <paramref name="workDirectory"/> is where Claude Code runs (file tools need absolute paths).</summary>
    public static IControlScript Create(string name, string workDirectory) => name switch
    {
        "tool-round" => new ToolRoundScript(),
        "read-write" => new ReadWriteScript(workDirectory),
        "no-op" => new NoOpScript("OK."),
        _ => throw new ArgumentException($"unknown control '{name}'; known: {string.Join(", ", Descriptions.Keys)}"),
    };
}

/// <summary>CONTROL: one Write, then one Read of the same file, then a final text; background calls get a plain text.</summary>
public sealed class ReadWriteScript(string workDirectory) : IControlScript
{
    public const string FileName = "notes.txt";
    public const string Content = "LocalClaude recording: written by the Write tool.\n";

    public string Name => "read-write";

    public ScriptedReply Reply(ScriptedRequest request)
    {
        if (!request.HasTools) return ScriptedReply.Text("Control");
        var path = Path.Combine(request.WorkingDirectory ?? workDirectory, FileName);
        return request.CompletedToolTurns switch
        {
            0 => ScriptedReply.ToolCall("I will write the file.", ToolUseReplyBlock.Create("toolu_control_write_01", "Write",
                new JsonObject { ["file_path"] = path, ["content"] = Content })),
            1 => ScriptedReply.ToolCall("Now I read it back.", ToolUseReplyBlock.Create("toolu_control_read_01", "Read",
                new JsonObject { ["file_path"] = path })),
            _ => ScriptedReply.Text("The file is written and read back."),
        };
    }
}
