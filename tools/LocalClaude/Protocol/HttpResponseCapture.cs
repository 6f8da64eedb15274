using System.IO.Compression;
using System.Text;

namespace LocalClaude.Protocol;

/// <summary>
/// A raw HTTP/1.x response as captured on the wire or written by hand: a status line ("HTTP/1.1 400 Bad Request"),
/// header lines, a blank line, then the body. Chunked transfer coding and gzip/deflate/br content coding are undone.
/// </summary>
public sealed record HttpResponseCapture(string Version, int StatusCode, string ReasonPhrase, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) =>
        Headers.Where(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Select(header => header.Value).FirstOrDefault();

    /// <summary>The media type of Content-Type without parameters, lower-case; null when absent.</summary>
    public string? MediaType => Header("Content-Type")?.Split(';')[0].Trim().ToLowerInvariant();

    public static bool LooksLikeCapture(ReadOnlySpan<byte> bytes) => bytes.StartsWith("HTTP/"u8);

    /// <summary>Parses a capture; false with a reason when the bytes start like one but cannot be read.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out HttpResponseCapture? capture, out string? error)
    {
        capture = null;
        if (!LooksLikeCapture(bytes))
        {
            error = "does not start with an HTTP status line";
            return false;
        }

        var position = 0;
        var statusLine = ReadLine(bytes, ref position);
        if (statusLine is null)
        {
            error = "the status line has no line end";
            return false;
        }

        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || parts[1].Length != 3 || !int.TryParse(parts[1], out var status))
        {
            error = $"malformed status line '{JsonRead.Shorten(statusLine, 60)}'";
            return false;
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            var line = ReadLine(bytes, ref position);
            if (line is null)
            {
                error = "the headers are not closed by a blank line";
                return false;
            }

            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                error = $"malformed header line '{JsonRead.Shorten(line, 60)}'";
                return false;
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        var body = bytes[position..].ToArray();
        var candidate = new HttpResponseCapture(parts[0], status, parts.Length > 2 ? parts[2] : "", headers, body);
        if (candidate.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            if (!TryDechunk(body, out body, out error))
            {
                return false;
            }
        }

        if (!TryDecode(candidate.Header("Content-Encoding"), body, out body, out error))
        {
            return false;
        }

        capture = candidate with { Body = body };
        error = null;
        return true;
    }

    /// <summary>Reads one line ending in CRLF or LF; null when no line end follows.</summary>
    private static string? ReadLine(ReadOnlySpan<byte> bytes, ref int position)
    {
        var rest = bytes[position..];
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            return null;
        }

        position += end + 1;
        var line = rest[..end];
        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }

        return Encoding.Latin1.GetString(line);
    }

    private static bool TryDechunk(byte[] chunked, out byte[] body, out string? error)
    {
        using var output = new MemoryStream();
        var position = 0;
        while (true)
        {
            var sizeLine = ReadLine(chunked, ref position);
            var sizeText = sizeLine?.Split(';')[0].Trim();
            if (sizeText is null || !int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size < 0)
            {
                body = [];
                error = $"malformed chunk size at body byte {position}";
                return false;
            }

            if (size == 0)
            {
                break;
            }

            if (position + size > chunked.Length)
            {
                body = [];
                error = "a chunk runs past the end of the capture";
                return false;
            }

            output.Write(chunked, position, size);
            position += size;
            // The CRLF after the chunk data.
            ReadLine(chunked, ref position);
        }

        body = output.ToArray();
        error = null;
        return true;
    }

    private static bool TryDecode(string? contentEncoding, byte[] encoded, out byte[] body, out string? error)
    {
        var coding = contentEncoding?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(coding) || coding == "identity")
        {
            body = encoded;
            error = null;
            return true;
        }

        try
        {
            using var input = new MemoryStream(encoded);
            using Stream decoder = coding switch
            {
                "gzip" => new GZipStream(input, CompressionMode.Decompress),
                "deflate" => new ZLibStream(input, CompressionMode.Decompress),
                "br" => new BrotliStream(input, CompressionMode.Decompress),
                _ => throw new InvalidDataException($"unsupported Content-Encoding '{contentEncoding}'"),
            };
            using var output = new MemoryStream();
            decoder.CopyTo(output);
            body = output.ToArray();
            error = null;
            return true;
        }
        catch (InvalidDataException exception)
        {
            body = [];
            error = exception.Message;
            return false;
        }
    }
}
