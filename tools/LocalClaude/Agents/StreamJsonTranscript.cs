using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalClaude.Agents;

/// <summary>One tool call the model made, with what Claude Code answered to it.</summary>
/// <param name="Malformed">Claude Code could not run it as asked: input not JSON, input not matching the tool's schema, or no such tool.</param>
/// <param name="ResultIsError">The tool_result's <c>is_error</c>; null while no result came back (the run ended first).</param>
public sealed record TranscriptToolCall(string Id, string Name, string InputJson, bool Malformed, bool? ResultIsError, string? ResultExcerpt);

/// <summary>
/// Reads Claude Code 2.1.328's <c>--output-format stream-json --verbose --include-partial-messages</c> output, one
/// JSON object per line: <c>system</c> (init, status, api_retry), <c>stream_event</c> (the raw Messages stream of
/// every request, with Claude Code's own <c>ttft_ms</c> on <c>message_start</c>), <c>assistant</c> and <c>user</c>
/// messages (tool calls and their results), and a final <c>result</c>. Lines can be fed as they arrive, so a run
/// that is killed at its timeout still has everything it produced so far.
/// </summary>
public sealed class StreamJsonTranscript
{
    /// <summary>The <c>error</c> of Claude Code's synthetic message when a response hit max_tokens (not a server error).</summary>
    public const string OutputLimitError = "max_output_tokens";

    private readonly List<string> _messageIds = [];
    private readonly Dictionary<string, (long Input, long Output)> _usage = new(StringComparer.Ordinal);
    private readonly List<string> _stopReasons = [];
    private readonly List<TranscriptToolCall> _toolCalls = [];
    private readonly Dictionary<string, int> _toolCallIndex = new(StringComparer.Ordinal);
    private readonly List<string> _apiErrors = [];

    public int Lines { get; private set; }
    /// <summary>Lines that were not a JSON object (stray output on stdout).</summary>
    public int UnreadableLines { get; private set; }
    public string? ClaudeCodeVersion { get; private set; }
    public string? Model { get; private set; }
    public string? SessionId { get; private set; }
    /// <summary>The folder Claude Code says it works in (init <c>cwd</c>).</summary>
    public string? WorkingDirectory { get; private set; }

    /// <summary>Model responses: one per Messages request that streamed a <c>message_start</c>.</summary>
    public int Turns => _messageIds.Count;
    public IReadOnlyList<TranscriptToolCall> ToolCalls => _toolCalls;
    public int MalformedToolCalls => _toolCalls.Count(c => c.Malformed);
    /// <summary>Failed requests: every retried failure (<c>api_retry</c>) and every error Claude Code gave up on.</summary>
    public int ApiErrors => _apiErrors.Count;
    public IReadOnlyList<string> ApiErrorMessages => _apiErrors;
    /// <summary>Errors Claude Code gave up on that carry an HTTP status: the server refused the request, in its own words.</summary>
    public IReadOnlyList<Results.RejectedRequest> Rejections => _rejections;
    private readonly List<Results.RejectedRequest> _rejections = [];
    /// <summary>
    /// Retried failures without an HTTP status (Claude Code's error "unknown"): the connection was lost before an
    /// answer, e.g. a kept-alive connection llama-server had just closed (conformance check http.keep-alive). Counted in
    /// <see cref="ApiErrors"/> too.
    /// </summary>
    public int ConnectionRetries { get; private set; }
    /// <summary>Responses that stopped at max_tokens (Claude Code asks the model to resume, up to three times, then gives up).</summary>
    public int OutputLimitHits => _stopReasons.Count(r => r == "max_tokens");
    /// <summary>Each response's stop_reason, in order.</summary>
    public IReadOnlyList<string> StopReasons => _stopReasons;

    /// <summary>Prompt tokens over all responses, cached ones included (llama-server reports those apart).</summary>
    public long InputTokens => _usage.Values.Sum(u => u.Input);
    public long OutputTokens => _usage.Values.Sum(u => u.Output);

