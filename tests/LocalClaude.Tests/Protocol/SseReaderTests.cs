using System.Diagnostics;
using System.Text;
using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

public sealed class SseReaderTests
{
    private const string TwoEvents = "event: a\ndata: one\n\nevent: b\ndata: two\n\n";

    [Theory]
    [InlineData("\n", SseLineEndings.Lf)]
    [InlineData("\r\n", SseLineEndings.CrLf)]
    [InlineData("\r", SseLineEndings.Cr)]
    public void Every_line_end_gives_the_same_events(string lineEnd, SseLineEndings expected)
    {
        var document = SseReader.Parse(TwoEvents.Replace("\n", lineEnd, StringComparison.Ordinal));

        document.Events.Select(e => e.EventName).Should().Equal(["a", "b"]);
        document.Events.Select(e => e.Data).Should().Equal(["one", "two"]);
        Assert.All(document.Events, e => e.IsTerminated.Should().BeTrue());
        document.Summary.LineEndings.Should().Be(expected);
        document.Summary.Anomalies.Should().BeEmpty();
    }

    [Fact]
    public void Mixed_line_ends_are_all_recognised()
    {
        var document = SseReader.Parse("event: a\r\ndata: one\r\rdata: two\n\n");

        document.Events.Select(e => e.Data).Should().Equal(["one", "two"]);
        document.Summary.LineEndings.Should().Be(SseLineEndings.Lf | SseLineEndings.CrLf | SseLineEndings.Cr);
    }

    [Fact]
    public void Data_lines_are_joined_with_line_feed_and_one_leading_space_is_stripped()
    {
        var document = SseReader.Parse("data: first\ndata:second\ndata:  third\ndata\n\n");

        var sseEvent = document.Events.Should().ContainSingle().Which;
        sseEvent.Data.Should().Be("first\nsecond\n third\n");
        sseEvent.DataLineCount.Should().Be(4);
        sseEvent.EventName.Should().BeNull();
    }

    [Fact]
    public void Comments_are_kept_aside_and_do_not_split_an_event()
    {
        var document = SseReader.Parse(": hello\n:\nevent: a\n: inside\ndata: x\n\n");

        var sseEvent = document.Events.Should().ContainSingle().Which;
        sseEvent.Data.Should().Be("x");
        document.Summary.Comments.Select(c => c.Text).Should().Equal(["hello", "", "inside"]);
        document.Summary.Comments.Select(c => c.ByteOffset).Should().Equal([0L, 8L, 19L]);
        document.Summary.Comments.Select(c => c.LineNumber).Should().Equal([1, 2, 4]);
    }

    [Fact]
    public void Event_name_resets_after_dispatch_but_last_event_id_persists()
    {
        var document = SseReader.Parse("id: 7\nevent: a\ndata: 1\n\ndata: 2\n\nid\ndata: 3\n\n");

        document.Events.Select(e => e.EventName).Should().Equal(["a", null, null]);
        document.Events.Select(e => e.LastEventId).Should().Equal(["7", "7", ""]);
    }

    [Fact]
    public void Id_containing_nul_is_ignored()
    {
        var document = SseReader.Parse("id: 1\ndata: a\n\nid: 2\u0000x\ndata: b\n\n");

        document.Events.Select(e => e.LastEventId).Should().Equal(["1", "1"]);
    }

    [Fact]
    public void Retry_must_be_ascii_digits()
    {
        var document = SseReader.Parse("retry: 1500\ndata: a\n\nretry: 2s\ndata: b\n\n");

        document.Events.Select(e => e.Retry).Should().Equal([1500, null]);
        var anomaly = document.Summary.Anomalies.Should().ContainSingle().Which;
        anomaly.Kind.Should().Be(SseAnomalyKind.InvalidRetry);
        anomaly.EventIndex.Should().Be(1);
    }

    [Theory]
    [InlineData("data: last")]
    [InlineData("data: last\n")]
    [InlineData("data: last\r\n")]
    public void Final_event_without_blank_line_is_dispatched_and_flagged(string ending)
    {
        var document = SseReader.Parse("data: first\n\n" + ending);

        document.Events.Select(e => e.Data).Should().Equal(["first", "last"]);
        document.Events[0].IsTerminated.Should().BeTrue();
        document.Events[1].IsTerminated.Should().BeFalse();
        var anomaly = document.Summary.Anomalies.Should().ContainSingle().Which;
        anomaly.Kind.Should().Be(SseAnomalyKind.UnterminatedFinalEvent);
        anomaly.EventIndex.Should().Be(1);
    }

    [Fact]
    public void Block_without_data_is_not_dispatched_and_flagged_when_it_names_an_event()
    {
        var document = SseReader.Parse("event: ping\n\nretry: 10\n\nid: 4\n\nevent: a\ndata: x\n\nevent: trailing\n");

        var sseEvent = document.Events.Should().ContainSingle().Which;
        sseEvent.EventName.Should().Be("a");
        sseEvent.Index.Should().Be(0);
        document.Summary.Anomalies.Select(a => a.Kind).Should().Equal([SseAnomalyKind.EventWithoutData, SseAnomalyKind.EventWithoutData]);
    }

