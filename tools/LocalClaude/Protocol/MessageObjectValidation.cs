using System.Text.Json;

namespace LocalClaude.Protocol;

/// <summary>Checks shared by the stream validator (message_start, the aggregate) and the body validator.</summary>
internal static class MessageObjectValidation
{
    /// <summary>id, type, role and model of a message object (message_start's or a body).</summary>
    public static (string? Id, string? Model, string? Role) CheckIdentity(JsonElement message, Action<FindingDefinition, string> report)
    {
        var id = message.String("id");
        if (id is null)
        {
            report(FindingCatalog.MessageMissingField, "message has no string 'id'");
        }
        else if (!id.StartsWith(AnthropicSpec.MessageIdPrefix, StringComparison.Ordinal))
        {
            report(FindingCatalog.MessageIdPrefix, $"message id '{JsonRead.Shorten(id, 40)}' does not start with msg_");
        }

        var type = message.String("type");
        if (type != "message")
        {
            report(FindingCatalog.MessageWrongType, type is null ? "message has no string 'type'" : $"message type is '{type}', not 'message'");
        }

        var role = message.String("role");
        if (role != "assistant")
        {
            report(FindingCatalog.MessageWrongRole, role is null ? "message has no string 'role'" : $"message role is '{role}', not 'assistant'");
        }

        var model = message.String("model");
        if (model is null)
        {
            report(FindingCatalog.MessageMissingField, "message has no string 'model'");
        }

        return (id, model, role);
    }

    /// <summary>Reads a usage object; token counts that are present must be non-negative integers.</summary>
    public static MessageUsage ReadUsage(JsonElement usage, Action<FindingDefinition, string> report)
    {
        return new MessageUsage(
            Count("input_tokens"),
            Count("output_tokens"),
            Count("cache_creation_input_tokens"),
            Count("cache_read_input_tokens"));

        long? Count(string name)
        {
            if (!usage.TryProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0)
            {
                return count;
            }

            report(FindingCatalog.MessageUsageInvalid, $"usage.{name} is {JsonRead.Shorten(value.GetRawText(), 30)}, not a non-negative integer");
            return null;
        }
    }

    /// <summary>id and name of a tool block, and the id prefix.</summary>
    public static void CheckToolIdentity(JsonElement block, string blockType, int index, Action<FindingDefinition, string> report)
    {
        var id = block.String("id");
        if (id is null)
        {
            report(FindingCatalog.MessageBlockShape, $"{blockType} block {index} has no string 'id'");
        }
        else if (AnthropicSpec.ToolIdPrefix(blockType) is { } prefix && !id.StartsWith(prefix, StringComparison.Ordinal))
        {
            report(FindingCatalog.MessageToolIdPrefix, $"{blockType} block {index} id '{JsonRead.Shorten(id, 40)}' does not start with {prefix}");
        }

        if (block.String("name") is null)
        {
            report(FindingCatalog.MessageBlockShape, $"{blockType} block {index} has no string 'name'");
        }
    }

    public static void CheckSignature(AggregatedThinkingBlock block, Action<FindingDefinition, string> report)
    {
        if (string.IsNullOrEmpty(block.Signature))
        {
            report(FindingCatalog.MessageThinkingSignatureMissing, block.Signature is null
                ? $"thinking block {block.Index} has no signature"
                : $"thinking block {block.Index} has an empty signature");
        }
    }

    /// <summary>Consistency of a finished message: stop_reason, stop_sequence, tool use, content.</summary>
    public static void CheckFinished(AggregatedMessage message, Action<FindingDefinition, string> report)
    {
        var stopReason = message.StopReason;
        if (stopReason is null)
        {
            report(FindingCatalog.MessageStopReasonMissing, "the finished message has no stop_reason");
        }
        else if (!AnthropicSpec.StopReasons.Contains(stopReason))
        {
            report(FindingCatalog.MessageStopReasonUnknown, $"stop_reason '{JsonRead.Shorten(stopReason, 40)}' is not an Anthropic stop reason");
        }

        if (stopReason == "stop_sequence" && string.IsNullOrEmpty(message.StopSequence))
        {
            report(FindingCatalog.MessageStopSequenceMissing, "stop_reason is stop_sequence but stop_sequence is not set");
        }
        else if (stopReason is not null && stopReason != "stop_sequence" && message.StopSequence is not null)
        {
            report(FindingCatalog.MessageStopSequenceUnexpected,
                $"stop_sequence is '{JsonRead.Shorten(message.StopSequence, 40)}' while stop_reason is {stopReason}");
        }

        var hasToolUse = message.Content.Any(block => block.Type == "tool_use");
        if (stopReason == "tool_use" && !hasToolUse)
        {
            report(FindingCatalog.MessageToolUseStopWithoutBlock, "stop_reason is tool_use but there is no tool_use block");
        }
        else if (hasToolUse && stopReason is not null && stopReason is not ("tool_use" or "max_tokens"))
        {
            report(FindingCatalog.MessageToolBlockWithoutToolUseStop, $"there is a tool_use block but stop_reason is {stopReason}");
        }

        if (message.Content.Count == 0)
        {
            report(FindingCatalog.MessageNoContent, $"no content block (stop_reason {stopReason ?? "null"})");
        }
    }
}