    /// <summary>Claude Code's own time to first token of the first request (<c>ttft_ms</c> of the first message_start).</summary>
    public TimeSpan? TimeToFirstToken { get; private set; }

    /// <summary>A final <c>result</c> line arrived (absent when the run was killed or crashed).</summary>
    public bool HasResult { get; private set; }
    /// <summary>The final answer text (<c>result</c>); an error text when the run ended on an error.</summary>
    public string? FinalText { get; private set; }
    public bool ResultIsError { get; private set; }
    /// <summary>Why the session ended: <c>completed</c>, <c>api_error</c>, <c>max_turns</c>…</summary>
    public string? TerminalReason { get; private set; }
    public string? ResultSubtype { get; private set; }
    /// <summary>The HTTP status Claude Code gave up on, when it ended on a server error.</summary>
    public int? ApiErrorStatus { get; private set; }
    /// <summary>Claude Code's own count of turns (<c>num_turns</c>).</summary>
    public int? ReportedTurns { get; private set; }

    /// <summary>The session ended because a request failed (not because the model hit its output limit).</summary>
    public bool EndedOnApiError => HasResult && TerminalReason == "api_error" && !EndedOnOutputLimit;
    /// <summary>The session ended because responses kept stopping at max_tokens.</summary>
    public bool EndedOnOutputLimit { get; private set; }

    public static StreamJsonTranscript Parse(IEnumerable<string> lines)
    {
        var transcript = new StreamJsonTranscript();
        foreach (var line in lines) transcript.Add(line);
        return transcript;
    }

    public static StreamJsonTranscript Load(string path) => Parse(File.ReadLines(path));

    /// <summary>Reads one line of output.</summary>
    public void Add(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        Lines++;
        JsonObject? json;
        try { json = JsonNode.Parse(line) as JsonObject; }
        catch (JsonException) { json = null; }
        if (json is null)
        {
            UnreadableLines++;
            return;
        }
        switch (Str(json, "type"))
        {
            case "system": OnSystem(json); break;
            case "stream_event": OnStreamEvent(json); break;
            case "assistant": OnAssistant(json); break;
            case "user": OnUser(json); break;
            case "result": OnResult(json); break;
        }
    }

    private void OnSystem(JsonObject json)
    {
        switch (Str(json, "subtype"))
        {
            case "init":
                ClaudeCodeVersion ??= Str(json, "claude_code_version");
                Model ??= Str(json, "model");
                SessionId ??= Str(json, "session_id");
                WorkingDirectory ??= Str(json, "cwd");
                break;
            case "api_retry":
                var status = json["error_status"]?.ToString() ?? "no status";
                if (json["error_status"] is null) ConnectionRetries++;
                _apiErrors.Add($"retried after {Str(json, "error") ?? "an error"} ({status})");
                break;
        }
    }

    private void OnStreamEvent(JsonObject json)
    {
        if (json["event"] is not JsonObject e) return;
        var id = Str(json, "api_message_id");
        switch (Str(e, "type"))
        {
            case "message_start":
                var message = e["message"] as JsonObject;
                id ??= message is null ? null : Str(message, "id");
                id ??= $"#{_messageIds.Count + 1}";
                if (!_messageIds.Contains(id)) _messageIds.Add(id);
                if (TimeToFirstToken is null && json["ttft_ms"] is JsonValue ttft && ttft.TryGetValue<double>(out var ms))
                    TimeToFirstToken = TimeSpan.FromMilliseconds(ms);
                if (message?["usage"] is JsonObject usage)
                    _usage[id] = (Long(usage, "input_tokens") + Long(usage, "cache_read_input_tokens") + Long(usage, "cache_creation_input_tokens"),
                                  Long(usage, "output_tokens"));
                break;
            case "message_delta":
                id ??= _messageIds.LastOrDefault();
                if (e["delta"] is JsonObject delta && Str(delta, "stop_reason") is { } stop) _stopReasons.Add(stop);
                // message_delta's output_tokens is the running total for that response.
                if (id is not null && e["usage"] is JsonObject final && final["output_tokens"] is not null)
                    _usage[id] = (_usage.GetValueOrDefault(id).Input, Long(final, "output_tokens"));
                break;
        }
    }