    [Fact]
    public void Byte_order_mark_is_stripped_once_and_offsets_count_it()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("data: a\n\ndata: \uFEFFb\n\n")).ToArray();

        var document = SseReader.Parse(bytes);

        document.Summary.HadByteOrderMark.Should().BeTrue();
        document.Events.Select(e => e.Data).Should().Equal(["a", "\uFEFFb"]);
        document.Events[0].ByteOffset.Should().Be(3);
        document.Summary.Anomalies.Should().ContainSingle().Which.Kind.Should().Be(SseAnomalyKind.ByteOrderMark);
    }

    [Fact]
    public void Byte_offsets_and_lengths_locate_each_event_in_the_input()
    {
        var text = ": header\n\nevent: a\ndata: é\n\n\n\nevent: b\r\ndata: two\r\n\r\n";
        var bytes = Encoding.UTF8.GetBytes(text);

        var document = SseReader.Parse(bytes);

        document.Summary.TotalBytes.Should().Be(bytes.Length);
        var first = document.Events[0];
        Encoding.UTF8.GetString(bytes, (int)first.ByteOffset, (int)first.ByteLength).Should().Be("event: a\ndata: é\n\n");
        first.LineNumber.Should().Be(3);
        var second = document.Events[1];
        // The LF of the closing CRLF is not counted.
        Encoding.UTF8.GetString(bytes, (int)second.ByteOffset, (int)second.ByteLength).Should().Be("event: b\r\ndata: two\r\n\r");
        second.LineNumber.Should().Be(8);
    }

    [Fact]
    public void Invalid_utf8_is_replaced_and_flagged_on_its_event()
    {
        byte[] bytes = [.. "data: ok\n\ndata: caf"u8, 0xE9, .. "\n\n"u8];

        var document = SseReader.Parse(bytes);

        document.Events[1].Data.Should().Be("caf\uFFFD");
        var anomaly = document.Summary.Anomalies.Should().ContainSingle().Which;
        anomaly.Kind.Should().Be(SseAnomalyKind.InvalidUtf8);
        anomaly.EventIndex.Should().Be(1);
    }

    [Fact]
    public void Unknown_fields_are_ignored_and_flagged()
    {
        var document = SseReader.Parse("Data: shouted\nfoo: bar\ndata: x\n\n");

        document.Events.Should().ContainSingle().Which.Data.Should().Be("x");
        document.Summary.Anomalies.Count(a => a.Kind == SseAnomalyKind.UnknownField).Should().Be(2);
    }

    public static TheoryData<string> AllStreamFixtures =>
        new(StreamFixtures.Paths("valid", ".sse").Concat(StreamFixtures.Paths("broken", ".sse")));

    [Theory]
    [MemberData(nameof(AllStreamFixtures))]
    public async Task Reading_in_any_chunk_size_gives_the_same_events_as_parsing(string fixture)
    {
        var bytes = File.ReadAllBytes(StreamFixtures.PathOf(fixture));
        var expected = SseReader.Parse(bytes);

        foreach (var chunk in new[] { 1, 2, 3, 7, 4096 })
        {
            var reader = new SseReader();
            var events = new List<SseEvent>();
            await foreach (var sseEvent in reader.ReadAsync(new TrickleStream(bytes, chunk), TestContext.Current.CancellationToken))
            {
                events.Add(sseEvent);
            }

            reader.IsComplete.Should().BeTrue();
            events.Select(e => e with { ArrivedAt = null }).Should().Equal(expected.Events);
            reader.Summary.Anomalies.Should().Equal(expected.Summary.Anomalies);
            reader.Summary.Comments.Should().Equal(expected.Summary.Comments);
            reader.Summary.LineEndings.Should().Be(expected.Summary.LineEndings);
            reader.Summary.TotalBytes.Should().Be(expected.Summary.TotalBytes);
        }
    }

    [Fact]
    public async Task Arrival_times_come_from_the_callers_clock_and_never_go_back()
    {
        var clock = Stopwatch.StartNew();
        await Task.Delay(20, TestContext.Current.CancellationToken);
        var startedReadingAt = clock.Elapsed;
        var reader = new SseReader(clock);

        var times = new List<TimeSpan>();
        await foreach (var sseEvent in reader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(TwoEvents + TwoEvents), 5), TestContext.Current.CancellationToken))
        {
            times.Add(sseEvent.ArrivedAt!.Value);
        }

        times.Count.Should().Be(4);
        (times[0] >= startedReadingAt).Should().BeTrue();
        times.Should().Equal(times.Order());
    }

    [Fact]
    public async Task Reading_honours_cancellation()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var reader = new SseReader();

        await FluentActions.Awaiting(async () =>
        {
            await foreach (var _ in reader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(TwoEvents), 4), cancellation.Token))
            {
            }
        }).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_reader_reads_one_stream_only()
    {
        var reader = new SseReader();
        await foreach (var _ in reader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(TwoEvents)), TestContext.Current.CancellationToken))
        {
        }

        await FluentActions.Awaiting(async () =>
        {
            await foreach (var _ in reader.ReadAsync(new MemoryStream(), TestContext.Current.CancellationToken))
            {
            }
        }).Should().ThrowExactlyAsync<InvalidOperationException>();
    }
}
