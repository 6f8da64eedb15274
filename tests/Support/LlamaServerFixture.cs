using LocalClaude.Profiles;
using LocalClaude.Server;
using Xunit;

namespace LocalClaude.Tests.Support;

/// <summary>
/// One llama-server for the profile under test (LOCALCLAUDE_PROFILE, default the CPU profile), shared by a test
/// collection; or the server the user already runs (LOCALCLAUDE_SERVER_URL). Stopped with its process tree at the end.
/// </summary>
public class LlamaServerFixture : IAsyncLifetime
{
    public const string ApiKeyVariable = "LOCALCLAUDE_SERVER_API_KEY";

    private LlamaServerProcess? _server;
    private string? _unavailable;
    private Exception? _startFailure;

    public LocalClaudeContext Context { get; } = LocalClaudeContext.Discover();
    public ModelProfile Profile { get; private set; } = null!;
    public Uri BaseUrl { get; private set; } = null!;
    public string ApiKey { get; private set; } = "";
    /// <summary>The running process when this fixture started it (null for LOCALCLAUDE_SERVER_URL).</summary>
    public LlamaServerProcess? Process => _server;
    /// <summary>The profile this fixture serves; override to pin one (e.g. the NP=2 profile).</summary>
    protected virtual string ProfileName => LocalClaudeContext.SelectedProfileName;

    public async ValueTask InitializeAsync()
    {
        Profile = Context.Profile(ProfileName);
        ApiKey = Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : Profile.ApiKey;
        if (Environment.GetEnvironmentVariable(LocalClaudeContext.ServerUrlVariable) is { Length: > 0 } url && GetType() == typeof(LlamaServerFixture))
        {
            BaseUrl = new Uri(url);
            return;
        }
        try
        {
            var launch = Context.ResolveLaunch(Profile);
            _server = await LlamaServerProcess.StartAsync(launch, TestContext.Current.CancellationToken);
            BaseUrl = _server.BaseUrl;
        }
        catch (Exception e) when (e is FileNotFoundException
                                  || e is LlamaServerStartException { Kind: ServerStartFailureKind.BinaryMissing or ServerStartFailureKind.ModelFileMissing })
        {
            _unavailable = $"profile '{Profile.Name}': {e.Message.Split('\n')[0]}";
        }
        catch (Exception e)
        {
            _startFailure = e;
        }
    }

    /// <summary>Call first in every test that needs the server: skips (or fails in CI) when a part is missing.</summary>
    public Uri RequireServer()
    {
        if (_unavailable is not null) MissingPart.Report(_unavailable);
        if (_startFailure is not null) throw new InvalidOperationException($"llama-server for '{Profile.Name}' failed to start", _startFailure);
        if (_server is { HasExited: true })
            Assert.Fail($"llama-server for '{Profile.Name}' died during the tests; last lines:\n{_server.LogTail(20)}");
        return BaseUrl;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
