using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace LocalClaude.Protocol;

/// <summary>What validating one stream produced.</summary>
public sealed record StreamValidationResult(
    IReadOnlyList<Finding> Findings,
    AggregatedMessage Message,
    StreamTimings Timings,
    int EventCount,
    SseStreamSummary? Sse)
{
    public bool HasBlockingFindings => Findings.Any(finding => finding.IsBlocking);
}

/// <summary>
/// A state machine over the Anthropic streaming spec: feed it events in order (<see cref="Observe"/>), then
/// <see cref="Complete"/>. It never throws on bad input; everything wrong becomes a <see cref="Finding"/>, and it keeps
/// aggregating what it can, as a tolerant client would. One instance validates one stream.
/// </summary>
public sealed class AnthropicStreamValidator
{
    private readonly List<Finding> _findings = [];
    private readonly Dictionary<string, (int Position, int Count)> _repeated = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, BlockState> _blocks = [];
    private readonly List<BlockState> _open = [];

    private SseEvent? _current;
    private int _eventCount;
    private int _nextIndex;
    private int _messageStarts;
    private bool _reportedMissingStart;
    private bool _sawMessageDelta;
    private bool _messageDeltaSentOutputTokens;
    private bool _sawMessageStop;
    private bool _endedByError;
    private bool _reportedAfterEnd;
    private bool _completed;

    private string? _id;
    private string? _model;
    private string? _role;
    private string? _stopReason;
    private string? _stopSequence;
    private MessageUsage _usage = MessageUsage.None;

    private TimeSpan? _firstEvent;
    private TimeSpan? _firstContentDelta;
    private TimeSpan? _lastEvent;

    private bool Ended => _sawMessageStop || _endedByError;

    /// <summary>Validates a stream parsed in memory.</summary>
    public static StreamValidationResult Validate(SseDocument document)
    {
        var validator = new AnthropicStreamValidator();
        foreach (var sseEvent in document.Events)
        {
            validator.Observe(sseEvent);
        }

        return validator.Complete(document.Summary);
    }

    public static StreamValidationResult Validate(ReadOnlySpan<byte> bytes) => Validate(SseReader.Parse(bytes));

    public static StreamValidationResult Validate(string text) => Validate(SseReader.Parse(text));

    /// <summary>Reads and validates a live stream; arrival times come from <paramref name="clock"/> (or one started now).</summary>
    public static async Task<StreamValidationResult> ValidateAsync(Stream stream, Stopwatch? clock, CancellationToken cancellationToken)
    {
        var reader = new SseReader(clock);
        var validator = new AnthropicStreamValidator();
        await foreach (var sseEvent in reader.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            validator.Observe(sseEvent);
        }

        return validator.Complete(reader.Summary);
    }

    public void Observe(SseEvent sseEvent)
    {
        ArgumentNullException.ThrowIfNull(sseEvent);
        if (_completed)
        {
            throw new InvalidOperationException("Complete() was already called.");
        }

        _current = sseEvent;
        _eventCount++;
        if (sseEvent.ArrivedAt is { } arrived)
        {
            _firstEvent ??= arrived;
            _lastEvent = arrived;
        }

        if (sseEvent.DataLineCount > 1)
        {
            ReportRepeated(FindingCatalog.SseMultilineData, $"data spans {sseEvent.DataLineCount} data: lines");
        }

        if (!JsonRead.TryParse(sseEvent.Data, out var document, out var error))
        {
            Report(FindingCatalog.StreamDataNotJson, $"data is not JSON ({error}): {JsonRead.Shorten(sseEvent.Data)}");
            return;
        }

        using (document)
        {
            var data = document!.RootElement;
            if (data.ValueKind != JsonValueKind.Object)
            {
                Report(FindingCatalog.StreamDataNotObject, $"data is {data.Kind()}, not an object");
                return;
            }

            var type = data.String("type");
            // An OpenAI-shaped error event ({"error":{...}} under event: error) has no type; the envelope check names it.
            var untypedError = type is null && sseEvent.EventName == "error" && data.IsObject("error");
            if (untypedError)
            {
                type = "error";
            }
            else if (type is null)
            {
                Report(FindingCatalog.StreamMissingType, "data has no string 'type'");
                return;
            }

            if (sseEvent.EventName is null)
            {
                ReportRepeated(FindingCatalog.SseMissingEventName, $"'{type}' event has no event: line");
            }
            else if (sseEvent.EventName != type)
            {
                Report(FindingCatalog.SseEventNameMismatch, $"event: {sseEvent.EventName} carries data of type '{type}'");
            }

            if (Ended && type != "ping")
            {
                if (!_reportedAfterEnd)
                {
                    _reportedAfterEnd = true;
                    Report(FindingCatalog.StreamEventAfterEnd,
                        $"'{type}' after {(_endedByError ? "an error event" : "message_stop")}; later events are not checked");
                }

                return;
            }

            switch (type)
            {
                case "ping":
                    break;
                case "error":
                    OnError(data);
                    break;
                case "message_start":
                    OnMessageStart(data);
                    break;
                case "content_block_start":
                    RequireMessageStart(type);
                    OnBlockStart(data);
                    break;
                case "content_block_delta":
                    RequireMessageStart(type);
                    OnBlockDelta(data, sseEvent);
                    break;
                case "content_block_stop":
                    RequireMessageStart(type);
                    OnBlockStop(data);
                    break;
                case "message_delta":
                    RequireMessageStart(type);
                    OnMessageDelta(data);
                    break;
                case "message_stop":
                    RequireMessageStart(type);
                    OnMessageStop();
                    break;
                default:
                    ReportRepeated(FindingCatalog.StreamUnknownEventType, $"unknown event type '{JsonRead.Shorten(type, 40)}'");
                    break;
            }
        }
    }

