using LocalClaude.Agents;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// Every task once against the oracle and once against the no-op CONTROL backend, through <see cref="E2ESuite"/>
/// exactly as <c>tools/localclaude e2e --control …</c> runs them (profile caps, result file, transcripts). Each run
/// happens on first use and is shared by the tests of the class.
/// </summary>
public sealed class ControlRuns : IAsyncDisposable
{
    private readonly TempDirectory _scratch = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<ControlKind, E2ESuiteResult> _runs = [];

    public async Task<E2ESuiteResult> RunAsync(ControlKind kind)
    {
        await E2EParts.RequireSandboxAsync();
        E2EParts.RequireClaudeCode();
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_runs.TryGetValue(kind, out var done)) return done;
            var name = ControlBackend.ControlName(kind);
            var result = await new E2ESuite(E2EParts.Context).RunControlAsync(E2EParts.Profile, kind, new E2ESuiteOptions
            {
                ResultPath = Path.Combine(_scratch.Path, "results", $"e2e-{name}.json"),
                RunDirectory = Path.Combine(_scratch.Path, "runs", name),
                // A control answers at once; a trial that needs a minute is broken.
                TimeoutCap = TimeSpan.FromSeconds(90),
                Command = $"LocalClaude.E2E.Tests --control {name}",
            }, TestContext.Current.CancellationToken);
            _runs[kind] = result;
            return result;
        }
        finally { _gate.Release(); }
    }

    public ValueTask DisposeAsync()
    {
        _scratch.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
