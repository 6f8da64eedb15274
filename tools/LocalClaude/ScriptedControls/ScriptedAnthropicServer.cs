using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace LocalClaude.ScriptedControls;

/// <summary>
/// A CONTROL backend, not a model: an Anthropic-compatible HTTP server on 127.0.0.1 (random port) whose answers
/// come from an <see cref="IControlScript"/>. It proves the pipeline (Claude Code → server → tools → checker)
/// independently of llama-server. Serves <c>POST /v1/messages</c> (SSE or JSON), <c>POST /v1/messages/count_tokens</c>,
/// answers probes (HEAD anything, GET /, /api/hello, /v1/models) and records every request it gets.
/// </summary>
public sealed class ScriptedAnthropicServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions OneLine = new() { WriteIndented = false };

    private readonly IControlScript _script;
    private LoopbackHttpServer? _http;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _sequence;
    private int _messagesNumber;

    private ScriptedAnthropicServer(IControlScript script) => _script = script;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>, no trailing slash: the value for ANTHROPIC_BASE_URL.</summary>
    public string Url => BaseUrl.GetLeftPart(UriPartial.Authority);

    public int Port => BaseUrl.Port;

    public string ScriptName => _script.Name;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.OrderBy(r => r.Sequence).ToArray();

    /// <summary>Only the <c>POST /v1/messages</c> requests, parsed.</summary>
    public IReadOnlyList<JsonObject> MessagesRequestBodies => Requests
        .Where(r => r.Method == "POST" && r.Path == "/v1/messages")
        .Select(r => JsonNode.Parse(r.Body) as JsonObject)
        .OfType<JsonObject>()
        .ToArray();

    public static async Task<ScriptedAnthropicServer> StartAsync(IControlScript script, CancellationToken cancellationToken = default)
    {
        var server = new ScriptedAnthropicServer(script);
        server._http = await LoopbackHttpServer.StartAsync(server.HandleAsync, cancellationToken);
        server.BaseUrl = server._http.BaseUrl;
        return server;
    }

    /// <summary>Writes the recorded requests as JSON lines (one request per line) for later inspection.</summary>
    public async Task WriteRequestsAsync(string file, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var lines = Requests.Select(r => JsonSerializer.Serialize(r, OneLine));
        await File.WriteAllLinesAsync(file, lines, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_http is null) return;
        await _http.DisposeAsync();
        _http = null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        // Numbered on arrival, so concurrent requests keep the order they came in.
        var sequence = Interlocked.Increment(ref _sequence);
        var receivedAt = DateTimeOffset.UtcNow;
        var request = context.Request;
        var body = "";
        var status = 500;
        try
        {
            try { body = await ReadBodyAsync(request, context.RequestAborted); }
            catch (InvalidDataException e)
            {
                status = await WriteErrorAsync(context, 400, "invalid_request_error", $"cannot decode the request body: {e.Message}");
                return;
            }
            status = (request.Method, request.Path.Value ?? "/") switch
            {
                ("POST", "/v1/messages") => await MessagesAsync(context, body),
                ("POST", "/v1/messages/count_tokens") => await CountTokensAsync(context, body),
                ("HEAD", _) => 200,
                ("GET", "/" or "/api/hello") => await WriteJsonAsync(context, 200, new JsonObject()),
                ("GET", "/v1/models") => await WriteJsonAsync(context, 200, ModelList()),
                ("GET", _) => await WriteErrorAsync(context, 404, "not_found_error", $"no such resource: {request.Path}"),
                _ => await WriteErrorAsync(context, 405, "invalid_request_error", $"{request.Method} {request.Path} is not served by this control"),
            };
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            status = await WriteErrorAsync(context, 500, "api_error", $"control script '{_script.Name}' failed: {e.Message}");
        }
        finally
        {
            _requests.Enqueue(new RecordedRequest(
                sequence,
                receivedAt,
                request.Method,
                request.Path.Value ?? "/",
                request.QueryString.Value ?? "",
                request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                body,
                status));
        }
    }

    private async Task<int> MessagesAsync(HttpContext context, string body)
    {
        if (!TryParseObject(body, out var json, out var problem))
            return await WriteErrorAsync(context, 400, "invalid_request_error", problem);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var scripted = new ScriptedRequest(Interlocked.Increment(ref _messagesNumber), json, headers);
        var reply = _script.Reply(scripted);
        var messageId = $"msg_control_{scripted.Number:D4}";
        var inputTokens = ScriptedReplyRendering.EstimateTokens(body.Length);

        if (!scripted.IsStreaming)
            return await WriteJsonAsync(context, 200, ScriptedReplyRendering.ToMessage(reply, messageId, scripted.Model, inputTokens));

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["request-id"] = $"req_control_{scripted.Number:D4}";
        foreach (var sse in ScriptedReplyRendering.ToStreamEvents(reply, messageId, scripted.Model, inputTokens))
        {
            await response.WriteAsync(sse.ToWireFormat(), Encoding.UTF8, context.RequestAborted);
            // One flush per event, so clients see real incremental delivery.
            await response.Body.FlushAsync(context.RequestAborted);
        }
        return 200;
    }

    private static async Task<int> CountTokensAsync(HttpContext context, string body)
    {
        if (!TryParseObject(body, out _, out var problem))
            return await WriteErrorAsync(context, 400, "invalid_request_error", problem);
        return await WriteJsonAsync(context, 200, new JsonObject { ["input_tokens"] = ScriptedReplyRendering.EstimateTokens(body.Length) });
    }

    private static JsonObject ModelList() => new()
    {
        ["data"] = new JsonArray(new JsonObject
        {
            ["type"] = "model",
            ["id"] = "control",
            ["display_name"] = "Scripted control backend",
            ["created_at"] = "2026-01-01T00:00:00Z",
        }),
        ["has_more"] = false,
        ["first_id"] = "control",
        ["last_id"] = "control",
    };

    private static bool TryParseObject(string body, out JsonObject json, out string problem)
    {
        json = new JsonObject();
        problem = "";
        try
        {
            if (JsonNode.Parse(body) is JsonObject parsed)
            {
                json = parsed;
                return true;
            }
            problem = "request body must be a JSON object";
        }
        catch (JsonException e)
        {
            problem = $"request body is not valid JSON: {e.Message}";
        }
        return false;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Stream stream = request.Body;
        // Clients may compress bodies; undo what .NET can undo, and record the rest as-is.
        stream = request.Headers.ContentEncoding.ToString().ToLowerInvariant() switch
        {
            "gzip" => new GZipStream(stream, CompressionMode.Decompress),
            "deflate" => new ZLibStream(stream, CompressionMode.Decompress),
            "br" => new BrotliStream(stream, CompressionMode.Decompress),
            _ => stream,
        };
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static async Task<int> WriteJsonAsync(HttpContext context, int status, JsonNode json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json.ToJsonString(), Encoding.UTF8, context.RequestAborted);
        return status;
    }

    private static Task<int> WriteErrorAsync(HttpContext context, int status, string type, string message) =>
        WriteJsonAsync(context, status, new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        });
}