    public StreamValidationResult Complete(SseStreamSummary? summary = null)
    {
        if (_completed)
        {
            throw new InvalidOperationException("Complete() was already called.");
        }

        _completed = true;
        _current = null;
        if (summary is not null)
        {
            foreach (var anomaly in summary.Anomalies)
            {
                _findings.Add(FindingFor(anomaly));
            }
        }

        if (_eventCount == 0)
        {
            Report(FindingCatalog.StreamEmpty, "the stream carries no event");
        }
        else
        {
            if (_messageStarts == 0 && !_reportedMissingStart && !_endedByError)
            {
                Report(FindingCatalog.StreamMissingMessageStart, "the stream has no message_start");
            }

            if (!Ended)
            {
                CloseOpenBlocks("the end of the stream");
                Report(FindingCatalog.StreamMissingMessageStop, $"the stream ends after {_eventCount} events without message_stop");
            }
        }

        var message = BuildMessage();
        // Whether the message is coherent only means something once the server declared it finished.
        if (_sawMessageDelta && !_endedByError)
        {
            MessageObjectValidation.CheckFinished(message, (definition, text) => Report(definition, text));
            if (!_messageDeltaSentOutputTokens)
            {
                Report(FindingCatalog.MessageUsageMissingOutputTokens, "no message_delta carries usage.output_tokens");
            }
        }

        foreach (var (id, (position, count)) in _repeated)
        {
            if (count > 1)
            {
                var first = _findings[position];
                _findings[position] = first with { Message = $"{first.Message} (and {count - 1} more events)" };
            }
        }

        var ordered = _findings
            .Select((finding, order) => (finding, order))
            .OrderBy(pair => pair.finding.EventIndex ?? int.MaxValue)
            .ThenBy(pair => pair.order)
            .Select(pair => pair.finding)
            .ToArray();
        return new StreamValidationResult(ordered, message, new StreamTimings(_firstEvent, _firstContentDelta, _lastEvent), _eventCount, summary);
    }

    private void OnError(JsonElement data)
    {
        _endedByError = true;
        var check = ErrorEnvelope.Check(data, httpStatus: null);
        foreach (var (definition, text) in check.Problems)
        {
            Report(definition, text);
        }

        Report(FindingCatalog.StreamErrorEvent,
            $"error event: {check.ErrorType ?? "(no type)"}: {JsonRead.Shorten(check.ErrorMessage ?? "(no message)")}");
    }

    private void OnMessageStart(JsonElement data)
    {
        _messageStarts++;
        if (_messageStarts > 1)
        {
            Report(FindingCatalog.StreamDuplicateMessageStart, "a second message_start");
            return;
        }

        if (!data.TryProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            Report(FindingCatalog.StreamEventShape, "message_start has no 'message' object");
            return;
        }

        (_id, _model, _role) = MessageObjectValidation.CheckIdentity(message, (definition, text) => Report(definition, text));
        if (!message.TryProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            Report(FindingCatalog.MessageMissingField, "message_start's message has no 'content' array");
        }
        else if (content.GetArrayLength() > 0)
        {
            Report(FindingCatalog.StreamMessageStartContentNotEmpty, $"message_start's content has {content.GetArrayLength()} items");
        }

        if (!message.TryProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            Report(FindingCatalog.MessageMissingField, "message_start's message has no 'usage' object");
            return;
        }

        _usage = MessageObjectValidation.ReadUsage(usage, (definition, text) => Report(definition, text));
        if (usage.IsNullOrAbsent("input_tokens"))
        {
            Report(FindingCatalog.MessageUsageMissingInputTokens, "message_start's usage has no input_tokens");
        }
    }

