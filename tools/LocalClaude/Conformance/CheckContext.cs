using System.Text.Json.Nodes;
using LocalClaude.Client;
using LocalClaude.Profiles;

namespace LocalClaude.Conformance;

/// <summary>A server started for a variant of the profile (e.g. NP=2 beside NP=1), stopped on dispose.</summary>
public interface IVariantServer : IAsyncDisposable
{
    Uri BaseUrl { get; }
}

/// <summary>Starts servers for variants of the profile under test; absent when the suite points at a server it did not start.</summary>
public interface IVariantServerLauncher
{
    Task<IVariantServer> StartAsync(ModelProfile variant, CancellationToken cancellationToken);
}

/// <summary>The server under test and what the checks may use to talk to it.</summary>
public sealed class CheckContext(RawMessagesClient client, ModelProfile profile, string apiKey, IVariantServerLauncher? variants = null)
{
    public const string MessagesPath = "/v1/messages";
    public const string CountTokensPath = "/v1/messages/count_tokens";

    public RawMessagesClient Client { get; } = client;
    public ModelProfile Profile { get; } = profile;
    public string ApiKey { get; } = apiKey;
    public IVariantServerLauncher? Variants { get; } = variants;
    public string Model => Profile.ServedModelName;
    public ProfileCapabilities Capabilities => Profile.Capabilities;
    /// <summary>Random weights: tool calls and thinking are reached by prefill routes; instruction following is not expected.</summary>
    public bool Synthetic => Profile.Synthetic;

    public async Task<CheckedExchange> PostAsync(JsonNode body, CancellationToken ct, string path = MessagesPath,
        IReadOnlyDictionary<string, string>? headers = null, int? stopAfterBytes = null) =>
        CheckedExchange.From(await Client.PostAsync(path, body.ToJsonString(), ct, headers, stopAfterBytes));

    /// <summary>Sends exactly these bytes (malformed JSON, recorded bodies).</summary>
    public async Task<CheckedExchange> PostRawAsync(string body, CancellationToken ct, string path = MessagesPath,
        IReadOnlyDictionary<string, string>? headers = null) =>
        CheckedExchange.From(await Client.PostAsync(path, body, ct, headers));

    public static RawMessagesClient ClientFor(Uri baseUrl, string apiKey) => new(baseUrl, apiKey, TimeSpan.FromMinutes(5));
}
