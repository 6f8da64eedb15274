using System.Text.Json;

namespace LocalClaude.Protocol;

/// <summary>Small tolerant accessors: the validators must read broken JSON without throwing.</summary>
internal static class JsonRead
{
    public static bool TryProperty(this JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    public static bool Has(this JsonElement element, string name) => element.TryProperty(name, out _);

    /// <summary>The property when it is a string; null when absent, null or another type.</summary>
    public static string? String(this JsonElement element, string name) =>
        element.TryProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool IsString(this JsonElement element, string name) =>
        element.TryProperty(name, out var value) && value.ValueKind == JsonValueKind.String;

    public static bool IsObject(this JsonElement element, string name) =>
        element.TryProperty(name, out var value) && value.ValueKind == JsonValueKind.Object;

    public static bool IsNullOrAbsent(this JsonElement element, string name) =>
        !element.TryProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;

    /// <summary>A non-negative integer property, else null.</summary>
    public static int? Index(this JsonElement element, string name) =>
        element.TryProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0
            ? number
            : null;

    public static string Kind(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    public static bool TryParse(string text, out JsonDocument? document, out string? error)
    {
        try
        {
            document = JsonDocument.Parse(text);
            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            document = null;
            error = exception.Message;
            return false;
        }
    }

    public static string Shorten(string text, int max = 80)
    {
        var oneLine = text.ReplaceLineEndings("\\n");
        return oneLine.Length <= max ? oneLine : oneLine[..max] + "…";
    }
}
