using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalClaude.Traffic;

/// <summary>How fixture files are written: indented, readable (no \u escapes for non-ASCII or HTML characters), nulls left out.</summary>
public static class FixtureJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Request bodies as they go on the wire: compact, the same escaping (the relay's own options).</summary>
    public static readonly JsonSerializerOptions Wire = Relay.WireJson.Options;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options).Replace("\r\n", "\n") + "\n";
}
