using System.IO.Compression;

namespace LocalClaude.Relay;

/// <summary>Undoing an HTTP Content-Encoding for a recording (the proxy's request bodies, a HAR file's bodies).</summary>
public static class ContentEncodings
{
    /// <summary>More than any Claude Code request or answer; a body that inflates past it is refused, not buffered.</summary>
    public const int MaxDecodedBytes = 256 * 1024 * 1024;

    /// <summary>Whether <paramref name="contentEncoding"/> is one this class can undo.</summary>
    public static bool CanDecode(string? contentEncoding) => DecoderFor(contentEncoding) is not null;

    /// <summary>The decoded bytes, or <paramref name="body"/> unchanged when the encoding is unknown or the bytes are not in it.</summary>
    public static byte[] Decode(byte[] body, string? contentEncoding) =>
        TryDecode(body, contentEncoding, out var decoded) ? decoded : body;

    /// <summary>
    /// False when the encoding is unknown, the body is empty or the bytes are not in the encoding (then
    /// <paramref name="decoded"/> is <paramref name="body"/>); a body that inflates past the cap throws.
    /// </summary>
    public static bool TryDecode(byte[] body, string? contentEncoding, out byte[] decoded)
    {
        decoded = body;
        if (DecoderFor(contentEncoding) is not { } decoder || body.Length == 0) return false;
        using var input = decoder(new MemoryStream(body));
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        while (true)
        {
            var read = ReadOrEnd(input, buffer);
            if (read < 0) return false;
            if (read == 0) break;
            if (output.Length + read > MaxDecodedBytes)
                throw new InvalidDataException($"a {contentEncoding}-encoded body inflates past {MaxDecodedBytes / (1024 * 1024)} MiB");
            output.Write(buffer, 0, read);
        }
        decoded = output.ToArray();
        return true;
    }

    /// <summary>Bytes read; -1 when the bytes are not in the encoding after all (then the body is kept as it was).</summary>
    private static int ReadOrEnd(Stream input, byte[] buffer)
    {
        try { return input.Read(buffer); }
        catch (InvalidDataException) { return -1; }
    }

    private static Func<Stream, Stream>? DecoderFor(string? contentEncoding) => contentEncoding?.Trim().ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => s => new GZipStream(s, CompressionMode.Decompress),
        "deflate" => s => new ZLibStream(s, CompressionMode.Decompress),
        "br" => s => new BrotliStream(s, CompressionMode.Decompress),
        _ => null,
    };
}
