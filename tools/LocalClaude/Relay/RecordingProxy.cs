using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using LocalClaude.Client;
using LocalClaude.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LocalClaude.Relay;

/// <summary>Where a relay listens: a unix socket, for clients that reach it as 127.0.0.1:<see cref="ClientPort"/>.</summary>
public sealed record RelayListener
{
    /// <summary>The socket to listen on; the caller sets its mode and owner.</summary>
    public required string UnixSocketPath { get; init; }
    /// <summary>The port in the Host header the clients send (the sandbox's 127.0.0.1:PORT).</summary>
    public required int ClientPort { get; init; }
    public int MaxConnections { get; init; } = RecordingProxy.DefaultMaxConnections;
    /// <summary>Told of every refused request or connection, one line each (from Kestrel's threads).</summary>
    public Action<string>? OnRefused { get; init; }
}

/// <summary>
/// A loopback HTTP proxy (Kestrel, 127.0.0.1, a free port) in front of one upstream. It forwards what
/// <see cref="ForwardingRule"/> allows (and answers anything else itself), streams the answer back chunk by chunk as
/// it arrives (flushing each one, so Claude Code sees a live stream), and keeps a verbatim copy of both sides with
/// arrival and completion times. Started with <see cref="StartRelayAsync(Uri, RelayListener, CancellationToken)"/> it
/// keeps no copies and listens on a unix socket: the sandbox's hop to the model server.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    /// <summary>Connections a relay or proxy serves at once (Claude Code was seen with up to 6 requests in flight); more get a 503.</summary>
    public const int DefaultMaxConnections = 32;

    private readonly Uri _upstream;
    private readonly TimeSpan _upstreamTimeout;
    private readonly int? _maxTokensCap;
    private readonly bool _keepCopies;
    private readonly RelayListener? _listener;
    private readonly HttpClient _http;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentBag<CapturedExchange> _exchanges = [];
    private LoopbackHttpServer? _server;
    private int _sequence;
    private int _inFlight;
    private long _lastActivityTicks;

    private RecordingProxy(Uri upstream, TimeSpan upstreamTimeout, int? maxTokensCap, bool keepCopies, RelayListener? listener)
    {
        _keepCopies = keepCopies;
        _listener = listener;
        _upstream = ForwardingRule.CheckUpstream(upstream);
        _upstreamTimeout = upstreamTimeout;
        _maxTokensCap = maxTokensCap;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            // A system proxy must never see loopback traffic that carries the local token.
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The proxy's address, e.g. <c>http://127.0.0.1:41234</c>: the value for ANTHROPIC_BASE_URL (<c>http://localhost</c> on a unix socket).</summary>
    public Uri BaseUrl { get; private set; } = null!;
    public Uri Upstream => _upstream;
    /// <summary>The proxy's clock (started with the proxy); exchange times are on it.</summary>
    public TimeSpan Now => _clock.Elapsed;
    public int InFlight => Volatile.Read(ref _inFlight);
    public int Started => Volatile.Read(ref _sequence);
    /// <summary>Client connections open now.</summary>
    public int OpenConnections => _server?.OpenConnections ?? 0;
    /// <summary>Client connections refused so far because <see cref="RelayListener.MaxConnections"/> were open.</summary>
    public int RefusedConnections => _server?.RefusedConnections ?? 0;

    /// <summary>Completed exchanges, in order of arrival.</summary>
    public IReadOnlyList<CapturedExchange> Exchanges => _exchanges.OrderBy(e => e.Sequence).ToArray();

    /// <summary>When a request last arrived or finished, on <see cref="Now"/>'s clock.</summary>
    public TimeSpan LastActivity => TimeSpan.FromTicks(Interlocked.Read(ref _lastActivityTicks));

    /// <param name="maxTokensCap">
    /// Lowers max_tokens in what goes to the upstream (the recording keeps Claude Code's own value): see <see cref="MaxTokensCap"/>.
    /// </param>
    public static Task<RecordingProxy> StartAsync(Uri upstream, CancellationToken cancellationToken, TimeSpan? upstreamTimeout = null,
        int? maxTokensCap = null) =>
        StartAsync(upstream, cancellationToken, upstreamTimeout, maxTokensCap, keepCopies: true, listener: null);

    /// <summary>
    /// The same forwarding without copies and without a time limit per request (<see cref="Exchanges"/> stays empty):
    /// a plain HTTP hop that keeps its clients' connections open as HTTP/1.1 promises and sends a request lost on a
    /// just-closed upstream connection once more.
    /// </summary>
    public static Task<RecordingProxy> StartRelayAsync(Uri upstream, CancellationToken cancellationToken) =>
        StartAsync(upstream, cancellationToken, Timeout.InfiniteTimeSpan, maxTokensCap: null, keepCopies: false, listener: null);

    /// <summary>The relay on a unix socket (see <see cref="RelayListener"/>), as the sandbox's bridge uses it.</summary>
    public static Task<RecordingProxy> StartRelayAsync(Uri upstream, RelayListener listener, CancellationToken cancellationToken) =>
        StartAsync(upstream, cancellationToken, Timeout.InfiniteTimeSpan, maxTokensCap: null, keepCopies: false, listener);

    private static async Task<RecordingProxy> StartAsync(Uri upstream, CancellationToken cancellationToken, TimeSpan? upstreamTimeout,
        int? maxTokensCap, bool keepCopies, RelayListener? listener)
    {
        var proxy = new RecordingProxy(upstream, upstreamTimeout ?? TimeSpan.FromMinutes(15), maxTokensCap, keepCopies, listener);
        try
        {
            proxy._server = await LoopbackHttpServer.StartAsync(proxy.HandleAsync, new LoopbackListenOptions
            {
                UnixSocketPath = listener?.UnixSocketPath,
                Http1Only = true,
                MaxConnections = listener?.MaxConnections ?? DefaultMaxConnections,
                RefusedConnectionAnswer = AnthropicError("overloaded_error", "localclaude relay: too many connections are open; close one and retry"),
                OnRefusedConnection = listener?.OnRefused,
            }, cancellationToken);
            proxy.BaseUrl = proxy._server.BaseUrl;
            return proxy;
        }
        catch
        {
            proxy._http.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits until at least <paramref name="minimumStarted"/> requests have arrived in total, none is in flight and
    /// nothing has happened for <paramref name="quiet"/>: the end of a turn as seen from the wire.
    /// </summary>
    public async Task<bool> WaitForQuietAsync(int minimumStarted, TimeSpan quiet, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (Started >= minimumStarted && InFlight == 0 && Now - LastActivity >= quiet) return true;
            await Task.Delay(100, cancellationToken);
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
        _http.Dispose();
    }

    /// <summary>
    /// Sends once more on a new connection when the pooled one was lost before any answer (see <see cref="LostConnection"/>):
    /// Claude Code talking to llama-server directly would not have met that connection, so its recording must not either.
    /// </summary>
    private async Task<HttpResponseMessage> SendUpstreamAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(build(), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (LostConnection.BeforeAnswer(e))
        {
            return await _http.SendAsync(build(), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _clock.Elapsed.Ticks);

    private async Task HandleAsync(HttpContext context)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        Interlocked.Increment(ref _inFlight);
        Touch();
        var arrivedAt = _clock.Elapsed;
        var request = context.Request;
        // The target exactly as sent: Kestrel's Path is decoded and normalised, so the rule looks at this instead.
        var pathAndQuery = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var requestHeaders = request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), v ?? ""))).ToList();
        var responseHeaders = new List<KeyValuePair<string, string>>();
        var recorded = new MemoryStream();
        long answerBytes = 0;
        byte[] requestBody = [];
        TimeSpan? firstByteAt = null;
        var status = 0;
        var chunks = 0;
        string? transportError = null;
        try
        {
            if (ForwardingRule.Check(request.Method, pathAndQuery, request.Headers.Host.Count == 1 ? request.Headers.Host.ToString() : null,
                    _listener?.ClientPort ?? BaseUrl.Port, hasUpgrade: request.Headers.ContainsKey("Upgrade")) is { } refused)
            {
                transportError = "refused: " + refused.Message;
                _listener?.OnRefused?.Invoke($"{refused.Status} {refused.Message}");
                // Whatever else the client sent on this connection is not read as a request.
                context.Response.Headers.Connection = "close";
                status = await WriteErrorAsync(context, refused.Status, refused.ErrorType, refused.Message, recorded);
                return;
            }
            var upstreamUri = ForwardingRule.UpstreamUri(_upstream, pathAndQuery);
            var rawBody = await ReadAllAsync(request.Body, context.RequestAborted);
            requestBody = ContentEncodings.Decode(rawBody, request.Headers.ContentEncoding.ToString());
            // Only an uncompressed body is capped; a compressed one goes on as sent.
            var upstreamBody = _maxTokensCap is not null && ReferenceEquals(rawBody, requestBody) ? MaxTokensCap.Apply(rawBody, _maxTokensCap) : rawBody;
            HttpRequestMessage UpstreamRequest()
            {
                var upstreamRequest = new HttpRequestMessage(new HttpMethod(request.Method), upstreamUri);
                if (rawBody.Length > 0 || HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
                    upstreamRequest.Content = new ByteArrayContent(upstreamBody);
                foreach (var (name, value) in requestHeaders)
                {
                    if (!ForwardingRule.IsForwarded(name)) continue;
                    if (!upstreamRequest.Headers.TryAddWithoutValidation(name, value))
                        upstreamRequest.Content?.Headers.TryAddWithoutValidation(name, value);
                }
                return upstreamRequest;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(_upstreamTimeout);
            HttpResponseMessage upstreamResponse;
            try
            {
                upstreamResponse = await SendUpstreamAsync(UpstreamRequest, timeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
            {
                transportError = e is HttpRequestException ? $"upstream unreachable: {e.Message}" : $"no answer from the upstream within {_upstreamTimeout.TotalSeconds:0} s";
                status = await WriteErrorAsync(context, 502, "api_error", (_keepCopies ? "recording proxy: " : "localclaude relay: ") + transportError, recorded);
                return;
            }

            using (upstreamResponse)
            {
                status = (int)upstreamResponse.StatusCode;
                context.Response.StatusCode = status;
                foreach (var header in upstreamResponse.Headers.Concat(upstreamResponse.Content.Headers))
                {
                    foreach (var value in header.Value) responseHeaders.Add(new(header.Key.ToLowerInvariant(), value));
                    if (!ForwardingRule.IsReturned(header.Key)) continue;
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
                context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                // The status line and headers go out now, before the model's first token.
                await context.Response.StartAsync(context.RequestAborted);

                await using var body = await upstreamResponse.Content.ReadAsStreamAsync(timeout.Token);
                var buffer = new byte[16 * 1024];
                try
                {
                    int read;
                    while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
                    {
                        firstByteAt ??= _clock.Elapsed;
                        chunks++;
                        answerBytes += read;
                        if (_keepCopies) recorded.Write(buffer, 0, read);
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                        Touch();
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException
                                              || (e is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
                {
                    // The upstream broke off mid-answer: Claude Code sees the same truncated stream; keep what came.
                    transportError = $"the upstream's answer broke off after {answerBytes} bytes: {e.Message}";
                    context.Abort();
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            transportError ??= $"the client closed the connection after {answerBytes} bytes of the answer";
        }
        finally
        {
            if (_keepCopies) _exchanges.Add(new CapturedExchange
            {
                Sequence = sequence,
                Method = request.Method,
                PathAndQuery = pathAndQuery,
                RequestHeaders = requestHeaders,
                RequestBody = requestBody,
                Status = status,
                ResponseHeaders = responseHeaders,
                ResponseBody = recorded.ToArray(),
                ArrivedAt = arrivedAt,
                FirstByteAt = firstByteAt,
                CompletedAt = _clock.Elapsed,
                TransportError = transportError,
                ChunkCount = chunks,
            });
            Touch();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task<int> WriteErrorAsync(HttpContext context, int status, string errorType, string message, MemoryStream recorded)
    {
        var bytes = Encoding.UTF8.GetBytes(AnthropicError(errorType, message));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        recorded.Write(bytes);
        return status;
    }

    private static string AnthropicError(string errorType, string message) =>
        System.Text.Json.JsonSerializer.Serialize(new { type = "error", error = new { type = errorType, message } });

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}
