using System.Globalization;
using LocalClaude.Terminal;

namespace LocalClaude.Agents;

/// <summary>The Anthropic-compatible server Claude Code talks to, as the host sees it (127.0.0.1:PORT).</summary>
/// <param name="ModelName">What Claude Code sends as <c>model</c> (ANTHROPIC_MODEL and the small/fast model).</param>
/// <param name="AuthToken">Sent as <c>Authorization: Bearer</c> (ANTHROPIC_AUTH_TOKEN); not a secret, it shows in <c>ps</c>.</param>
/// <param name="ContextTokens">The context one request gets (a profile's CTX/NP), as CLAUDE_CODE_MAX_CONTEXT_TOKENS, so Claude Code
/// does not assume a 1M-token window for an unknown model name; null: Claude Code's own guess.</param>
public sealed record ClaudeCodeBackend(Uri BaseUrl, string ModelName, string AuthToken, int? ContextTokens = null)
{
    public int Port => BaseUrl.Port;
}

/// <summary>One headless run of Claude Code in the sandbox: what it is told, where it works, how long it may take.</summary>
public sealed record ClaudeCodeInvocation
{
    /// <summary>Exactly what Claude Code is told (<c>-p</c>).</summary>
    public required string Instruction { get; init; }
    /// <summary>The tools it may use without asking (<c>--allowedTools</c>).</summary>
    public required IReadOnlyList<string> AllowedTools { get; init; }
    public required int MaxTurns { get; init; }
    public required TimeSpan Timeout { get; init; }
    /// <summary>Host folder Claude Code works in (seen as <see cref="Sandbox.SandboxSpec.DefaultWorkInside"/> inside).</summary>
    public required string WorkDirectory { get; init; }
    /// <summary>Host folder that becomes its HOME: its own ~/.claude and ~/.claude.json, never the user's.</summary>
    public required string HomeDirectory { get; init; }
    public required ClaudeCodeBackend Backend { get; init; }
    /// <summary>stream-json output, one line per event, exactly as printed.</summary>
    public required string TranscriptPath { get; init; }
    /// <summary>The command line, stdout and stderr together (Claude Code's own warnings land here).</summary>
    public required string LogPath { get; init; }
    /// <summary>
    /// CLAUDE_CODE_MAX_OUTPUT_TOKENS: the <c>max_tokens</c> Claude Code asks for (32000 otherwise). llama-server's
    /// <c>-n</c> does not cap a request that names its own max_tokens, and a random-weights model rarely stops.
    /// </summary>
    public int? MaxOutputTokens { get; init; }
    /// <summary>CLAUDE_CODE_MAX_RETRIES: how often a failed request is retried (Claude Code's default is 10, with backoff).</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Claude Code's arguments after the binary.</summary>
    public IReadOnlyList<string> HeadlessArguments() =>
    [
        "-p", Instruction,
        "--output-format", "stream-json", "--verbose",
        // Raw stream events carry each request's usage, stop_reason and Claude Code's own ttft_ms.
        "--include-partial-messages",
        "--allowedTools", string.Join(",", AllowedTools),
        "--max-turns", MaxTurns.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>The local-backend environment plus the caps for this run; nothing from the host.</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>(ClaudeCodeEnvironment.ForLocalBackend(Backend.BaseUrl, Backend.ModelName, Backend.AuthToken))
        {
            ["DISABLE_TELEMETRY"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
        };
        if (MaxOutputTokens is { } cap) env["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] = cap.ToString(CultureInfo.InvariantCulture);
        if (Backend.ContextTokens is { } context) env["CLAUDE_CODE_MAX_CONTEXT_TOKENS"] = context.ToString(CultureInfo.InvariantCulture);
        if (MaxRetries is { } retries) env["CLAUDE_CODE_MAX_RETRIES"] = retries.ToString(CultureInfo.InvariantCulture);
        return env;
    }
}

/// <summary>What one headless run produced.</summary>
/// <param name="ExitCode">Claude Code's exit status; null when it was killed at the timeout.</param>
public sealed record ClaudeCodeRunResult(
    StreamJsonTranscript Transcript,
    int? ExitCode,
    bool TimedOut,
    TimeSpan Wall,
    string TranscriptPath,
    string LogPath,
    string LogTail);
