using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;

namespace LocalClaude.Server;

/// <summary>
/// One running llama-server: started on a loopback port, healthy, logging to a file, and stopped with its
/// whole process tree (it runs under <see cref="GuardedProcess"/>, so it dies with us even on SIGKILL).
/// </summary>
public sealed class LlamaServerProcess : IAsyncDisposable
{
    private readonly GuardedProcess _process;

    private LlamaServerProcess(LlamaServerLaunch launch, GuardedProcess process, int port, TimeSpan startup)
    {
        Launch = launch;
        _process = process;
        Port = port;
        StartupTime = startup;
        BaseUrl = new Uri($"http://{launch.Host}:{port}");
    }

    public LlamaServerLaunch Launch { get; }
    public ModelProfile Profile => Launch.Profile;
    public int Port { get; }
    public Uri BaseUrl { get; }
    public string LogFile => _process.LogFile;
    public TimeSpan StartupTime { get; }
    public bool HasExited => _process.HasExited;
    /// <summary>Completes when the server exits (its exit code).</summary>
    public Task<int> Exited => _process.Exited;
    public int GuardPid => _process.GuardPid;
    public string LogTail(int lines = 30) => _process.Tail(lines);

    public static async Task<LlamaServerProcess> StartAsync(LlamaServerLaunch launch, CancellationToken cancellationToken = default)
    {
        Preflight(launch);
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var port = launch.Port ?? FreePort.Pick();
            try
            {
                return await StartOnceAsync(launch, port, cancellationToken);
            }
            // A picked port can be taken between the probe and the bind: pick again.
            catch (LlamaServerStartException e) when (e.Kind == ServerStartFailureKind.PortTaken && launch.Port is null && attempt < attempts)
            {
            }
        }
    }

    /// <summary>Names a missing binary or model file before anything starts.</summary>
    public static void Preflight(LlamaServerLaunch launch)
    {
        var p = launch.Profile;
        if (!File.Exists(launch.Binary))
            throw new LlamaServerStartException(ServerStartFailureKind.BinaryMissing,
                $"profile '{p.Name}' ({p.LocationOf("LLAMA_SERVER")}): llama-server binary not found at {launch.Binary}; run 'tools/localclaude setup'");
        CheckReadable(launch.ModelPath, p, "MODEL");
        if (launch.ChatTemplatePath is not null) CheckReadable(launch.ChatTemplatePath, p, "CHAT_TEMPLATE_FILE");
        if (launch.MultimodalProjectorPath is not null) CheckReadable(launch.MultimodalProjectorPath, p, "MMPROJ");
    }

    private static void CheckReadable(string path, ModelProfile profile, string key)
    {
        var where = $"profile '{profile.Name}' ({profile.LocationOf(key)}) {key}";
        if (!File.Exists(path))
            throw new LlamaServerStartException(ServerStartFailureKind.ModelFileMissing, $"{where}: file not found: {path}");
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new LlamaServerStartException(ServerStartFailureKind.ModelFileUnreadable, $"{where}: cannot read {path}: {e.Message}");
        }
    }

    private static async Task<LlamaServerProcess> StartOnceAsync(LlamaServerLaunch launch, int port, CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(launch.LogDirectory, $"llama-server-{launch.Profile.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{port}.log");
        var clock = Stopwatch.StartNew();
        var process = GuardedProcess.Start(launch.Binary, launch.Arguments(port), new GuardedProcessOptions { LogFile = logFile, Environment = launch.Environment });
        try
        {
            await WaitForHealthAsync(launch, process, port, cancellationToken);
            return new LlamaServerProcess(launch, process, port, clock.Elapsed);
        }
        catch
        {
            await process.StopAsync(TimeSpan.FromSeconds(5));
            await process.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitForHealthAsync(LlamaServerLaunch launch, GuardedProcess process, int port, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri($"http://{launch.Host}:{port}/health");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                var exitCode = await process.Exited;
                var lines = process.TailLines();
                var kind = ServerStartFailureClassifier.Classify(lines);
                throw new LlamaServerStartException(kind,
                    $"llama-server for profile '{launch.Profile.Name}' exited during start-up with code {exitCode}: {Describe(kind)}",
                    process.LogFile, process.Tail(15));
            }
            if (deadline.Elapsed > launch.HealthDeadline)
                throw new LlamaServerStartException(ServerStartFailureKind.Timeout,
                    $"llama-server for profile '{launch.Profile.Name}' was not healthy within {launch.HealthDeadline.TotalSeconds:0} s",
                    process.LogFile, process.Tail(15));
            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                    if (body?["status"]?.GetValue<string>() == "ok") return;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            await Task.Delay(150, cancellationToken);
        }
    }

    private static string Describe(ServerStartFailureKind kind) => kind switch
    {
        ServerStartFailureKind.PortTaken => "the port is already taken",
        ServerStartFailureKind.OutOfMemory => "out of memory (lower CTX, NP or NGL, or pick a smaller quantisation)",
        ServerStartFailureKind.ModelInvalid => "the model file could not be loaded (not a GGUF, truncated, or an unsupported architecture)",
        ServerStartFailureKind.BadArguments => "llama-server rejected its arguments (check EXTRA_ARGS against this build's --help)",
        _ => "it crashed",
    };

    /// <summary>Stops the server: SIGTERM, then the whole tree is killed after the grace period.</summary>
    public Task StopAsync(TimeSpan? grace = null) => _process.StopAsync(grace ?? TimeSpan.FromSeconds(10));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