    private void OnAssistant(JsonObject json)
    {
        if (json["message"] is not JsonObject message || message["content"] is not JsonArray content) return;
        if (Str(message, "model") == "<synthetic>" || json["is_api_error_message"] is not null || json["isApiErrorMessage"] is not null)
        {
            OnSyntheticError(json, content);
            return;
        }
        foreach (var block in content.OfType<JsonObject>().Where(b => Str(b, "type") == "tool_use"))
        {
            var id = Str(block, "id") ?? $"tool-{_toolCalls.Count + 1}";
            if (_toolCallIndex.ContainsKey(id)) continue;
            var input = block["input"];
            // Claude Code keeps input it could not parse as {"__unparsedToolInput": {"raw": …}}.
            var unparsed = input is JsonObject o && o.ContainsKey("__unparsedToolInput");
            _toolCallIndex[id] = _toolCalls.Count;
            _toolCalls.Add(new TranscriptToolCall(id, Str(block, "name") ?? "", input?.ToJsonString() ?? "{}", unparsed, null, null));
        }
    }

    private void OnSyntheticError(JsonObject json, JsonArray content)
    {
        var text = string.Concat(content.OfType<JsonObject>().Select(b => Str(b, "text")));
        var error = Str(json, "error");
        if (error == OutputLimitError)
        {
            EndedOnOutputLimit = true;
            return;
        }
        _apiErrors.Add(text.Length > 0 ? text : error ?? "API error");
        // Claude Code words it "API Error: 400 {server's body}"; a lost connection has no status and is no rejection.
        var rejected = System.Text.RegularExpressions.Regex.Match(text, @"^API Error: (\d{3})\b\s*(.*)", System.Text.RegularExpressions.RegexOptions.Singleline);
        if (rejected.Success)
            _rejections.Add(new Results.RejectedRequest(int.Parse(rejected.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                Excerpt(rejected.Groups[2].Value.Trim(), 300)));
    }

    private static string Excerpt(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private void OnUser(JsonObject json)
    {
        if (json["message"] is not JsonObject message || message["content"] is not JsonArray content) return;
        foreach (var block in content.OfType<JsonObject>().Where(b => Str(b, "type") == "tool_result"))
        {
            if (Str(block, "tool_use_id") is not { } id || !_toolCallIndex.TryGetValue(id, out var index)) continue;
            var isError = block["is_error"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
            var text = ResultText(block["content"]);
            var call = _toolCalls[index];
            _toolCalls[index] = call with
            {
                ResultIsError = isError,
                ResultExcerpt = text.Length > 300 ? text[..300] : text,
                Malformed = call.Malformed || (isError && IsMalformedCallError(text)),
            };
        }
    }

    private void OnResult(JsonObject json)
    {
        HasResult = true;
        FinalText = Str(json, "result");
        ResultIsError = json["is_error"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        TerminalReason = Str(json, "terminal_reason");
        ResultSubtype = Str(json, "subtype");
        ApiErrorStatus = json["api_error_status"] is JsonValue s && s.TryGetValue<int>(out var status) ? status : null;
        ReportedTurns = json["num_turns"] is JsonValue t && t.TryGetValue<int>(out var turns) ? turns : null;
    }

    /// <summary>Claude Code's answers to a call it could not run as given (seen in 2.1.328).</summary>
    public static bool IsMalformedCallError(string toolResult) =>
        toolResult.Contains("InputValidationError", StringComparison.Ordinal)
        || toolResult.Contains("No such tool available", StringComparison.Ordinal);

    private static string ResultText(JsonNode? content) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray blocks => string.Concat(blocks.OfType<JsonObject>().Select(b => Str(b, "text"))),
        _ => "",
    };

    private static string? Str(JsonObject json, string name) =>
        json[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long Long(JsonObject json, string name) =>
        json[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : 0;
}
