using LocalClaude.Conformance;
using LocalClaude.Profiles;
using LocalClaude.Server;
using Xunit;

namespace LocalClaude.Tests.Support;

/// <summary>
/// One <see cref="ConformanceSession"/> for the profile under test (LOCALCLAUDE_PROFILE, default the CPU profile),
/// shared by a test collection: the profile's llama-server started through the library's one start-or-attach path, or
/// the server the user already runs (<see cref="ServerTarget.UrlVariable"/>). What it started stops at the end.
/// </summary>
public class LlamaServerFixture : IAsyncLifetime
{
    private ConformanceSession? _session;
    private string? _unavailable;
    private Exception? _startFailure;

    public LocalClaudeContext Context { get; } = LocalClaudeContext.Discover();
    public ModelProfile Profile { get; private set; } = null!;
    /// <summary>The session the tests go through; call <see cref="RequireServer"/> first.</summary>
    public ConformanceSession Session => _session ?? throw new InvalidOperationException($"no server for '{Profile.Name}': call RequireServer first");
    public string ApiKey => Session.Server.ApiKey;
    /// <summary>The profile this fixture serves; override to pin one (e.g. the NP=2 profile).</summary>
    protected virtual string ProfileName => LocalClaudeContext.SelectedProfileName;
    /// <summary>The user's server applies to the profile under test only: a fixture pinned to another profile starts its own.</summary>
    protected virtual ServerTarget Target =>
        GetType() == typeof(LlamaServerFixture) ? ServerTarget.FromArgumentsOrEnvironment(null, null) : ServerTarget.Start();

    public async ValueTask InitializeAsync()
    {
        Profile = Context.Profile(ProfileName);
        try
        {
            _session = await ConformanceSession.OpenAsync(Context, Profile, Target, TestContext.Current.CancellationToken);
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
        if (_startFailure is not null) throw new InvalidOperationException($"no llama-server for '{Profile.Name}' ({_startFailure.GetType().Name})", _startFailure);
        if (!Session.Server.IsAlive)
            Assert.Fail($"llama-server for '{Profile.Name}' died during the tests; last lines:\n{Session.Server.Process!.LogTail(20)}");
        return Session.Server.BaseUrl;
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null) await _session.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
