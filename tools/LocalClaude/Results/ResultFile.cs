using System.Text.Json;
using System.Text.Json.Serialization;
using LocalClaude.Infrastructure;

namespace LocalClaude.Results;

/// <summary>
/// One result file per profile and run, for conformance, replay and E2E alike: the report and the gate read only
/// these. Bump <see cref="CurrentSchema"/> on any change of shape; older files still load (new fields default empty).
/// Schema 2 added the samples behind every metric (<see cref="MetricSamples"/>, <see cref="Pairs"/>), the paired
/// measurement's sides and each E2E trial's rejected requests.
/// </summary>
public sealed record ResultFile
{
    public const int CurrentSchema = 2;

    public int Schema { get; init; } = CurrentSchema;
    /// <summary><c>conformance</c>, <c>replay</c> or <c>e2e</c>.</summary>
    public required string Kind { get; init; }
    public required RunInfo Run { get; init; }
    /// <summary>Conformance checks (and, for replay and E2E, the per-fixture / per-task verdicts, with the same shape).</summary>
    public IReadOnlyList<CheckResult> Checks { get; init; } = [];
    /// <summary>Replay: one entry per recorded request.</summary>
    public IReadOnlyList<ReplayedRequest> Requests { get; init; } = [];
    /// <summary>E2E: one entry per task trial.</summary>
    public IReadOnlyList<TaskTrial> Trials { get; init; } = [];
    /// <summary>Named measurements (seconds, tokens per second, ratios) for the report's charts and the gate's thresholds.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Every sample behind a metric that was measured more than once (its entry in <see cref="Metrics"/> is their median).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> MetricSamples { get; init; } = new Dictionary<string, IReadOnlyList<double>>();
    /// <summary>Kind <c>paired</c>: every pair of every metric, baseline and candidate measured in turn.</summary>
    public IReadOnlyList<PairedMetricSamples> Pairs { get; init; } = [];
    /// <summary>Kind <c>paired</c>: which builds were paired (<see cref="Run"/> describes the candidate).</summary>
    public PairedSides? Sides { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static ResultFile Load(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<ResultFile>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty result file");
            if (file.Schema > CurrentSchema)
                throw new InvalidDataException($"{path}: result schema {file.Schema} is newer than this tool's ({CurrentSchema})");
            return file;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a result file (line {e.LineNumber + 1}): {e.Message}", e);
        }
    }
}

