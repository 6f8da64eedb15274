using System.Collections.Frozen;

namespace LocalClaude.Protocol;

/// <summary>
/// Every finding ID the protocol layer can report, with its fixed severity.
/// Reports, the gate and the fixture corpus all read IDs from here; an ID is never reused for another meaning.
/// </summary>
public static class FindingCatalog
{
    private const FindingSeverity Note = FindingSeverity.Note;
    private const FindingSeverity Deviation = FindingSeverity.Deviation;
    private const FindingSeverity Violation = FindingSeverity.Violation;
    private const FindingSeverity ClientBreak = FindingSeverity.ClientBreak;

    // --- SSE framing (WHATWG EventSource parsing) ---
    public static readonly FindingDefinition SseByteOrderMark = new("sse.byte-order-mark", Note,
        "The stream starts with a UTF-8 byte order mark; EventSource strips it, hand-written parsers may not.");
    public static readonly FindingDefinition SseInvalidUtf8 = new("sse.invalid-utf8", Violation,
        "A line is not valid UTF-8; text/event-stream is always UTF-8.");
    public static readonly FindingDefinition SseUnknownField = new("sse.unknown-field", Note,
        "A line names a field other than event, data, id or retry (names are case-sensitive); SSE ignores it.");
    public static readonly FindingDefinition SseInvalidRetry = new("sse.invalid-retry", Note,
        "A retry field whose value is not ASCII digits; SSE ignores it.");
    public static readonly FindingDefinition SseEventWithoutData = new("sse.event-without-data", Violation,
        "A block with an event: line but no data line; EventSource and the SDKs never dispatch it.");
    public static readonly FindingDefinition SseUnterminatedFinalEvent = new("sse.unterminated-final-event", ClientBreak,
        "The last event is not closed by a blank line; EventSource and the SDKs drop it (the C# SDK then throws); this validator still reads it.");
    public static readonly FindingDefinition SseMultilineData = new("sse.multiline-data", Note,
        "An event's data spans several data: lines (joined with \\n); legal SSE, unusual for Anthropic.");
    public static readonly FindingDefinition SseMissingEventName = new("sse.missing-event-name", ClientBreak,
        "An event has no event: line; the TS SDK (Claude Code) dispatches on the SSE event name and drops it.");
    public static readonly FindingDefinition SseEventNameMismatch = new("sse.event-name-mismatch", Violation,
        "The SSE event name differs from the data's type; Anthropic always sends both equal.");

    // --- Anthropic streaming event order and shape ---
    public static readonly FindingDefinition StreamEmpty = new("stream.empty", ClientBreak,
        "The stream carries no event at all; SDKs fail with 'request ended without sending any chunks'.");
    public static readonly FindingDefinition StreamDataNotJson = new("stream.data-not-json", ClientBreak,
        "An event's data is not JSON; the SDKs throw while parsing it.");
    public static readonly FindingDefinition StreamDataNotObject = new("stream.data-not-object", Violation,
        "An event's data is JSON but not an object.");
    public static readonly FindingDefinition StreamMissingType = new("stream.missing-type", Violation,
        "An event's data has no string 'type'.");
    public static readonly FindingDefinition StreamUnknownEventType = new("stream.unknown-event-type", Note,
        "An event type this validator does not know; Anthropic's versioning policy says clients must tolerate it.");
    public static readonly FindingDefinition StreamEventShape = new("stream.event-shape", Violation,
        "A required field of a stream event is missing or has the wrong JSON type (index, delta, content_block, message).");
    public static readonly FindingDefinition StreamMissingMessageStart = new("stream.missing-message-start", ClientBreak,
        "An event arrives before message_start; the SDKs throw 'Unexpected event order'.");
    public static readonly FindingDefinition StreamDuplicateMessageStart = new("stream.duplicate-message-start", ClientBreak,
        "A second message_start in one stream; the SDKs throw 'Unexpected event order'.");
    public static readonly FindingDefinition StreamMessageStartContentNotEmpty = new("stream.message-start-content-not-empty", Violation,
        "message_start carries a message whose content is not an empty array.");
    public static readonly FindingDefinition StreamBlockOverlap = new("stream.block-overlap", ClientBreak,
        "A content block starts while another is still open (llama.cpp v0.5.0 with thinking; Ollama): 'Content block not found'.");
    public static readonly FindingDefinition StreamIndexGap = new("stream.index-gap", ClientBreak,
        "A content block index skips a number; indices must be contiguous from 0.");
    public static readonly FindingDefinition StreamDuplicateIndex = new("stream.duplicate-index", ClientBreak,
        "A content_block_start reuses an index that already started.");
    public static readonly FindingDefinition StreamDeltaUnknownIndex = new("stream.delta-unknown-index", ClientBreak,
        "A content_block_delta for an index that never started: 'Content block not found'.");
    public static readonly FindingDefinition StreamDeltaAfterStop = new("stream.delta-after-stop", Violation,
        "A content_block_delta for a block that already stopped; clients have already finalised it.");
    public static readonly FindingDefinition StreamStopUnknownIndex = new("stream.stop-unknown-index", ClientBreak,
        "A content_block_stop for an index that never started: 'Content block not found'.");
    public static readonly FindingDefinition StreamDuplicateStop = new("stream.duplicate-stop", Violation,
        "A second content_block_stop for the same block.");
    public static readonly FindingDefinition StreamBlockNotStopped = new("stream.block-not-stopped", Violation,
        "A content block is still open at message_delta, message_stop or the end of the stream.");
    public static readonly FindingDefinition StreamBlockAfterMessageDelta = new("stream.block-after-message-delta", Violation,
        "A content block starts after message_delta; the message was already declared finished.");
    public static readonly FindingDefinition StreamDeltaTypeMismatch = new("stream.delta-type-mismatch", ClientBreak,
        "A delta type does not fit its block (e.g. text_delta into tool_use): 'Content block is not a text block'.");
    public static readonly FindingDefinition StreamUnknownDeltaType = new("stream.unknown-delta-type", Note,
        "A delta type this validator does not know.");
    public static readonly FindingDefinition StreamBlockStartNotEmpty = new("stream.block-start-not-empty", Deviation,
        "content_block_start already carries content (text, thinking or a non-empty input); Anthropic sends it empty.");
    public static readonly FindingDefinition StreamToolInputInvalidJson = new("stream.tool-input-invalid-json", ClientBreak,
        "The concatenated partial_json of a tool block does not parse as JSON (truncated tool arguments).");
    public static readonly FindingDefinition StreamMissingMessageDelta = new("stream.missing-message-delta", Violation,
        "message_stop arrives without any message_delta: no stop_reason, no output usage.");
    public static readonly FindingDefinition StreamMissingMessageStop = new("stream.missing-message-stop", ClientBreak,
        "The stream ends without message_stop (truncated); the official C# SDK's Aggregate() throws.");
    public static readonly FindingDefinition StreamEventAfterEnd = new("stream.event-after-end", Violation,
        "Events after message_stop or an error event.");
    public static readonly FindingDefinition StreamErrorEvent = new("stream.error-event", Note,
        "The stream carries an error event (legal, e.g. overloaded_error); clients raise it as an API error.");

