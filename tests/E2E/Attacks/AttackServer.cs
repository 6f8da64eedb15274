using LocalClaude.E2E.Tests.Attacks;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;
using LocalClaude.Server;

[assembly: AssemblyFixture(typeof(AttackServer))]

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>
/// One llama-server for every attack launch of a test run (as <c>serve</c> starts it): each launch reuses it, so
/// the suite pays one server start. Started by the first attack that asks, stopped at the end of the run.
/// </summary>
public sealed class AttackServer : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Scratch? _folder;
    private LaunchTestProfile? _profile;
    private LlamaServerProcess? _server;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>The running server and its profile; a missing part skips (or, in CI, fails) the calling test.</summary>
    internal async Task<(LaunchTestProfile Profile, LlamaServerProcess Server)> StartAsync(bool tmux, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            _folder ??= new Scratch();
            _profile ??= LaunchTestProfile.Write(_folder.Root);
            await LaunchRequirements.RequireAsync(_profile, tmux);
            await LauncherCli.EnsureBuiltAsync();
            if (_server is { HasExited: true })
            {
                await _server.DisposeAsync();
                _server = null;
            }
            if (_server is null)
            {
                var context = new LocalClaudeContext(LauncherCli.Repo, LocalClaudeHome.Default(), _profile.ModelsConfPath);
                _server = (await ServerUnderTest.OpenAsync(context, context.Profile(_profile.Name), ServerTarget.Start(), ct)).Process!;
            }
            return (_profile, _server);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        if (_profile is not null) RunProcesses.Kill(await RunProcesses.WaitUntilGoneAsync(TimeSpan.FromSeconds(10), _profile.Name));
        _folder?.Dispose();
    }
}
