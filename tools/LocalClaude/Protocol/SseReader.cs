using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace LocalClaude.Protocol;

/// <summary>
/// Reads server-sent events: in memory (<see cref="Parse(ReadOnlySpan{byte})"/>) or live from a <see cref="Stream"/>
/// (<see cref="ReadAsync"/>), stamping each event with its arrival time on a <see cref="Stopwatch"/>.
/// One reader reads one stream.
/// </summary>
public sealed class SseReader
{
    private const int ChunkSize = 16 * 1024;

    private readonly Stopwatch? _callerClock;
    private readonly SseParser _parser = new();
    private SseStreamSummary? _summary;
    private bool _started;

    /// <param name="clock">
    /// The clock arrival times are read from; pass one started when the request was sent so that times include the wait
    /// for the first byte. When null, a clock is started when reading begins.
    /// </param>
    public SseReader(Stopwatch? clock = null)
    {
        _callerClock = clock;
    }

    /// <summary>The reader's findings about the framing; complete once <see cref="ReadAsync"/> has run to the end.</summary>
    public SseStreamSummary Summary => _summary ?? _parser.Summary();

    /// <summary>Whether the whole stream has been read (the enumeration reached the end of the stream).</summary>
    public bool IsComplete => _summary is not null;

    public async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_started)
        {
            throw new InvalidOperationException("An SseReader reads a single stream; create another one.");
        }

        _started = true;
        var clock = _callerClock ?? Stopwatch.StartNew();
        var buffer = new byte[ChunkSize];
        var ready = new List<SseEvent>();
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            _parser.Feed(buffer.AsSpan(0, read), clock.Elapsed, ready);
            foreach (var sseEvent in ready)
            {
                yield return sseEvent;
            }

            ready.Clear();
        }

        _summary = _parser.Finish(clock.Elapsed, ready);
        foreach (var sseEvent in ready)
        {
            yield return sseEvent;
        }
    }

    /// <summary>Parses a complete stream held in memory; events carry no arrival time.</summary>
    public static SseDocument Parse(ReadOnlySpan<byte> bytes)
    {
        var parser = new SseParser();
        var events = new List<SseEvent>();
        parser.Feed(bytes, now: null, events);
        var summary = parser.Finish(now: null, events);
        return new SseDocument(events, summary);
    }

    /// <summary>Parses text; byte offsets refer to its UTF-8 encoding.</summary>
    public static SseDocument Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));
}
