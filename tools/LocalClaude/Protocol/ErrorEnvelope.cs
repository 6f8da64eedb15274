using System.Text.Json;

namespace LocalClaude.Protocol;

/// <summary>What an error body or error event says, and what is wrong with its shape.</summary>
public sealed record ErrorEnvelopeCheck(
    string? ErrorType,
    string? ErrorMessage,
    bool IsOpenAiShaped,
    IReadOnlyList<(FindingDefinition Definition, string Message)> Problems);

/// <summary>
/// Checks Anthropic's error envelope <c>{"type":"error","error":{"type","message"}}</c> and, when the HTTP status is known,
/// whether it fits error.type as Anthropic maps it. llama.cpp's OpenAI-shaped <c>{"error":{"code","message","type"}}</c>
/// is recognised as such (error.openai-shape) and its type and status are still checked.
/// </summary>
public static class ErrorEnvelope
{
    public static ErrorEnvelopeCheck Check(JsonElement body, int? httpStatus)
    {
        var problems = new List<(FindingDefinition, string)>();
        var hasErrorObject = body.TryProperty("error", out var error) && error.ValueKind == JsonValueKind.Object;
        var topType = body.String("type");
        var openAiShaped = hasErrorObject && body.IsNullOrAbsent("type");

        if (openAiShaped)
        {
            problems.Add((FindingCatalog.ErrorOpenAiShape,
                $"OpenAI-shaped error {{\"error\":{{{string.Join(",", error.EnumerateObject().Select(property => $"\"{property.Name}\""))}}}}}"));
        }
        else if (topType != "error")
        {
            problems.Add((FindingCatalog.ErrorEnvelopeShape, topType is null ? "no top-level \"type\":\"error\"" : $"top-level type is '{topType}', not 'error'"));
        }

        if (!hasErrorObject)
        {
            problems.Add((FindingCatalog.ErrorEnvelopeShape, "no 'error' object"));
            return new ErrorEnvelopeCheck(null, null, openAiShaped, problems);
        }

        var errorType = error.String("type");
        var message = error.String("message");
        if (errorType is null || message is null)
        {
            var missing = string.Join(" and ", new[] { errorType is null ? "type" : null, message is null ? "message" : null }.OfType<string>());
            problems.Add((FindingCatalog.ErrorEnvelopeShape, $"error object has no string {missing}"));
        }

        int? expectedStatus = null;
        if (errorType is not null)
        {
            if (AnthropicSpec.ErrorTypeStatus.TryGetValue(errorType, out var status))
            {
                expectedStatus = status;
            }
            else
            {
                problems.Add((FindingCatalog.ErrorUnknownType, $"error type '{JsonRead.Shorten(errorType, 40)}' is not an Anthropic error type"));
            }
        }

        if (httpStatus is { } actual)
        {
            if (actual is >= 200 and < 300)
            {
                problems.Add((FindingCatalog.HttpUnexpectedStatus, $"an error body with HTTP {actual}"));
            }
            else if (expectedStatus is { } expected && expected != actual)
            {
                problems.Add((FindingCatalog.ErrorStatusMismatch, $"HTTP {actual} with error type {errorType}, which Anthropic sends with {expected}"));
            }
            else if (expectedStatus is null && errorType is not null && !AnthropicSpec.ErrorTypeStatus.Values.Contains(actual))
            {
                problems.Add((FindingCatalog.ErrorStatusMismatch, $"HTTP {actual} is not a status Anthropic's API answers with"));
            }
        }

        return new ErrorEnvelopeCheck(errorType, message, openAiShaped, problems);
    }
}