    private void RequireMessageStart(string type)
    {
        if (_messageStarts == 0 && !_reportedMissingStart)
        {
            _reportedMissingStart = true;
            Report(FindingCatalog.StreamMissingMessageStart, $"'{type}' arrives before any message_start");
        }
    }

    private void OnBlockStart(JsonElement data)
    {
        var index = data.Index("index");
        if (index is null || !data.TryProperty("content_block", out var block) || block.ValueKind != JsonValueKind.Object
            || block.String("type") is not { } blockType)
        {
            Report(FindingCatalog.StreamEventShape, "content_block_start needs a non-negative integer 'index' and a 'content_block' object with a 'type'");
            return;
        }

        if (_sawMessageDelta)
        {
            Report(FindingCatalog.StreamBlockAfterMessageDelta, $"block {index} starts after message_delta");
        }

        if (_blocks.TryGetValue(index.Value, out var previous))
        {
            // Clients keep blocks in an array by index: the new block replaces the old one, whose content is lost.
            Report(FindingCatalog.StreamDuplicateIndex, $"block {index} ({blockType}) starts again; the earlier {previous.Type} block at that index is overwritten");
            _open.Remove(previous);
        }
        else if (index.Value != _nextIndex)
        {
            Report(FindingCatalog.StreamIndexGap, index.Value > _nextIndex
                ? $"block {index} starts but the next index is {_nextIndex}"
                : $"block {index} starts out of order (next index is {_nextIndex})");
        }

        if (_open.Count > 0)
        {
            Report(FindingCatalog.StreamBlockOverlap,
                $"block {index} ({blockType}) starts while block {string.Join(", ", _open.Select(open => $"{open.Index} ({open.Type})"))} is still open");
        }

        var state = new BlockState(index.Value, blockType, block.Clone());
        _blocks[index.Value] = state;
        _open.Add(state);
        _nextIndex = Math.Max(_nextIndex, index.Value + 1);
        CheckBlockStart(state, block);
    }

