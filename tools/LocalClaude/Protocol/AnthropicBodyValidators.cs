using System.Text.Json;

namespace LocalClaude.Protocol;

/// <summary>What validating a non-streaming message body produced; <see cref="Message"/> is null when the body is not a JSON object.</summary>
public sealed record MessageBodyValidationResult(IReadOnlyList<Finding> Findings, AggregatedMessage? Message)
{
    public bool HasBlockingFindings => Findings.Any(finding => finding.IsBlocking);
}

/// <summary>What validating an error body produced.</summary>
public sealed record ErrorBodyValidationResult(IReadOnlyList<Finding> Findings, string? ErrorType, string? ErrorMessage, bool IsOpenAiShaped)
{
    public bool HasBlockingFindings => Findings.Any(finding => finding.IsBlocking);
}

/// <summary>The non-streaming counterpart of <see cref="AnthropicStreamValidator"/>: the same IDs for the same problems.</summary>
public static class AnthropicMessageValidator
{
    public static MessageBodyValidationResult Validate(string json, int? httpStatus = null)
    {
        if (!JsonRead.TryParse(json, out var document, out var error))
        {
            return new MessageBodyValidationResult([FindingCatalog.BodyNotJson.Whole($"the body is not JSON ({error})")], null);
        }

        using (document)
        {
            return Validate(document!.RootElement, httpStatus);
        }
    }

    public static MessageBodyValidationResult Validate(JsonElement body, int? httpStatus = null)
    {
        var findings = new List<Finding>();
        void Report(FindingDefinition definition, string message) => findings.Add(definition.Whole(message));

        if (httpStatus is { } status && status is < 200 or >= 300)
        {
            Report(FindingCatalog.HttpUnexpectedStatus, $"a message body with HTTP {status}");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            Report(FindingCatalog.BodyNotObject, $"the body is {body.Kind()}, not an object");
            return new MessageBodyValidationResult(findings, null);
        }

        var (id, model, role) = MessageObjectValidation.CheckIdentity(body, Report);
        var content = new List<AggregatedBlock>();
        if (!body.TryProperty("content", out var blocks) || blocks.ValueKind != JsonValueKind.Array)
        {
            Report(FindingCatalog.MessageMissingField, "the message has no 'content' array");
        }
        else
        {
            var index = 0;
            foreach (var block in blocks.EnumerateArray())
            {
                if (ReadBlock(block, index, Report) is { } aggregated)
                {
                    content.Add(aggregated);
                }

                index++;
            }
        }

        var usage = MessageUsage.None;
        if (!body.TryProperty("usage", out var usageJson) || usageJson.ValueKind != JsonValueKind.Object)
        {
            Report(FindingCatalog.MessageMissingField, "the message has no 'usage' object");
        }
        else
        {
            usage = MessageObjectValidation.ReadUsage(usageJson, Report);
            if (usageJson.IsNullOrAbsent("input_tokens"))
            {
                Report(FindingCatalog.MessageUsageMissingInputTokens, "usage has no input_tokens");
            }

            if (usageJson.IsNullOrAbsent("output_tokens"))
            {
                Report(FindingCatalog.MessageUsageMissingOutputTokens, "usage has no output_tokens");
            }
        }

        var stopReason = body.TryProperty("stop_reason", out var reason) && reason.ValueKind != JsonValueKind.Null
            ? reason.ValueKind == JsonValueKind.String ? reason.GetString() : reason.GetRawText()
            : null;
        var message = new AggregatedMessage(id, model, role, content, stopReason, body.String("stop_sequence"), usage);
        MessageObjectValidation.CheckFinished(message, Report);
        return new MessageBodyValidationResult(findings, message);
    }

    private static AggregatedBlock? ReadBlock(JsonElement block, int index, Action<FindingDefinition, string> report)
    {
        if (block.String("type") is not { } type)
        {
            report(FindingCatalog.MessageBlockShape, $"content[{index}] is not an object with a string 'type'");
            return null;
        }

        switch (type)
        {
            case "text":
                if (block.String("text") is { } text)
                {
                    return new AggregatedTextBlock(index, text);
                }

                report(FindingCatalog.MessageBlockShape, $"text block {index} has no string 'text'");
                return null;
            case "thinking":
                if (block.String("thinking") is not { } thinking)
                {
                    report(FindingCatalog.MessageBlockShape, $"thinking block {index} has no string 'thinking'");
                    return null;
                }

                var thinkingBlock = new AggregatedThinkingBlock(index, thinking, block.String("signature"));
                MessageObjectValidation.CheckSignature(thinkingBlock, report);
                return thinkingBlock;
            case "redacted_thinking":
                if (block.String("data") is { } data)
                {
                    return new AggregatedRedactedThinkingBlock(index, data);
                }

                report(FindingCatalog.MessageBlockShape, $"redacted_thinking block {index} has no string 'data'");
                return null;
            case var tool when AnthropicSpec.ToolBlockTypes.Contains(tool):
                MessageObjectValidation.CheckToolIdentity(block, tool, index, report);
                if (!block.TryProperty("input", out var input))
                {
                    report(FindingCatalog.MessageBlockShape, $"{tool} block {index} has no 'input'");
                    return new AggregatedToolUseBlock(index, tool, block.String("id"), block.String("name"), null, "");
                }

                if (input.ValueKind != JsonValueKind.Object)
                {
                    report(FindingCatalog.MessageToolInputNotObject, $"{tool} block {index}: input is {input.Kind()}, not an object");
                }

                return new AggregatedToolUseBlock(index, tool, block.String("id"), block.String("name"),
                    input.ValueKind == JsonValueKind.Object ? input.Clone() : null, input.GetRawText());
            default:
                if (!AnthropicSpec.BlockTypes.Contains(type))
                {
                    report(FindingCatalog.MessageUnknownBlockType, $"block {index} has unknown type '{JsonRead.Shorten(type, 40)}'");
                }

                return new AggregatedOtherBlock(index, type, block.Clone());
        }
    }
}

/// <summary>Validates error bodies; with the HTTP status when it is known (a raw HTTP capture, a live response).</summary>
public static class AnthropicErrorValidator
{
    public static ErrorBodyValidationResult Validate(string json, int? httpStatus = null)
    {
        if (!JsonRead.TryParse(json, out var document, out var error))
        {
            return new ErrorBodyValidationResult([FindingCatalog.BodyNotJson.Whole($"the body is not JSON ({error})")], null, null, false);
        }

        using (document)
        {
            return Validate(document!.RootElement, httpStatus);
        }
    }

    public static ErrorBodyValidationResult Validate(JsonElement body, int? httpStatus = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return new ErrorBodyValidationResult([FindingCatalog.BodyNotObject.Whole($"the body is {body.Kind()}, not an object")], null, null, false);
        }

        var check = ErrorEnvelope.Check(body, httpStatus);
        var findings = check.Problems.Select(problem => problem.Definition.Whole(problem.Message)).ToArray();
        return new ErrorBodyValidationResult(findings, check.ErrorType, check.ErrorMessage, check.IsOpenAiShaped);
    }
}
