using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace LocalClaude.Client;

/// <summary>
/// Sends Messages API requests as raw JSON (exactly the bytes given, e.g. recorded Claude Code bodies) and keeps
/// the raw answer with arrival times, so the validator sees what a client would see.
/// </summary>
public sealed class RawMessagesClient(Uri baseUrl, string? apiKey, TimeSpan? timeout = null) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), AutomaticDecompression = System.Net.DecompressionMethods.All })
    {
        BaseAddress = baseUrl,
        Timeout = Timeout.InfiniteTimeSpan,
    };
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(5);

    public Uri BaseUrl => baseUrl;

    /// <summary>The headers the official SDKs send; <paramref name="apiKey"/> goes in both styles (x-api-key and bearer).</summary>
    public static Dictionary<string, string> DefaultHeaders(string? apiKey)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["anthropic-version"] = "2023-06-01" };
        if (apiKey is not null)
        {
            headers["x-api-key"] = apiKey;
            headers["authorization"] = $"Bearer {apiKey}";
        }
        return headers;
    }

    public Task<MessagesExchange> PostAsync(string pathAndQuery, string body, CancellationToken ct, IReadOnlyDictionary<string, string>? headers = null,
        int? stopAfterBytes = null) =>
        SendAsync(HttpMethod.Post, pathAndQuery, body, ct, headers, stopAfterBytes);

    /// <param name="stopAfterBytes">
    /// Hang up once this much of the body arrived (the answer is then marked truncated): for requests whose status is
    /// all that matters but whose answer could run for minutes.
    /// </param>
    public async Task<MessagesExchange> SendAsync(HttpMethod method, string pathAndQuery, string? body, CancellationToken ct,
        IReadOnlyDictionary<string, string>? headers = null, int? stopAfterBytes = null)
    {
        var sent = headers is null ? DefaultHeaders(apiKey) : new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        var exchange = await SendOnceAsync(method, pathAndQuery, body, sent, ct, stopAfterBytes);
        // Sent again once, as Claude Code would, and the answer says so (see LostConnection).
        if (exchange.FailedBeforeAnswer && !ct.IsCancellationRequested)
            return await SendOnceAsync(method, pathAndQuery, body, sent, ct, stopAfterBytes) with { RetriedAfter = exchange.TransportError };
        return exchange;
    }

    private async Task<MessagesExchange> SendOnceAsync(HttpMethod method, string pathAndQuery, string? body,
        Dictionary<string, string> sent, CancellationToken ct, int? stopAfterBytes)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        foreach (var (name, value) in sent)
        {
            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase) || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("host", StringComparison.OrdinalIgnoreCase) || name.Equals("accept-encoding", StringComparison.OrdinalIgnoreCase)
                || name.Equals("connection", StringComparison.OrdinalIgnoreCase) || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
                continue;
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var chunks = new List<(long, TimeSpan)>();
        var bodyBytes = new MemoryStream();
        TimeSpan? firstByte = null;
        var status = default(System.Net.HttpStatusCode);
        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? transportError = null;
        var failedBeforeAnswer = false;
        var truncated = false;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = response.StatusCode;
            foreach (var h in response.Headers.Concat(response.Content.Headers))
                responseHeaders[h.Key.ToLowerInvariant()] = string.Join(", ", h.Value);
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                firstByte ??= clock.Elapsed;
                chunks.Add((bodyBytes.Length, clock.Elapsed));
                bodyBytes.Write(buffer, 0, read);
                if (bodyBytes.Length >= stopAfterBytes)
                {
                    truncated = true;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            transportError = $"no complete answer within {_timeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException e)
        {
            failedBeforeAnswer = status == 0 && LostConnection.BeforeAnswer(e);
            transportError = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        }
        catch (IOException e)
        {
            transportError = $"the connection broke off: {e.Message}";
        }
        return new MessagesExchange
        {
            Method = method.Method,
            PathAndQuery = pathAndQuery,
            RequestBody = body ?? "",
            RequestHeaders = sent,
            Status = status,
            ResponseHeaders = responseHeaders,
            ResponseBody = bodyBytes.ToArray(),
            Chunks = chunks,
            TimeToFirstByte = firstByte,
            Total = clock.Elapsed,
            StartedAt = started,
            TransportError = transportError,
            FailedBeforeAnswer = failedBeforeAnswer,
            Truncated = truncated,
        };
    }

    public void Dispose() => _http.Dispose();
}
