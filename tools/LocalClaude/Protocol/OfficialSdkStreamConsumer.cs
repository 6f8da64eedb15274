using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;

namespace LocalClaude.Protocol;

/// <summary>
/// What the official SDK made of a stream: the message it aggregated (read back through the same
/// <see cref="AggregatedMessage"/> type as the validator's, so the two can be compared) or the exception it threw,
/// as a <c>client.sdk-error</c> finding. <see cref="EventTypes"/> are the events the SDK surfaced, in order.
/// </summary>
public sealed record SdkStreamOutcome(AggregatedMessage? Message, Finding? Failure, string? ExceptionType, IReadOnlyList<string> EventTypes)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// A second, independent real client: consumes a streaming response with the official Anthropic C# SDK
/// (<c>Messages.CreateStreaming(...).Aggregate()</c>), either from a live server or from recorded bytes served by an
/// in-memory handler (the suite testing itself).
/// </summary>
public sealed class OfficialSdkStreamConsumer : IDisposable
{
    private readonly AnthropicClient _client;
    private readonly HttpClient? _ownedHttpClient;

    /// <param name="baseUrl">The server root, e.g. http://127.0.0.1:8080 (the SDK appends /v1/messages).</param>
    /// <param name="apiKey">The SDK's ApiKey; SDK 13.12.0 sends it as "Authorization: Bearer" (not x-api-key). When neither
    /// credential is given, "localclaude" is sent (llama-server ignores it without --api-key).</param>
    /// <param name="authToken">The SDK's AuthToken (Authorization: Bearer, like Claude Code's ANTHROPIC_AUTH_TOKEN). The SDK takes one credential, not both.</param>
    /// <param name="httpClient">Optional; when null the SDK's own client is used.</param>
    /// <param name="timeout">The SDK's request timeout; null keeps the SDK default.</param>
    public OfficialSdkStreamConsumer(Uri baseUrl, string? apiKey = null, string? authToken = null, HttpClient? httpClient = null, TimeSpan? timeout = null)
        : this(baseUrl, apiKey, authToken, httpClient, timeout, ownsHttpClient: false)
    {
    }

    private OfficialSdkStreamConsumer(Uri baseUrl, string? apiKey, string? authToken, HttpClient? httpClient, TimeSpan? timeout, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (apiKey is not null && authToken is not null)
        {
            throw new ArgumentException("Pass an API key or an auth token, not both: the SDK refuses two credentials.", nameof(authToken));
        }

        var options = new ClientOptions
        {
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
            // Retries would hide a broken first answer behind a second request.
            MaxRetries = 0,
        };
        options = authToken is not null
            ? options with { AuthToken = authToken }
            : options with { ApiKey = apiKey ?? "localclaude" };

        if (httpClient is not null)
        {
            options = options with { HttpClient = httpClient };
        }

        if (timeout is { } limit)
        {
            options = options with { Timeout = limit };
        }

        _client = new AnthropicClient(options);
        _ownedHttpClient = ownsHttpClient ? httpClient : null;
    }

    /// <summary>A consumer whose every request is answered with <paramref name="body"/> (a recorded stream or body).</summary>
    public static OfficialSdkStreamConsumer ForRecordedResponse(
        ReadOnlyMemory<byte> body,
        HttpStatusCode statusCode = HttpStatusCode.OK,
        string contentType = "text/event-stream")
    {
        var httpClient = new HttpClient(new RecordedResponseHandler(body, statusCode, contentType))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new OfficialSdkStreamConsumer(new Uri("http://recorded.localclaude.invalid"), "recorded", authToken: null, httpClient, timeout: null, ownsHttpClient: true);
    }

    /// <summary>A one-user-message request, enough to drive a recorded response.</summary>
    public static MessageCreateParams SimpleRequest(string model, string prompt, long maxTokens) => new()
    {
        Model = model,
        MaxTokens = maxTokens,
        Messages = [new MessageParam(new UserMessageParam(prompt))],
    };

    public Task<SdkStreamOutcome> ConsumeAsync(string model, string prompt, long maxTokens, CancellationToken cancellationToken) =>
        ConsumeAsync(SimpleRequest(model, prompt, maxTokens), cancellationToken);

    /// <summary>Streams the request and aggregates it; any SDK exception becomes the outcome's failure (cancellation is rethrown).</summary>
    public async Task<SdkStreamOutcome> ConsumeAsync(MessageCreateParams parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var eventTypes = new List<string>();
        try
        {
            var events = Observe(_client.Messages.CreateStreaming(parameters, cancellationToken), eventTypes, cancellationToken);
            var message = await events.Aggregate().ConfigureAwait(false);
            return new SdkStreamOutcome(ToAggregatedMessage(message), null, null, eventTypes);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            var failure = FindingCatalog.ClientSdkError.Whole($"{exception.GetType().Name}: {JsonRead.Shorten(exception.Message, 200)}");
            return new SdkStreamOutcome(null, failure, exception.GetType().FullName, eventTypes);
        }
    }

    public void Dispose() => _ownedHttpClient?.Dispose();

    private static async IAsyncEnumerable<RawMessageStreamEvent> Observe(
        IAsyncEnumerable<RawMessageStreamEvent> events,
        List<string> eventTypes,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var streamEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            eventTypes.Add(streamEvent.Json.TryProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "?");
            yield return streamEvent;
        }
    }

    /// <summary>Reads the SDK's message back from its raw JSON, so a half-valid message does not throw on property access.</summary>
    private static AggregatedMessage? ToAggregatedMessage(Message message)
    {
        var json = JsonSerializer.SerializeToElement(message.RawData);
        return AnthropicMessageValidator.Validate(json).Message;
    }

    /// <summary>Answers every request with the same recorded bytes.</summary>
    private sealed class RecordedResponseHandler(ReadOnlyMemory<byte> body, HttpStatusCode statusCode, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ReadOnlyMemoryContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return Task.FromResult(new HttpResponseMessage(statusCode) { Content = content, RequestMessage = request });
        }
    }
}