    private void CheckBlockStart(BlockState state, JsonElement block)
    {
        switch (state.Type)
        {
            case "text":
                if (block.String("text") is not { } text)
                {
                    Report(FindingCatalog.MessageBlockShape, $"text block {state.Index} starts without a string 'text'");
                }
                else if (text.Length > 0)
                {
                    state.Content.Append(text);
                    Report(FindingCatalog.StreamBlockStartNotEmpty, $"text block {state.Index} starts with text '{JsonRead.Shorten(text, 40)}'");
                }

                break;
            case "thinking":
                if (block.String("thinking") is not { } thinking)
                {
                    Report(FindingCatalog.MessageBlockShape, $"thinking block {state.Index} starts without a string 'thinking'");
                }
                else if (thinking.Length > 0)
                {
                    state.Content.Append(thinking);
                    Report(FindingCatalog.StreamBlockStartNotEmpty, $"thinking block {state.Index} starts with thinking text");
                }

                if (block.String("signature") is { Length: > 0 } signature)
                {
                    state.Signature = signature;
                }

                break;
            case "redacted_thinking":
                if (block.String("data") is { } redacted)
                {
                    state.Content.Append(redacted);
                }
                else
                {
                    Report(FindingCatalog.MessageBlockShape, $"redacted_thinking block {state.Index} has no string 'data'");
                }

                break;
            case var tool when AnthropicSpec.ToolBlockTypes.Contains(tool):
                MessageObjectValidation.CheckToolIdentity(block, tool, state.Index, (definition, text) => Report(definition, text));
                if (!block.TryProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
                {
                    Report(FindingCatalog.MessageBlockShape, $"{tool} block {state.Index} starts without an 'input' object");
                }
                else
                {
                    state.StartInput = input.GetRawText();
                    if (input.EnumerateObject().Any())
                    {
                        Report(FindingCatalog.StreamBlockStartNotEmpty, $"{tool} block {state.Index} starts with a non-empty input");
                    }
                }

                break;
            case var other when !AnthropicSpec.BlockTypes.Contains(other):
                Report(FindingCatalog.MessageUnknownBlockType, $"block {state.Index} has unknown type '{JsonRead.Shorten(other, 40)}'");
                break;
        }
    }

    private void OnBlockDelta(JsonElement data, SseEvent sseEvent)
    {
        var index = data.Index("index");
        if (index is null || !data.TryProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object
            || delta.String("type") is not { } deltaType)
        {
            Report(FindingCatalog.StreamEventShape, "content_block_delta needs a non-negative integer 'index' and a 'delta' object with a 'type'");
            return;
        }

        if (sseEvent.ArrivedAt is { } arrived)
        {
            _firstContentDelta ??= arrived;
        }

        if (!_blocks.TryGetValue(index.Value, out var state))
        {
            Report(FindingCatalog.StreamDeltaUnknownIndex, $"{deltaType} for block {index}, which never started");
            return;
        }

        if (state.Stopped)
        {
            Report(FindingCatalog.StreamDeltaAfterStop, $"{deltaType} for block {index}, which already stopped");
        }

        if (!AnthropicSpec.DeltaTargets.TryGetValue(deltaType, out var targets))
        {
            Report(FindingCatalog.StreamUnknownDeltaType, $"unknown delta type '{JsonRead.Shorten(deltaType, 40)}' for block {index}");
            return;
        }

        if (!targets.Contains(state.Type))
        {
            Report(FindingCatalog.StreamDeltaTypeMismatch, $"{deltaType} for block {index}, which is a {state.Type} block");
            return;
        }

        var (field, isObject) = AnthropicSpec.DeltaPayloads[deltaType];
        if (!delta.TryProperty(field, out var payload)
            || payload.ValueKind != (isObject ? JsonValueKind.Object : JsonValueKind.String))
        {
            Report(FindingCatalog.StreamEventShape, $"{deltaType} for block {index} has no {(isObject ? "object" : "string")} '{field}'");
            return;
        }

        switch (deltaType)
        {
            case "text_delta":
            case "thinking_delta":
            case "input_json_delta":
                state.Content.Append(payload.GetString());
                break;
            case "signature_delta":
                // Anthropic sends one signature_delta; a later one replaces it (as the SDKs do).
                state.Signature = payload.GetString();
                break;
        }
    }

    private void OnBlockStop(JsonElement data)
    {
        var index = data.Index("index");
        if (index is null)
        {
            Report(FindingCatalog.StreamEventShape, "content_block_stop needs a non-negative integer 'index'");
            return;
        }

        if (!_blocks.TryGetValue(index.Value, out var state))
        {
            Report(FindingCatalog.StreamStopUnknownIndex, $"content_block_stop for block {index}, which never started");
            return;
        }

        if (state.Stopped)
        {
            Report(FindingCatalog.StreamDuplicateStop, $"block {index} stops a second time");
            return;
        }

        Close(state);
    }

    private void OnMessageDelta(JsonElement data)
    {
        CloseOpenBlocks("message_delta");
        _sawMessageDelta = true;
        if (!data.TryProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            Report(FindingCatalog.StreamEventShape, "message_delta has no 'delta' object");
        }
        else
        {
            if (delta.TryProperty("stop_reason", out var stopReason) && stopReason.ValueKind != JsonValueKind.Null)
            {
                _stopReason = stopReason.ValueKind == JsonValueKind.String ? stopReason.GetString() : stopReason.GetRawText();
            }

            if (delta.TryProperty("stop_sequence", out var stopSequence))
            {
                _stopSequence = stopSequence.ValueKind == JsonValueKind.String ? stopSequence.GetString() : null;
            }
        }

        if (!data.TryProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            Report(FindingCatalog.StreamEventShape, "message_delta has no 'usage' object");
            return;
        }

        _usage = _usage.MergedWith(MessageObjectValidation.ReadUsage(usage, (definition, text) => Report(definition, text)));
        _messageDeltaSentOutputTokens |= !usage.IsNullOrAbsent("output_tokens");
    }

    private void OnMessageStop()
    {
        CloseOpenBlocks("message_stop");
        _sawMessageStop = true;
        if (!_sawMessageDelta)
        {
            Report(FindingCatalog.StreamMissingMessageDelta, "message_stop without any message_delta");
        }
    }

    private void CloseOpenBlocks(string where)
    {
        foreach (var state in _open.ToArray())
        {
            Report(FindingCatalog.StreamBlockNotStopped, $"block {state.Index} ({state.Type}) is still open at {where}");
            Close(state);
        }
    }

    /// <summary>Stops a block and runs the checks that need all of its content.</summary>
    private void Close(BlockState state)
    {
        state.Stopped = true;
        _open.Remove(state);
        if (AnthropicSpec.ToolBlockTypes.Contains(state.Type))
        {
            state.Aggregated = CloseToolBlock(state);
        }
        else if (state.Type == "thinking")
        {
            var thinking = new AggregatedThinkingBlock(state.Index, state.Content.ToString(), state.Signature);
            MessageObjectValidation.CheckSignature(thinking, (definition, text) => Report(definition, text));
            state.Aggregated = thinking;
        }
    }

    private AggregatedToolUseBlock CloseToolBlock(BlockState state)
    {
        // No input deltas (or only empty ones) means the input is what content_block_start carried, normally {}.
        var inputJson = state.Content.Length > 0 ? state.Content.ToString() : state.StartInput ?? "{}";
        JsonElement? input = null;
        if (!JsonRead.TryParse(inputJson, out var document, out var error))
        {
            Report(FindingCatalog.StreamToolInputInvalidJson,
                $"{state.Type} block {state.Index}: concatenated partial_json does not parse ({error}): {JsonRead.Shorten(inputJson)}");
        }
        else
        {
            using (document)
            {
                if (document!.RootElement.ValueKind == JsonValueKind.Object)
                {
                    input = document.RootElement.Clone();
                }
                else
                {
                    Report(FindingCatalog.MessageToolInputNotObject,
                        $"{state.Type} block {state.Index}: input is {document.RootElement.Kind()}, not an object");
                }
            }
        }

        return new AggregatedToolUseBlock(state.Index, state.Type, state.Start.String("id"), state.Start.String("name"), input, inputJson);
    }

    private AggregatedMessage BuildMessage()
    {
        var content = _blocks.Values.Select(state => state.Aggregated ?? state.Type switch
        {
            "text" => new AggregatedTextBlock(state.Index, state.Content.ToString()),
            "thinking" => new AggregatedThinkingBlock(state.Index, state.Content.ToString(), state.Signature),
            "redacted_thinking" => new AggregatedRedactedThinkingBlock(state.Index, state.Content.ToString()),
            var tool when AnthropicSpec.ToolBlockTypes.Contains(tool) =>
                new AggregatedToolUseBlock(state.Index, tool, state.Start.String("id"), state.Start.String("name"), null,
                    state.Content.Length > 0 ? state.Content.ToString() : state.StartInput ?? "{}"),
            _ => (AggregatedBlock)new AggregatedOtherBlock(state.Index, state.Type, state.Start),
        }).ToArray();
        return new AggregatedMessage(_id, _model, _role, content, _stopReason, _stopSequence, _usage);
    }

    private static Finding FindingFor(SseAnomaly anomaly)
    {
        var definition = anomaly.Kind switch
        {
            SseAnomalyKind.ByteOrderMark => FindingCatalog.SseByteOrderMark,
            SseAnomalyKind.InvalidUtf8 => FindingCatalog.SseInvalidUtf8,
            SseAnomalyKind.UnknownField => FindingCatalog.SseUnknownField,
            SseAnomalyKind.InvalidRetry => FindingCatalog.SseInvalidRetry,
            SseAnomalyKind.EventWithoutData => FindingCatalog.SseEventWithoutData,
            SseAnomalyKind.UnterminatedFinalEvent => FindingCatalog.SseUnterminatedFinalEvent,
            _ => throw new ArgumentOutOfRangeException(nameof(anomaly), anomaly.Kind, null),
        };
        return definition.At(anomaly.EventIndex, $"line {anomaly.LineNumber}: {anomaly.Detail}", anomaly.ByteOffset);
    }

    private void Report(FindingDefinition definition, string message) =>
        _findings.Add(_current is { } current ? definition.At(current, message) : definition.Whole(message));

    /// <summary>Reports the first occurrence only; <see cref="Complete"/> adds how many more there were.</summary>
    private void ReportRepeated(FindingDefinition definition, string message)
    {
        if (_repeated.TryGetValue(definition.Id, out var seen))
        {
            _repeated[definition.Id] = seen with { Count = seen.Count + 1 };
            return;
        }

        _repeated[definition.Id] = (_findings.Count, 1);
        Report(definition, message);
    }

    private sealed class BlockState(int index, string type, JsonElement start)
    {
        public int Index { get; } = index;
        public string Type { get; } = type;
        public JsonElement Start { get; } = start;
        public StringBuilder Content { get; } = new();
        public string? StartInput { get; set; }
        public string? Signature { get; set; }
        public bool Stopped { get; set; }
        public AggregatedBlock? Aggregated { get; set; }
    }
}
