using System.Net.Sockets;
using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Provisioning;
using LocalClaude.Results;

namespace LocalClaude.Server;

/// <summary>
/// The llama-server a run talks to: one this suite started for the profile, or one the user already runs
/// (<see cref="ServerTarget.UrlVariable"/>). Knows what to write into a result file about it.
/// <see cref="OpenAsync"/> is the one start-or-attach path of the library.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

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

    /// <summary>
    /// Starts the profile's server or attaches to the target's. A start that fails throws
    /// <see cref="LlamaServerStartException"/> (its <see cref="LlamaServerStartException.Kind"/> says why); a server to
    /// attach to that accepts no connection throws <see cref="ServerUnreachableException"/>.
    /// </summary>
    public static Task<ServerUnderTest> OpenAsync(LocalClaudeContext context, ModelProfile profile, ServerTarget target, CancellationToken ct) =>
        target.AttachUrl is { } url
            ? AttachAsync(profile, url, target.ApiKey ?? profile.ApiKey, ct)
            : StartAsync(context.ResolveLaunch(profile, target.Port), context.Home, ct);

    /// <summary>Starts a resolved launch; <paramref name="home"/> names the build in the result file (null: its binary path).</summary>
    public static async Task<ServerUnderTest> StartAsync(LlamaServerLaunch launch, LocalClaudeHome? home, CancellationToken ct)
    {
        var process = await LlamaServerProcess.StartAsync(launch, ct);
        try
        {
            var version = await LlamaServerVersion.ReadAsync(launch.Binary, ct);
            var build = home is null ? null : new LlamaServerRegistry(home).All().FirstOrDefault(b => b.Binary == launch.Binary);
            return new ServerUnderTest(launch.Profile, process.BaseUrl, launch.Profile.ApiKey, process, Describe(launch.Profile, process.BaseUrl) with
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

    /// <summary>A server the user started: it must accept a connection; its version comes from <c>/props</c> where it says.</summary>
    private static async Task<ServerUnderTest> AttachAsync(ModelProfile profile, Uri baseUrl, string apiKey, CancellationToken ct)
    {
        await EnsureAcceptsConnectionsAsync(baseUrl, ct);
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

    private static async Task EnsureAcceptsConnectionsAsync(Uri url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        using var client = new TcpClient(url.HostNameType == UriHostNameType.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        try
        {
            await client.ConnectAsync(url.IdnHost, url.Port, timeout.Token);
        }
        catch (SocketException e)
        {
            throw new ServerUnreachableException(url, e.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : e.Message, e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ServerUnreachableException(url, $"no connection within {ConnectTimeout.TotalSeconds:0} s", e);
        }
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