    // --- The message (streamed aggregate or non-streaming body) ---
    public static readonly FindingDefinition MessageMissingField = new("message.missing-field", Violation,
        "A required message field (id, type, role, content, model, stop_reason, usage) is missing or has the wrong JSON type.");
    public static readonly FindingDefinition MessageWrongType = new("message.wrong-type", Violation,
        "The message's type is not \"message\".");
    public static readonly FindingDefinition MessageWrongRole = new("message.wrong-role", Violation,
        "The message's role is not \"assistant\".");
    public static readonly FindingDefinition MessageIdPrefix = new("message.id-prefix", Deviation,
        "The message id does not start with msg_ (llama.cpp sends chatcmpl-…).");
    public static readonly FindingDefinition MessageBlockShape = new("message.block-shape", Violation,
        "A content block lacks a required field (text, thinking, id, name, input) or has the wrong JSON type.");
    public static readonly FindingDefinition MessageUnknownBlockType = new("message.unknown-block-type", Note,
        "A content block type this validator does not know.");
    public static readonly FindingDefinition MessageToolIdPrefix = new("message.tool-id-prefix", Deviation,
        "A tool_use id does not start with toolu_ (srvtoolu_ for server_tool_use).");
    public static readonly FindingDefinition MessageToolInputNotObject = new("message.tool-input-not-object", Violation,
        "A tool block's input is valid JSON but not an object.");
    public static readonly FindingDefinition MessageThinkingSignatureMissing = new("message.thinking-signature-missing", Deviation,
        "A thinking block has no or an empty signature (llama.cpp sends \"\"); Anthropic rejects it when sent back.");
    public static readonly FindingDefinition MessageStopReasonMissing = new("message.stop-reason-missing", Violation,
        "The finished message has no stop_reason.");
    public static readonly FindingDefinition MessageStopReasonUnknown = new("message.stop-reason-unknown", Violation,
        "stop_reason is not one of end_turn, max_tokens, stop_sequence, tool_use, pause_turn, refusal, model_context_window_exceeded.");
    public static readonly FindingDefinition MessageStopSequenceMissing = new("message.stop-sequence-missing", Violation,
        "stop_reason is stop_sequence but stop_sequence is null or empty.");
    public static readonly FindingDefinition MessageStopSequenceUnexpected = new("message.stop-sequence-unexpected", Deviation,
        "stop_sequence is set while stop_reason is not stop_sequence (llama.cpp reports a stop-sequence hit this way).");
    public static readonly FindingDefinition MessageToolUseStopWithoutBlock = new("message.tool-use-stop-without-block", Violation,
        "stop_reason is tool_use but the message has no tool_use block.");
    public static readonly FindingDefinition MessageToolBlockWithoutToolUseStop = new("message.tool-block-without-tool-use-stop", Deviation,
        "The message has a tool_use block but stop_reason is neither tool_use nor max_tokens.");
    public static readonly FindingDefinition MessageNoContent = new("message.no-content", Deviation,
        "The finished message has no content block (llama.cpp streamed none for a newline-only answer); Claude Code shows an empty turn.");
    public static readonly FindingDefinition MessageUsageMissingInputTokens = new("message.usage-missing-input-tokens", Violation,
        "usage.input_tokens is missing (message_start or the body).");
    public static readonly FindingDefinition MessageUsageMissingOutputTokens = new("message.usage-missing-output-tokens", ClientBreak,
        "usage.output_tokens is missing (message_delta or the body); the C# SDK's Aggregate() throws \"'output_tokens' cannot be absent\".");
    public static readonly FindingDefinition MessageUsageInvalid = new("message.usage-invalid", Violation,
        "A usage token count is not a non-negative integer.");

