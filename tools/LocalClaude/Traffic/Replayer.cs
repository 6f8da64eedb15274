using System.Diagnostics;
using LocalClaude.Client;
using LocalClaude.Relay;

namespace LocalClaude.Traffic;

/// <summary>The server a replay talks to.</summary>
/// <param name="ParallelSlots">The profile's NP, when known: it decides whether overlapping calls can run at once.</param>
/// <param name="MaxOutputTokens">A profile's MAX_OUTPUT_TOKENS: replay lowers each request's max_tokens to it (see <see cref="MaxTokensCap"/>).</param>
public sealed record ReplayTarget(Uri BaseUrl, string ApiKey, string Name, int? ParallelSlots = null, int? MaxOutputTokens = null);

public sealed record ReplayOptions
{
    /// <summary>Send overlapping requests overlapping, at their recorded offsets (false: one after another, as the bench does).</summary>
    public bool RecordedConcurrency { get; init; } = true;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>A prompt share from the cache under this counts as reprocessing the whole prompt.</summary>
    public double FullReprocessingBelow { get; init; } = 0.10;
    /// <summary>Prompts shorter than this are never flagged (there is little to reuse).</summary>
    public long FullReprocessingMinimumPrompt { get; init; } = 1024;
    /// <summary>Poll llama-server's /slots while Messages calls overlap, to see how many it served at once.</summary>
    public bool WatchSlots { get; init; } = true;
    /// <summary>An overlapping call that finished less than this after sending does not count in <see cref="ReplayedExchange.FirstByteAfter"/>.</summary>
    public TimeSpan MinimumWait { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>One recorded request sent again, and what came back.</summary>
public sealed record ReplayedExchange
{
    public required FixtureExchange Recorded { get; init; }
    public required MessagesExchange Answer { get; init; }
    public required AnswerVerdict Verdict { get; init; }
    /// <summary>When it was sent, from the start of the fixture's replay.</summary>
    public required TimeSpan SentAt { get; init; }
    /// <summary>Other requests in flight while this one ran during the replay.</summary>
    public IReadOnlyList<int> OverlappedWith { get; init; } = [];
    /// <summary>
    /// Overlapping requests, sent no later than this one, that had finished before this one's first byte arrived. A fact
    /// of timing, not proof of queueing: a long prefill can outlast a short background call on two slots as well
    /// (<see cref="BusySlots"/> says which it was).
    /// </summary>
    public IReadOnlyList<int> FirstByteAfter { get; init; } = [];
    /// <summary>From when this request was sent until the last of <see cref="FirstByteAfter"/> finished.</summary>
    public TimeSpan? HeldBehind { get; init; }
    /// <summary>Cache share for a turn after the first main call; null for the first and for non-messages requests.</summary>
    public double? CacheShare { get; init; }
    public bool FullReprocessing { get; init; }
    /// <summary>For overlapping Messages calls: the most server slots seen busy at once while they ran (llama-server's /slots); null when not watched.</summary>
    public int? BusySlots { get; init; }
    /// <summary>Where this turn's prompt first differs from the previous main call's (null: it only appends).</summary>
    public string? PrefixBreak { get; init; }

    public int Index => Recorded.Index;
    public string Purpose => Recorded.Purpose;
    public TimeSpan CompletedAt => SentAt + Answer.Total;
    public TimeSpan? FirstByteAt => Answer.TimeToFirstByte is { } t ? SentAt + t : null;
}

/// <summary>A whole fixture replayed against one server.</summary>
public sealed record FixtureReplay(TrafficFixture Fixture, ReplayTarget Target, IReadOnlyList<ReplayedExchange> Exchanges, TimeSpan Wall)
{
    public IEnumerable<ReplayedExchange> ClientBreaking => Exchanges.Where(e => e.Verdict.HasClientBreak);
}

/// <summary>
/// Sends a fixture's recorded requests to a server as they were recorded: in order, with placeholders filled in,
/// overlapping ones overlapping at their recorded offsets; checks every answer with the validator and measures it.
/// It never writes to the fixture.
/// </summary>
public sealed class Replayer(ReplayTarget target, ReplayOptions? options = null)
{
    private static readonly TimeSpan WaitSlack = TimeSpan.FromMilliseconds(20);
    private readonly ReplayOptions _options = options ?? new ReplayOptions();

    public ReplayTarget Target => target;

    public async Task<FixtureReplay> ReplayAsync(TrafficFixture fixture, CancellationToken cancellationToken, PlaceholderValues? values = null)
    {
        values ??= PlaceholderValues.ForReplay(target.BaseUrl, target.ApiKey, DateTimeOffset.UtcNow);
        using var client = new RawMessagesClient(target.BaseUrl, target.ApiKey, _options.RequestTimeout);
        var byIndex = fixture.Exchanges.ToDictionary(e => e.Index);
        var groups = _options.RecordedConcurrency
            ? OverlapMarks.Groups(fixture.Exchanges.Select(e => e.Request))
            : fixture.Exchanges.Select(e => (IReadOnlyList<TrafficRequest>)[e.Request]).ToArray();
        var clock = Stopwatch.StartNew();
        var sent = new List<(FixtureExchange Recorded, TimeSpan SentAt, MessagesExchange Answer, IReadOnlyList<string> Unknown)>();
        var busySlots = new Dictionary<int, int?>();
        foreach (var group in groups)
        {
            // Only where Messages calls overlap: a count_tokens burst is left alone (polling would take HTTP threads from it).
            await using var slots = _options.WatchSlots && group.Count(r => RequestPurpose.IsMessages(r.Purpose)) > 1
                ? SlotMonitor.Start(target.BaseUrl, target.ApiKey, cancellationToken)
                : null;
            var groupStart = clock.Elapsed;
            var origin = group[0].ArrivalMs;
            var tasks = group.Select(async request =>
            {
                var due = groupStart + TimeSpan.FromMilliseconds(request.ArrivalMs - origin);
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, cancellationToken);
                var recorded = byIndex[request.Index];
                var (method, path, body, headers, unknown) = Prepare(recorded.Request, values, target.MaxOutputTokens);
                var sentAt = clock.Elapsed;
                var answer = await client.SendAsync(new HttpMethod(method), path, body, cancellationToken, headers);
                return (recorded, sentAt, answer, unknown);
            }).ToArray();
            sent.AddRange(await Task.WhenAll(tasks));
            if (slots is not null)
            {
                var maxBusy = await slots.StopAsync();
                foreach (var request in group) busySlots[request.Index] = maxBusy;
            }
        }
        var wall = clock.Elapsed;
        var analysed = Analyse(sent).Select(e => busySlots.TryGetValue(e.Index, out var busy) ? e with { BusySlots = busy } : e).ToArray();
        return new FixtureReplay(fixture, target, analysed, wall);
    }

    /// <summary>
    /// The request as it goes on the wire: placeholders substituted, the target's key in place of the recorded token and
    /// of any credential the recorder redacted (else the server answers 401 and replay would blame it), other redacted
    /// headers (cookies) dropped.
    /// </summary>
    /// <param name="maxTokensCap">The target's generation cap, applied to max_tokens (see <see cref="MaxTokensCap"/>).</param>
    public static (string Method, string Path, string? Body, IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> Unknown) Prepare(
        TrafficRequest request, PlaceholderValues values, int? maxTokensCap = null)
    {
        var rawBody = request.Body?.ToJsonString(FixtureJson.Wire) ?? request.BodyText;
        var body = rawBody is null ? null : request.Body is not null ? MaxTokensCap.Apply(values.ApplyToJson(rawBody), maxTokensCap) : values.ApplyToText(rawBody);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Headers)
        {
            if (name is "host") continue;
            if (!value.Contains(Placeholders.Redacted, StringComparison.Ordinal)) headers[name] = values.ApplyToText(value);
            else if (TargetCredential(name, values) is { } credential) headers[name] = credential;
        }
        var unknown = values.Unknown((body ?? "") + "\n" + string.Join('\n', headers.Values) + "\n" + request.Path);
        return (request.Method, values.ApplyToText(request.Path), body, headers, unknown);
    }