/// <summary>What ran, where and against which builds.</summary>
public sealed record RunInfo
{
    public required string Profile { get; init; }
    public string? ProfileDescription { get; init; }
    public ServerInfo Server { get; init; } = new();
    public string? ClaudeCodeVersion { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public double DurationSeconds { get; init; }
    public string Machine { get; init; } = Environment.MachineName;
    /// <summary>The command line that produced the file, so a number can be reproduced.</summary>
    public string? Command { get; init; }
    public string? SuiteCommit { get; init; }
}

public sealed record ServerInfo
{
    public string? Url { get; init; }
    /// <summary>What <c>llama-server --version</c> printed, e.g. <c>0.5.0-dev (build 1, commit de3ff81)</c>.</summary>
    public string? Version { get; init; }
    public string? Commit { get; init; }
    public string? Build { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public bool? Tools { get; init; }
    public bool? Thinking { get; init; }
    public bool? Vision { get; init; }
    public bool? Synthetic { get; init; }
}

public enum CheckOutcome { Pass, Fail, KnownDeviation, NotApplicable }

/// <summary>
/// Why a check reached no verdict of its own (its outcome is then <see cref="CheckOutcome.Fail"/>): read this, never
/// the reason's wording. <see cref="CheckResultPolicy"/> says what each means for a command's exit code.
/// </summary>
public enum HarnessOutcome
{
    /// <summary>The check threw before it judged anything (a lost connection, a bug in the check).</summary>
    CouldNotRun,
    /// <summary>The check did not finish within its own timeout.</summary>
    TimedOut,
    /// <summary>The server this suite started exited during the check.</summary>
    ServerDied,
}

/// <summary>A protocol finding as stored in a result file.</summary>
public sealed record FindingRecord(string Id, string Severity, int? Event, string Message)
{
    /// <summary>Violations and client breaks block (<see cref="Protocol.FindingSeverityExtensions.IsBlocking"/>).</summary>
    [JsonIgnore]
    public bool IsBlocking => Protocol.FindingSeverityExtensions.IsBlocking(Protocol.FindingSeverityExtensions.ParseReportName(Severity));
}

/// <summary>What a check sent and what came back (excerpts), and which route reached the behaviour.</summary>
public sealed record Evidence
{
    public string? Request { get; init; }
    public string? Response { get; init; }
    public int? Status { get; init; }
    /// <summary>How the behaviour was reached on this model, e.g. <c>prefill + stop sequence</c> on random weights.</summary>
    public string? Route { get; init; }
    public string? Note { get; init; }
}

public sealed record CheckResult
{
    public required string Id { get; init; }
    public required string Area { get; init; }
    public required string Title { get; init; }
    public required CheckOutcome Outcome { get; init; }
    public required string Reason { get; init; }
    /// <summary>Set when the check reached no verdict of its own; null when it judged the server.</summary>
    public HarnessOutcome? Harness { get; init; }
    public Evidence? Evidence { get; init; }
    public IReadOnlyList<FindingRecord> Findings { get; init; } = [];
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Every sample behind a metric measured more than once (the metric holds their median).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> MetricSamples { get; init; } = new Dictionary<string, IReadOnlyList<double>>();
    public double DurationSeconds { get; init; }
}

/// <summary>The two builds of a paired measurement.</summary>
public sealed record PairedSides(string BaselineLabel, ServerInfo Baseline, string CandidateLabel, ServerInfo Candidate, int Rounds);

/// <summary>A request the server answered with an error status, and the server's own words.</summary>
public sealed record RejectedRequest(int? Status, string Message);

/// <summary>One recorded Claude Code request sent again to a profile.</summary>
public sealed record ReplayedRequest
{
    public required string Fixture { get; init; }
    public required int Index { get; init; }
    public required string Path { get; init; }
    public string? Purpose { get; init; }
    public int Status { get; init; }
    public IReadOnlyList<FindingRecord> Findings { get; init; } = [];
    public double? TimeToFirstByteSeconds { get; init; }
    public double TotalSeconds { get; init; }
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public int? CacheReadTokens { get; init; }
    /// <summary>Share of prompt tokens served from the prompt cache (null for the first turn).</summary>
    public double? CacheShare { get; init; }
    public bool Overlapped { get; init; }
    public string? Note { get; init; }
}

/// <summary>One run of one task through the real Claude Code.</summary>
public sealed record TaskTrial
{
    public required string Task { get; init; }
    public required string Category { get; init; }
    public required int Trial { get; init; }
    public required bool Passed { get; init; }
    /// <summary>Why it failed: <c>no-tool-call</c>, <c>malformed-tool-call</c>, <c>api-error</c>, <c>checker-failed</c>, <c>timeout</c>; null when passed.</summary>
    public string? FailureKind { get; init; }
    public string? CheckerMessage { get; init; }
    public double WallSeconds { get; init; }
    public int Turns { get; init; }
    public int ToolCalls { get; init; }
    public int ApiErrors { get; init; }
    /// <summary>Of <see cref="ApiErrors"/>: requests retried after the connection was lost before any answer (no HTTP status).</summary>
    public int ConnectionRetries { get; init; }
    public int MalformedToolCalls { get; init; }
    /// <summary>Requests the server refused (HTTP status and its error text), e.g. 400 "JSON schema conversion failed".</summary>
    public IReadOnlyList<RejectedRequest> Rejections { get; init; } = [];
    public int InputTokens { get; init; }
    public int OutputTokens { get; init; }
    public double? TimeToFirstTokenSeconds { get; init; }
    /// <summary>Path of the stream-json transcript, relative to the result file.</summary>
    public string? Transcript { get; init; }
    /// <summary>Set for control backends (oracle, no-op): never a profile's result.</summary>
    public string? Control { get; init; }
}
