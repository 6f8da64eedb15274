using System.Text.Json.Nodes;

namespace LocalClaude.Traffic;

/// <summary><c>manifest.json</c>: what was recorded, how, and against what.</summary>
public sealed record TrafficManifest
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string ClaudeCodeVersion { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
    /// <summary>The <c>tools/localclaude record …</c> command line that produced the fixture (scrubbed).</summary>
    public string? RecordedWith { get; init; }
    public required TrafficScenario Scenario { get; init; }
    public required TrafficUpstream Upstream { get; init; }
    /// <summary>How many <c>requests/NNN.request.json</c> files belong to the fixture: a missing one is a truncated fixture.</summary>
    public required int RequestCount { get; init; }
    /// <summary>The placeholders the fixture's files use.</summary>
    public IReadOnlyList<string> Placeholders { get; init; } = [];
}

/// <summary>How Claude Code was run.</summary>
public sealed record TrafficScenario
{
    public const string Headless = "headless";
    public const string Interactive = "interactive";
    /// <summary>From a user's HTTP Archive (<c>record import</c>): how Claude Code was run is not known, so it cannot be re-recorded.</summary>
    public const string Imported = "imported";

    /// <summary><see cref="Headless"/> (<c>-p</c>), <see cref="Interactive"/> (under tmux) or <see cref="Imported"/>.</summary>
    public required string Mode { get; init; }
    /// <summary>Claude Code's arguments, as given after <c>--</c> (plus the output flags the recorder adds for headless runs).</summary>
    public required IReadOnlyList<string> ClaudeArguments { get; init; }
    /// <summary>Interactive: what was typed, one entry per turn (slash commands included).</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];
    /// <summary>Variables this scenario sets on top of the local-backend environment (<c>record --env</c>); <c>--compare</c> reuses them.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOverrides { get; init; } = new Dictionary<string, string>();
    /// <summary>True when CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC was left unset, so background calls were sent.</summary>
    public bool NonEssentialTraffic { get; init; }
    /// <summary>The whole environment the recorder set for Claude Code (credentials and paths as placeholders).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    /// <summary>Files the work folder held when Claude Code started (name → content).</summary>
    public IReadOnlyDictionary<string, string> WorkFiles { get; init; } = new Dictionary<string, string>();
}

/// <summary>Who answered Claude Code while recording.</summary>
public sealed record TrafficUpstream
{
    public const string ProfileKind = "profile";
    public const string ControlKind = "control";
    public const string UrlKind = "url";

    /// <summary><see cref="ProfileKind"/>, <see cref="ControlKind"/> (a scripted responder, not a model) or <see cref="UrlKind"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>The profile name, the control script's name, or the URL.</summary>
    public required string Name { get; init; }
    public string? Server { get; init; }
    /// <summary>The generation cap the upstream applied (a profile's MAX_OUTPUT_TOKENS, llama-server's -n).</summary>
    public int? MaxOutputTokens { get; init; }
    public string? Note { get; init; }
}

/// <summary><c>requests/NNN.request.json</c>: one request as Claude Code sent it (scrubbed) and how the upstream answered.</summary>
public sealed record TrafficRequest
{
    /// <summary>1-based; the file name carries the same number.</summary>
    public required int Index { get; init; }
    /// <summary>See <see cref="RequestPurpose"/>.</summary>
    public required string Purpose { get; init; }
    public required string Method { get; init; }
    /// <summary>Path and query, e.g. <c>/v1/messages?beta=true</c>.</summary>
    public required string Path { get; init; }
    /// <summary>Arrival at the proxy, in milliseconds after the first request arrived.</summary>
    public required double ArrivalMs { get; init; }
    /// <summary>When the last byte of the answer went back to Claude Code (same clock).</summary>
    public required double CompletionMs { get; init; }
    /// <summary>The requests that were in flight at the same time (their indices).</summary>
    public IReadOnlyList<int> OverlapsWith { get; init; } = [];
    /// <summary>Lower-case names, sorted; credentials as placeholders; content-length left out (it changes with placeholders).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>The JSON body, or null (see <see cref="BodyText"/>).</summary>
    public JsonNode? Body { get; init; }
    /// <summary>A body that is not JSON, as text.</summary>
    public string? BodyText { get; init; }
    public required TrafficResponse Response { get; init; }

    public bool Overlapped => OverlapsWith.Count > 0;
}

/// <summary>The upstream's answer; its body is in a sibling file.</summary>
public sealed record TrafficResponse
{
    /// <summary>0 when no answer came (see <see cref="TransportError"/>).</summary>
    public required int Status { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>File name next to the request file, e.g. <c>001.response.sse</c>; null for an empty body.</summary>
    public string? BodyFile { get; init; }
    /// <summary>Length of the body file: a shorter file is a truncated fixture.</summary>
    public long BodyBytes { get; init; }
    public double? FirstByteMs { get; init; }
    /// <summary>How many pieces the body arrived in (more than one: it was streamed).</summary>
    public int Chunks { get; init; }
    public string? TransportError { get; init; }
}

/// <summary>One request of a loaded fixture, with its answer's bytes.</summary>
public sealed record FixtureExchange(TrafficRequest Request, byte[] ResponseBody, string RequestFile, string? ResponseFile)
{
    public int Index => Request.Index;
    public string Purpose => Request.Purpose;
}