    /// <summary>The target's key in the style of a redacted credential header; null for headers replay does not fill (cookies).</summary>
    private static string? TargetCredential(string header, PlaceholderValues values)
    {
        if (!values.Values.TryGetValue(Placeholders.AuthToken, out var key)) return null;
        return header.ToLowerInvariant() switch
        {
            "authorization" => $"Bearer {key}",
            "x-api-key" => key,
            _ => null,
        };
    }

    private IReadOnlyList<ReplayedExchange> Analyse(IReadOnlyList<(FixtureExchange Recorded, TimeSpan SentAt, MessagesExchange Answer, IReadOnlyList<string> Unknown)> sent)
    {
        var ordered = sent.OrderBy(s => s.Recorded.Index).ToArray();
        var intervals = ordered.Select(s => (s.SentAt.TotalMilliseconds, (s.SentAt + s.Answer.Total).TotalMilliseconds)).ToArray();
        var overlaps = OverlapMarks.Compute(intervals);
        var result = new List<ReplayedExchange>();
        FixtureExchange? previousMain = null;
        for (var i = 0; i < ordered.Length; i++)
        {
            var (recorded, sentAt, answer, unknown) = ordered[i];
            var verdict = AnswerCheck.Check(recorded.Purpose, answer);
            if (unknown.Count > 0)
                verdict = verdict with { Findings = [.. verdict.Findings, ReplayFindings.UnknownPlaceholder.Whole(string.Join(", ", unknown))] };
            var firstByte = answer.TimeToFirstByte is { } t ? sentAt + t : sentAt + answer.Total;
            // This request's first byte came only after an overlapping request sent no later had completed, a noticeable
            // while after sending (fast answers finishing a few ms apart say nothing).
            var blockers = overlaps[i]
                .Select(j => (Index: ordered[j].Recorded.Index, Done: ordered[j].SentAt + ordered[j].Answer.Total, ordered[j].SentAt))
                .Where(p => p.SentAt <= sentAt && p.Done <= firstByte + WaitSlack && p.Done - sentAt >= _options.MinimumWait)
                .ToArray();
            var firstByteAfter = blockers.Select(b => b.Index).ToArray();
            TimeSpan? heldBehind = blockers.Length > 0 ? blockers.Max(b => b.Done) - sentAt : null;

            double? share = null;
            var full = false;
            string? prefixBreak = null;
            if (recorded.Purpose == RequestPurpose.Main)
            {
                if (previousMain is not null)
                {
                    share = verdict.Usage.CacheShare;
                    prefixBreak = PromptPrefix.FirstDifference(previousMain.Request.Body, recorded.Request.Body);
                    full = share is { } s && s < _options.FullReprocessingBelow && verdict.Usage.PromptTokens >= _options.FullReprocessingMinimumPrompt;
                }
                previousMain = recorded;
            }
            else if (RequestPurpose.IsMessages(recorded.Purpose))
            {
                share = verdict.Usage.CacheShare;
            }
            result.Add(new ReplayedExchange
            {
                Recorded = recorded,
                Answer = answer,
                Verdict = verdict,
                SentAt = sentAt,
                OverlappedWith = overlaps[i].Select(j => ordered[j].Recorded.Index).ToArray(),
                FirstByteAfter = firstByteAfter,
                HeldBehind = heldBehind,
                CacheShare = share,
                FullReprocessing = full,
                PrefixBreak = prefixBreak,
            });
        }
        return result;
    }
}
