using System.Buffers;
using System.Text;

namespace LocalClaude.Protocol;

/// <summary>
/// Incremental WHATWG "event stream interpretation": bytes go in by chunks of any size, complete events come out.
/// Lines end with CRLF, LF or CR (a CR at the end of one chunk and an LF at the start of the next are one line end).
/// Deliberate difference from EventSource: a final block not closed by a blank line is still dispatched,
/// with <see cref="SseEvent.IsTerminated"/> false and an <see cref="SseAnomalyKind.UnterminatedFinalEvent"/> anomaly,
/// so a validator can both flag the framing and check the Anthropic content.
/// </summary>
internal sealed class SseParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly List<SseComment> _comments = [];
    private readonly List<SseAnomaly> _anomalies = [];

    private long _position;
    private long _lineStart;
    private int _lineNumber = 1;
    private bool _previousWasCr;
    private bool _hadBom;
    private int _lfLines;
    private int _crLfLines;
    private int _crOnlyLines;
    private bool _finished;

    // The block (event) being assembled.
    private bool _blockHasFields;
    private long _blockStart;
    private int _blockLine;
    private readonly StringBuilder _data = new();
    private int _dataLines;
    private string? _eventName;
    private int? _retry;
    private string? _lastEventId;
    private readonly List<SseAnomaly> _blockAnomalies = [];
    private int _dispatched;

    public void Feed(ReadOnlySpan<byte> chunk, TimeSpan? now, List<SseEvent> output)
    {
        if (_finished)
        {
            throw new InvalidOperationException("The parser has already been finished.");
        }

        while (!chunk.IsEmpty)
        {
            if (_previousWasCr)
            {
                _previousWasCr = false;
                if (chunk[0] == (byte)'\n')
                {
                    // Second half of a CRLF: the line was already processed at the CR.
                    _crLfLines++;
                    _position++;
                    _lineStart = _position;
                    chunk = chunk[1..];
                    continue;
                }

                _crOnlyLines++;
            }

            var end = chunk.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                _line.Write(chunk);
                _position += chunk.Length;
                return;
            }

            _line.Write(chunk[..end]);
            var terminator = chunk[end];
            _position += end + 1;
            if (terminator == (byte)'\r')
            {
                _previousWasCr = true;
            }
            else
            {
                _lfLines++;
            }

            ProcessLine(now, output, lineEnd: _position);
            _lineStart = _position;
            chunk = chunk[(end + 1)..];
        }
    }

    public SseStreamSummary Finish(TimeSpan? now, List<SseEvent> output)
    {
        if (_finished)
        {
            return Summary();
        }

        _finished = true;
        if (_previousWasCr)
        {
            _crOnlyLines++;
            _previousWasCr = false;
        }

        if (_line.WrittenCount > 0)
        {
            // A last line without any line end: per the spec it is not even a complete line; we read it anyway.
            ProcessLine(now, output, lineEnd: _position);
        }

        if (_blockHasFields)
        {
            if (_dataLines > 0)
            {
                var index = _dispatched;
                _anomalies.Add(new SseAnomaly(SseAnomalyKind.UnterminatedFinalEvent, _blockStart, _blockLine, index,
                    "the final event is not followed by a blank line"));
                Dispatch(now, output, terminated: false, blockEnd: _position);
            }
            else
            {
                DiscardBlockWithoutData();
            }
        }

        return Summary();
    }

    public SseStreamSummary Summary() =>
        new(_position, _lineNumber - 1, _hadBom, LineEndings(), _comments.ToArray(), _anomalies.ToArray());

    private SseLineEndings LineEndings() =>
        (_lfLines > 0 ? SseLineEndings.Lf : SseLineEndings.None)
        | (_crLfLines > 0 ? SseLineEndings.CrLf : SseLineEndings.None)
        | (_crOnlyLines > 0 ? SseLineEndings.Cr : SseLineEndings.None);

    private void ProcessLine(TimeSpan? now, List<SseEvent> output, long lineEnd)
    {
        var lineBytes = _line.WrittenSpan;
        var lineStart = _lineStart;
        var lineNumber = _lineNumber++;
        if (lineNumber == 1 && lineBytes.StartsWith(Utf8Bom))
        {
            _hadBom = true;
            _anomalies.Add(new SseAnomaly(SseAnomalyKind.ByteOrderMark, 0, 1, null, "UTF-8 byte order mark at the start of the stream"));
            lineBytes = lineBytes[Utf8Bom.Length..];
            lineStart += Utf8Bom.Length;
        }

        string line;
        var invalidUtf8 = false;
        try
        {
            line = StrictUtf8.GetString(lineBytes);
        }
        catch (DecoderFallbackException)
        {
            invalidUtf8 = true;
            line = Encoding.UTF8.GetString(lineBytes);
        }

        _line.Clear();

        if (line.Length == 0)
        {
            if (_blockHasFields)
            {
                if (_dataLines > 0)
                {
                    Dispatch(now, output, terminated: true, blockEnd: lineEnd);
                }
                else
                {
                    DiscardBlockWithoutData();
                }
            }

            return;
        }

        if (line[0] == ':')
        {
            var text = line.Length > 1 && line[1] == ' ' ? line[2..] : line[1..];
            _comments.Add(new SseComment(text, lineStart, lineNumber));
            if (invalidUtf8)
            {
                _anomalies.Add(new SseAnomaly(SseAnomalyKind.InvalidUtf8, lineStart, lineNumber, null, "invalid UTF-8 in a comment line"));
            }

            return;
        }

        if (!_blockHasFields)
        {
            _blockHasFields = true;
            _blockStart = lineStart;
            _blockLine = lineNumber;
        }

        if (invalidUtf8)
        {
            _blockAnomalies.Add(new SseAnomaly(SseAnomalyKind.InvalidUtf8, lineStart, lineNumber, null, $"invalid UTF-8 on line {lineNumber}"));
        }

        var colon = line.IndexOf(':');
        string field, value;
        if (colon < 0)
        {
            field = line;
            value = "";
        }
        else
        {
            field = line[..colon];
            value = colon + 1 < line.Length && line[colon + 1] == ' ' ? line[(colon + 2)..] : line[(colon + 1)..];
        }

        switch (field)
        {
            case "event":
                _eventName = value;
                break;
            case "data":
                if (_dataLines > 0)
                {
                    _data.Append('\n');
                }

                _data.Append(value);
                _dataLines++;
                break;
            case "id":
                // EventSource ignores an id containing NUL.
                if (!value.Contains('\0'))
                {
                    _lastEventId = value;
                }

                break;
            case "retry":
                if (value.Length > 0 && value.All(char.IsAsciiDigit) && int.TryParse(value, out var retry))
                {
                    _retry = retry;
                }
                else
                {
                    _blockAnomalies.Add(new SseAnomaly(SseAnomalyKind.InvalidRetry, lineStart, lineNumber, null, $"retry value '{value}' is not ASCII digits"));
                }

                break;
            default:
                _blockAnomalies.Add(new SseAnomaly(SseAnomalyKind.UnknownField, lineStart, lineNumber, null, $"unknown field '{field}'"));
                break;
        }
    }

    private void Dispatch(TimeSpan? now, List<SseEvent> output, bool terminated, long blockEnd)
    {
        var index = _dispatched++;
        foreach (var anomaly in _blockAnomalies)
        {
            _anomalies.Add(anomaly with { EventIndex = index });
        }

        output.Add(new SseEvent(
            Index: index,
            EventName: _eventName,
            Data: _data.ToString(),
            LastEventId: _lastEventId,
            Retry: _retry,
            ByteOffset: _blockStart,
            ByteLength: blockEnd - _blockStart,
            LineNumber: _blockLine,
            DataLineCount: _dataLines,
            ArrivedAt: now,
            IsTerminated: terminated));
        ResetBlock();
    }

    /// <summary>
    /// A block without data dispatches nothing. That is normal for a block of only id: or retry: (they set reader state);
    /// a block that names an event was meant to be one, and is lost.
    /// </summary>
    private void DiscardBlockWithoutData()
    {
        _anomalies.AddRange(_blockAnomalies);
        if (_eventName is not null)
        {
            _anomalies.Add(new SseAnomaly(SseAnomalyKind.EventWithoutData, _blockStart, _blockLine, null,
                $"block 'event: {_eventName}' at line {_blockLine} has no data line and is never dispatched"));
        }

        ResetBlock();
    }

    private void ResetBlock()
    {
        _blockHasFields = false;
        _data.Clear();
        _dataLines = 0;
        _eventName = null;
        _retry = null;
        _blockAnomalies.Clear();
    }
}
