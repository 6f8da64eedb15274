using System.Text.Json.Nodes;

namespace LocalClaude.ScriptedControls;

/// <summary>
/// Turns a <see cref="ScriptedReply"/> into what the Anthropic Messages API sends: a stream of SSE events
/// (message_start, ping, per block start/delta…/stop with contiguous indices, message_delta, message_stop)
/// or one JSON message for non-streaming requests.
/// </summary>
public static class ScriptedReplyRendering
{
    /// <summary>Text and tool input are split into this many deltas at most, so clients must concatenate.</summary>
    public const int MaxChunksPerBlock = 3;

    public static IReadOnlyList<ServerSentEvent> ToStreamEvents(ScriptedReply reply, string messageId, string model, int inputTokens)
    {
        var events = new List<ServerSentEvent>();
        void Add(string name, JsonObject data)
        {
            // "type" first, as the API sends it; JsonObject keeps insertion order.
            var ordered = new JsonObject { ["type"] = name };
            foreach (var (key, value) in data)
                if (key != "type") ordered[key] = value?.DeepClone();
            events.Add(new ServerSentEvent(name, ordered.ToJsonString()));
        }

        var start = MessageEnvelope(messageId, model, new JsonArray(), stopReason: null, Usage(inputTokens, 1));
        Add("message_start", new JsonObject { ["message"] = start });
        Add("ping", new JsonObject());

        for (var index = 0; index < reply.Blocks.Count; index++)
        {
            switch (reply.Blocks[index])
            {
                case TextReplyBlock text:
                    Add("content_block_start", new JsonObject
                    {
                        ["index"] = index,
                        ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
                    });
                    foreach (var chunk in Split(text.Text, MaxChunksPerBlock))
                        Add("content_block_delta", new JsonObject
                        {
                            ["index"] = index,
                            ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = chunk },
                        });
                    break;
                case ToolUseReplyBlock tool:
                    Add("content_block_start", new JsonObject
                    {
                        ["index"] = index,
                        ["content_block"] = new JsonObject
                        {
                            ["type"] = "tool_use",
                            ["id"] = tool.Id,
                            ["name"] = tool.Name,
                            ["input"] = new JsonObject(),
                        },
                    });
                    foreach (var chunk in Split(tool.InputJson, MaxChunksPerBlock))
                        Add("content_block_delta", new JsonObject
                        {
                            ["index"] = index,
                            ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = chunk },
                        });
                    break;
                default:
                    throw new ArgumentException($"unknown reply block {reply.Blocks[index].GetType().Name}", nameof(reply));
            }
            Add("content_block_stop", new JsonObject { ["index"] = index });
        }

        Add("message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = reply.StopReason, ["stop_sequence"] = null },
            ["usage"] = Usage(inputTokens, OutputTokens(reply)),
        });
        Add("message_stop", new JsonObject());
        return events;
    }

    public static JsonObject ToMessage(ScriptedReply reply, string messageId, string model, int inputTokens)
    {
        var content = new JsonArray();
        foreach (var block in reply.Blocks)
            content.Add(block switch
            {
                TextReplyBlock text => new JsonObject { ["type"] = "text", ["text"] = text.Text },
                ToolUseReplyBlock tool => new JsonObject
                {
                    ["type"] = "tool_use",
                    ["id"] = tool.Id,
                    ["name"] = tool.Name,
                    ["input"] = JsonNode.Parse(tool.InputJson),
                },
                _ => throw new ArgumentException($"unknown reply block {block.GetType().Name}", nameof(reply)),
            });
        return MessageEnvelope(messageId, model, content, reply.StopReason, Usage(inputTokens, OutputTokens(reply)));
    }

    /// <summary>The rough token estimate used everywhere in the controls: characters / 4, at least 1.</summary>
    public static int EstimateTokens(int characters) => Math.Max(1, characters / 4);

    /// <summary>Splits into at most <paramref name="parts"/> non-empty pieces, never inside a surrogate pair.</summary>
    public static IReadOnlyList<string> Split(string text, int parts)
    {
        if (text.Length == 0) return [];
        var size = Math.Max(1, (int)Math.Ceiling(text.Length / (double)parts));
        var pieces = new List<string>();
        for (var at = 0; at < text.Length;)
        {
            var end = Math.Min(text.Length, at + size);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1])) end++;
            pieces.Add(text[at..end]);
            at = end;
        }
        return pieces;
    }

    private static int OutputTokens(ScriptedReply reply) => EstimateTokens(reply.Blocks.Sum(b => b switch
    {
        TextReplyBlock t => t.Text.Length,
        ToolUseReplyBlock u => u.Name.Length + u.InputJson.Length,
        _ => 0,
    }));

    private static JsonObject Usage(int inputTokens, int outputTokens) => new()
    {
        ["input_tokens"] = inputTokens,
        ["cache_creation_input_tokens"] = 0,
        ["cache_read_input_tokens"] = 0,
        ["output_tokens"] = outputTokens,
    };

    private static JsonObject MessageEnvelope(string id, string model, JsonArray content, string? stopReason, JsonObject usage) => new()
    {
        ["id"] = id,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = content,
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = null,
        ["usage"] = usage,
    };
}
