using System.Text.Encodings.Web;
using System.Text.Json;

namespace LocalClaude.Relay;

/// <summary>Request bodies as they go on the wire: compact, non-ASCII and HTML characters left unescaped.</summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