    // --- Whole bodies ---
    public static readonly FindingDefinition BodyNotJson = new("body.not-json", Violation,
        "The body is not JSON.");
    public static readonly FindingDefinition BodyNotObject = new("body.not-object", Violation,
        "The body is JSON but not an object.");

    // --- Error bodies and error events ---
    public static readonly FindingDefinition ErrorEnvelopeShape = new("error.envelope-shape", Violation,
        "The error is not {\"type\":\"error\",\"error\":{\"type\":string,\"message\":string}}.");
    public static readonly FindingDefinition ErrorOpenAiShape = new("error.openai-shape", Deviation,
        "The error is OpenAI-shaped {\"error\":{\"code\",\"message\",\"type\"}} (llama.cpp), not Anthropic's envelope.");
    public static readonly FindingDefinition ErrorUnknownType = new("error.unknown-type", Deviation,
        "error.type is not one of Anthropic's error types (e.g. llama.cpp's exceed_context_size_error, server_error).");
    public static readonly FindingDefinition ErrorStatusMismatch = new("error.status-mismatch", Deviation,
        "The HTTP status does not match error.type as Anthropic maps it (400 invalid_request_error … 529 overloaded_error).");

    // --- A real client consuming the stream ---
    public static readonly FindingDefinition ClientSdkError = new("client.sdk-error", ClientBreak,
        "The official Anthropic C# SDK threw while consuming the response (CreateStreaming + Aggregate).");

    // --- HTTP response captures ---
    public static readonly FindingDefinition HttpUnexpectedStatus = new("http.unexpected-status", Violation,
        "A success body with an error status, or an error body with a 2xx status.");
    public static readonly FindingDefinition HttpContentTypeMismatch = new("http.content-type-mismatch", Deviation,
        "Content-Type does not fit the body (text/event-stream for streams, application/json for bodies).");

    /// <summary>Every definition, in catalog order.</summary>
    public static IReadOnlyList<FindingDefinition> All { get; } =
    [
        SseByteOrderMark, SseInvalidUtf8, SseUnknownField, SseInvalidRetry, SseEventWithoutData,
        SseUnterminatedFinalEvent, SseMultilineData, SseMissingEventName, SseEventNameMismatch,
        StreamEmpty, StreamDataNotJson, StreamDataNotObject, StreamMissingType, StreamUnknownEventType,
        StreamEventShape, StreamMissingMessageStart, StreamDuplicateMessageStart, StreamMessageStartContentNotEmpty,
        StreamBlockOverlap, StreamIndexGap, StreamDuplicateIndex, StreamDeltaUnknownIndex, StreamDeltaAfterStop,
        StreamStopUnknownIndex, StreamDuplicateStop, StreamBlockNotStopped, StreamBlockAfterMessageDelta,
        StreamDeltaTypeMismatch, StreamUnknownDeltaType, StreamBlockStartNotEmpty, StreamToolInputInvalidJson,
        StreamMissingMessageDelta, StreamMissingMessageStop, StreamEventAfterEnd, StreamErrorEvent,
        MessageMissingField, MessageWrongType, MessageWrongRole, MessageIdPrefix, MessageBlockShape,
        MessageUnknownBlockType, MessageToolIdPrefix, MessageToolInputNotObject, MessageThinkingSignatureMissing,
        MessageStopReasonMissing, MessageStopReasonUnknown, MessageStopSequenceMissing, MessageStopSequenceUnexpected,
        MessageToolUseStopWithoutBlock, MessageToolBlockWithoutToolUseStop, MessageNoContent,
        MessageUsageMissingInputTokens, MessageUsageMissingOutputTokens, MessageUsageInvalid,
        BodyNotJson, BodyNotObject,
        ErrorEnvelopeShape, ErrorOpenAiShape, ErrorUnknownType, ErrorStatusMismatch,
        ClientSdkError,
        HttpUnexpectedStatus, HttpContentTypeMismatch,
    ];

    private static readonly FrozenDictionary<string, FindingDefinition> ById =
        All.ToFrozenDictionary(definition => definition.Id, StringComparer.Ordinal);

    public static bool TryGet(string id, out FindingDefinition definition) =>
        ById.TryGetValue(id, out definition!);

    public static FindingDefinition Get(string id) =>
        ById.TryGetValue(id, out var definition)
            ? definition
            : throw new KeyNotFoundException($"'{id}' is not a finding ID in {nameof(FindingCatalog)}.");
}
