using System.Text.Json.Nodes;

namespace LocalClaude.Tests.ScriptedControls;

/// <summary>
/// Request bodies shaped like Claude Code 2.1.328's (seen in recordings): the environment, with
/// "Primary working directory", arrives as a role:system message (text blocks on the first request, a plain
/// string afterwards); tool rounds are assistant tool_use followed by a user tool_result.
/// </summary>
internal static class ClaudeCodeShapedRequest
{
    public static JsonObject Build(string? workDirectory, int completedToolTurns = 0, bool withTools = true, bool environmentAsString = false)
    {
        var environment = "# Environment\nYou have been invoked in the following environment: \n" +
                          (workDirectory is null ? "" : $" - Primary working directory: {workDirectory}\n") +
                          " - Is a git repository: false\n - Platform: linux\n";
        var messages = new JsonArray
        {
            new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Do the task." }) },
            new JsonObject
            {
                ["role"] = "system",
                ["content"] = environmentAsString
                    ? JsonValue.Create(environment)
                    : new JsonArray(new JsonObject { ["type"] = "text", ["text"] = environment }),
            },
        };
        for (var i = 1; i <= completedToolTurns; i++)
        {
            messages.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = $"Step {i}." },
                    new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{i:D2}", ["name"] = "Bash", ["input"] = new JsonObject { ["command"] = "true" } }),
            });
            messages.Add(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject
                {
                    ["type"] = "tool_result",
                    ["tool_use_id"] = $"toolu_{i:D2}",
                    ["content"] = "",
                    ["is_error"] = false,
                }),
            });
        }
        var body = new JsonObject
        {
            ["model"] = "control",
            ["max_tokens"] = 32000,
            ["stream"] = true,
            ["system"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = "x-anthropic-billing-header: cc_version=2.1.328;" },
                new JsonObject { ["type"] = "text", ["text"] = "You are a Claude agent." }),
            ["messages"] = messages,
        };
        if (withTools)
            body["tools"] = new JsonArray(
                new JsonObject { ["name"] = "Bash", ["input_schema"] = new JsonObject { ["type"] = "object" } },
                new JsonObject { ["name"] = "Write", ["input_schema"] = new JsonObject { ["type"] = "object" } });
        return body;
    }
}
