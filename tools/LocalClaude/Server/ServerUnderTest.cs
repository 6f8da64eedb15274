using System.Text.Json.Nodes;
using LocalClaude.Profiles;
using LocalClaude.Provisioning;
using LocalClaude.Results;

namespace LocalClaude.Server;

/// <summary>
/// The llama-server a run talks to: one this suite started for the profile, or one the user already runs
/// (LOCALCLAUDE_SERVER_URL). Knows what to write into a result file about it.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private ServerUnderTest(ModelProfile profile, Uri baseUrl, string apiKey, LlamaServerProcess? process, ServerInfo info)
    {
        Profile = profile;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        Process = process;
        Info = info;
    }

    public ModelProfile Profile { get; }
    public Uri BaseUrl { get; }
    public string ApiKey { get; }
    /// <summary>Null when the server belongs to the user.</summary>
    public LlamaServerProcess? Process { get; }
    public ServerInfo Info { get; }
    public bool IsAlive => Process is null || !Process.HasExited;

    public static async Task<ServerUnderTest> StartAsync(LocalClaudeContext context, ModelProfile profile, CancellationToken ct)
    {
        var launch = context.ResolveLaunch(profile);
        var process = await LlamaServerProcess.StartAsync(launch, ct);
        try
        {
            var version = await LlamaServerVersion.ReadAsync(launch.Binary, ct);
            var build = new LlamaServerRegistry(context.Home).All().FirstOrDefault(b => b.Binary == launch.Binary);
            return new ServerUnderTest(profile, process.BaseUrl, profile.ApiKey, process, Describe(profile, process.BaseUrl) with
            {
                Version = version.Raw.Replace("version: ", ""),
                Commit = version.Commit,
                Build = build?.Key ?? launch.Binary,
                Arguments = launch.Arguments(process.Port),
            });
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>A server the user started: its version comes from <c>/props</c> where it says.</summary>
    public static async Task<ServerUnderTest> AttachAsync(ModelProfile profile, Uri baseUrl, string apiKey, CancellationToken ct)
    {
        string? build = null;
        try
        {
            using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
            var props = JsonNode.Parse(await http.GetStringAsync("/props", ct));
            build = props?["build_info"]?.ToString();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException) { }
        return new ServerUnderTest(profile, baseUrl, apiKey, null, Describe(profile, baseUrl) with { Version = build, Build = "external" });
    }

    private static ServerInfo Describe(ModelProfile profile, Uri url) => new()
    {
        Url = url.ToString(),
        Tools = profile.Capabilities.Tools,
        Thinking = profile.Capabilities.Thinking,
        Vision = profile.Capabilities.Vision,
        Synthetic = profile.Synthetic,
    };

    public async ValueTask DisposeAsync()
    {
        if (Process is not null) await Process.DisposeAsync();
    }
}
