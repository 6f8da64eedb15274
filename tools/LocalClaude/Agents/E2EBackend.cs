using LocalClaude.ScriptedControls;
using LocalClaude.Server;

namespace LocalClaude.Agents;

/// <summary>What Claude Code talks to during an E2E run: a profile's llama-server, or a control backend.</summary>
public interface IE2EBackend
{
    /// <summary>The profile name for a model server; <c>control-oracle</c> / <c>control-no-op</c> for controls.</summary>
    string Name { get; }

    /// <summary>Null for a real model server; the control's name (<c>oracle</c>, <c>no-op</c>) otherwise.</summary>
    string? Control { get; }

    /// <summary>How many trials may run at once against it without measuring the machine instead of the model.</summary>
    int SuggestedParallelism { get; }

    /// <summary>The server one trial of <paramref name="task"/> uses; dispose it when the trial is over.</summary>
    Task<E2EBackendLease> LeaseAsync(TaskFixture task, CancellationToken ct);
}

/// <summary>One trial's view of the backend. Controls start a server per trial and record what Claude Code sent.</summary>
public sealed class E2EBackendLease(ClaudeCodeBackend backend, ScriptedAnthropicServer? control = null) : IAsyncDisposable
{
    public const string RequestsFileName = "requests.jsonl";

    public ClaudeCodeBackend Backend { get; } = backend;

    /// <summary>The control server of this trial (null for a model server): its recorded requests are evidence.</summary>
    public ScriptedAnthropicServer? ControlServer { get; } = control;

    /// <summary>Writes the requests a control received into <paramref name="trialDirectory"/>; returns the file, or null for a model server.</summary>
    public async Task<string?> SaveRequestsAsync(string trialDirectory, CancellationToken ct)
    {
        if (ControlServer is null) return null;
        var file = Path.Combine(trialDirectory, RequestsFileName);
        await ControlServer.WriteRequestsAsync(file, ct);
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        if (ControlServer is not null) await ControlServer.DisposeAsync();
    }
}

/// <summary>A profile's llama-server (started by this suite or the user's own), shared by every trial.</summary>
public sealed class LlamaServerBackend : IE2EBackend
{
    private readonly ClaudeCodeBackend _backend;

    public LlamaServerBackend(ServerUnderTest server)
    {
        // The sandbox bridges exactly host 127.0.0.1:PORT; any other address (::1 included) would be unreachable from inside.
        if (server.BaseUrl.Host is not ("127.0.0.1" or "localhost"))
            throw new ArgumentException($"the E2E sandbox can only reach a server on 127.0.0.1, not {server.BaseUrl}");
        Server = server;
        var profile = server.Profile;
        // The same window the launcher gives a user of this profile: each of the NP slots gets CTX/NP.
        _backend = new ClaudeCodeBackend(new UriBuilder(server.BaseUrl) { Host = "127.0.0.1", Path = "" }.Uri, profile.ServedModelName, server.ApiKey,
            profile.ContextSize / Math.Max(1, profile.ParallelSlots));
    }

    public ServerUnderTest Server { get; }
    public string Name => Server.Profile.Name;
    public string? Control => null;
    // llama-server with NP slots serves NP requests at once; more trials would only queue and count the wait as the model's time.
    public int SuggestedParallelism => Math.Max(1, Server.Profile.ParallelSlots);

    public Task<E2EBackendLease> LeaseAsync(TaskFixture task, CancellationToken ct)
    {
        if (!Server.IsAlive) throw new InvalidOperationException($"llama-server for '{Name}' has exited");
        return Task.FromResult(new E2EBackendLease(_backend));
    }
}

/// <summary>Which control backend: <c>oracle</c> plays each task's solution, <c>no-op</c> ends every turn at once.</summary>
public enum ControlKind { Oracle, NoOp }

/// <summary>
/// A CONTROL backend: a <see cref="ScriptedAnthropicServer"/> per trial, so the oracle plays that task's solution.
/// It proves the driver, the sandbox and the checkers; it is never a model's result.
/// </summary>
/// <param name="control">The control's name, recorded on every trial (<c>oracle</c>, <c>no-op</c>, or a test's own).</param>
/// <param name="scriptFor">The script one trial of a task plays.</param>
public sealed class ControlBackend(string control, Func<TaskFixture, IControlScript> scriptFor) : IE2EBackend
{
    /// <summary>The model name Claude Code is given; a control ignores it.</summary>
    public const string ModelName = "control";
    public const string AuthToken = "localclaude-control";

    public string Name => $"control-{Control}";
    public string Control { get; } = control;
    // A control answers at once: the cost is Claude Code itself, a few CPU-seconds per trial.
    public int SuggestedParallelism => Math.Clamp(Environment.ProcessorCount, 2, 4);

    public static ControlBackend Create(ControlKind kind) => kind switch
    {
        // The work dir is fixed inside the sandbox, so the oracle need not read it from the prompt.
        ControlKind.Oracle => new ControlBackend(ControlName(kind), task => new OracleScript(task.Oracle, Sandbox.SandboxSpec.DefaultWorkInside)),
        ControlKind.NoOp => new ControlBackend(ControlName(kind), _ => new NoOpScript()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string ControlName(ControlKind kind) => kind switch
    {
        ControlKind.Oracle => "oracle",
        ControlKind.NoOp => "no-op",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary><c>oracle</c> or <c>noop</c>/<c>no-op</c>.</summary>
    public static ControlKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "oracle" => ControlKind.Oracle,
        "noop" or "no-op" => ControlKind.NoOp,
        _ => throw new ArgumentException($"unknown control backend '{name}' (oracle or noop)"),
    };

    public async Task<E2EBackendLease> LeaseAsync(TaskFixture task, CancellationToken ct)
    {
        var server = await ScriptedAnthropicServer.StartAsync(scriptFor(task), ct);
        return new E2EBackendLease(new ClaudeCodeBackend(server.BaseUrl, ModelName, AuthToken), server);
    }
}
