using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace LocalClaude.Client;

/// <summary>
/// What one HTTP/1.1 connection did after a complete answer: did the server keep it open, as its headers said it
/// would, and did it serve a second request on it?
/// </summary>
/// <param name="ClosedAfter">How long after the answer's last byte the server closed the connection; null when it stayed open.</param>
/// <param name="FollowUpStatus">The status of the second request sent on the same connection; null when it could not be sent or read.</param>
public sealed record ConnectionReuse(
    int Status,
    IReadOnlyDictionary<string, string> Headers,
    long BodyBytes,
    TimeSpan? ClosedAfter,
    int? FollowUpStatus,
    string? Error)
{
    /// <summary>HTTP/1.1 connections persist unless the server says <c>Connection: close</c> (RFC 9112 §9.3).</summary>
    public bool PromisedToStayOpen =>
        !Headers.TryGetValue("connection", out var connection) || !connection.Contains("close", StringComparison.OrdinalIgnoreCase);

    public bool ClosedByServer => ClosedAfter is not null;

    public string Describe() => Error is not null
        ? $"error: {Error}"
        : $"HTTP {Status}, {BodyBytes} body bytes, {(Headers.TryGetValue("connection", out var c) ? $"Connection: {c}" : "no Connection header")}"
          + (Headers.TryGetValue("keep-alive", out var k) ? $", Keep-Alive: {k}" : "")
          + (ClosedAfter is { } t ? $"; closed by the server {t.TotalMilliseconds:0} ms after the last byte" : "; kept open")
          + (FollowUpStatus is { } s ? $"; the next request on it: HTTP {s}" : "");
}

/// <summary>
/// Sends a request on a raw socket, reads the whole answer (Content-Length or chunked), watches the connection for a
/// while and, if it is still open, sends a second request on it: the way a pooling client such as Claude Code's reuses
/// a keep-alive connection the moment the previous answer ends. HttpClient cannot show this: it hides a closed pooled
/// connection by checking it before reuse.
/// </summary>
public static class ConnectionReuseProbe
{
    public static async Task<ConnectionReuse> RunAsync(Uri baseUrl, string? apiKey, string path, string body, string followUpBody,
        TimeSpan watch, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        var ct = timeout.Token;
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(baseUrl.Host, baseUrl.Port, ct);
        await using var stream = tcp.GetStream();
        var reader = new WireReader(stream);

        await stream.WriteAsync(Request(baseUrl, apiKey, path, body), ct);
        var first = await ReadResponseAsync(reader, ct);
        ConnectionReuse Result(TimeSpan? closedAfter, int? followUpStatus, string? error) =>
            new(first.Status, first.Headers, first.BodyBytes, closedAfter, followUpStatus, error);
        if (first.Error is not null) return Result(null, null, first.Error);

        // Poll rather than a cancelled read: a socket read cancelled half-way may leave the connection unusable.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < watch)
        {
            ct.ThrowIfCancellationRequested();
            if (reader.HasBuffered || tcp.Client.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
            {
                return reader.HasBuffered || tcp.Client.Available > 0
                    ? Result(null, null, "the server sent bytes after the complete answer")
                    : Result(clock.Elapsed, null, null);
            }
            await Task.Yield();
        }

        try
        {
            await stream.WriteAsync(Request(baseUrl, apiKey, path, followUpBody), ct);
            var second = await ReadResponseAsync(reader, ct);
            return second.Error is null
                ? Result(null, second.Status, null)
                : Result(null, null, $"the second request on the kept-open connection failed: {second.Error}");
        }
        catch (IOException e)
        {
            return Result(null, null, $"the second request on the kept-open connection failed: {e.Message}");
        }
    }

    private static byte[] Request(Uri baseUrl, string? apiKey, string path, string body)
    {
        var content = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {baseUrl.Authority}\r\n");
        foreach (var (name, value) in RawMessagesClient.DefaultHeaders(apiKey)) head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        head.Append("Content-Type: application/json\r\n")
            .Append("Connection: keep-alive\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {content.Length}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. content];
    }

    private sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, long BodyBytes, string? Error);

    private static async Task<Response> ReadResponseAsync(WireReader reader, CancellationToken ct)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var statusLine = await reader.ReadLineAsync(ct);
        if (statusLine is null) return new Response(0, headers, 0, "the server closed the connection before answering");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
            return new Response(0, headers, 0, $"not an HTTP/1.x status line: '{statusLine}'");
        while (await reader.ReadLineAsync(ct) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        long bytes = 0;
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var sizeLine = await reader.ReadLineAsync(ct);
                if (sizeLine is null) return new Response(status, headers, bytes, "the connection closed inside the chunked body");
                var size = long.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0) break;
                if (!await reader.SkipAsync(size, ct) || await reader.ReadLineAsync(ct) is not "")
                    return new Response(status, headers, bytes, "the connection closed inside a chunk");
                bytes += size;
            }
            // Trailer fields, then the empty line that ends the message.
            while (await reader.ReadLineAsync(ct) is { } trailer)
                if (trailer.Length == 0) return new Response(status, headers, bytes, null);
            return new Response(status, headers, bytes, "the connection closed before the end of the chunked body");
        }
        if (headers.TryGetValue("content-length", out var length) && long.TryParse(length, out var contentLength))
            return await reader.SkipAsync(contentLength, ct)
                ? new Response(status, headers, contentLength, null)
                : new Response(status, headers, bytes, "the connection closed inside the body");
        return new Response(status, headers, 0, "the answer has neither Content-Length nor chunked encoding (ends only when the connection closes)");
    }

    /// <summary>Buffered reads of CRLF lines and counted bytes off a socket stream.</summary>
    private sealed class WireReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public bool HasBuffered => _start < _end;

        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(ct)) return null;
                var b = _buffer[_start++];
                if (b == '\n')
                    return Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
                line.Add(b);
                if (line.Count > 64 * 1024) throw new InvalidDataException("a header or chunk-size line over 64 KiB");
            }
        }

        public async Task<bool> SkipAsync(long count, CancellationToken ct)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(ct)) return false;
                var take = (int)Math.Min(count, _end - _start);
                _start += take;
                count -= take;
            }
            return true;
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            return _end > 0;
        }
    }
}
