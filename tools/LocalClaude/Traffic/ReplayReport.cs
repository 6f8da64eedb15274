using System.Globalization;
using LocalClaude.Protocol;
using LocalClaude.Results;

namespace LocalClaude.Traffic;

/// <summary>Turns a fixture replay into the per-request table, the summary lines and the shared result-file entries.</summary>
public static class ReplayReport
{
    public const string Area = "traffic";

    public static string CheckId(TrafficFixture fixture) => $"replay.{fixture.Name}";

    public static void PrintTable(FixtureReplay replay, TextWriter output)
    {
        output.WriteLine($"{"#",3}  {"purpose",-12} {"request",-34} {"status",6} {"ttfb",8} {"total",8} {"in",7} {"out",6} {"cached",7} {"cache%",6}  findings");
        foreach (var e in replay.Exchanges)
        {
            var usage = e.Verdict.Usage;
            var request = $"{e.Recorded.Request.Method} {e.Recorded.Request.Path}";
            output.WriteLine(
                $"{e.Index,3}  {e.Purpose,-12} {Truncate(request, 34),-34} {Status(e),6} {Seconds(e.Answer.TimeToFirstByte),8} {Seconds(e.Answer.Total),8} " +
                $"{Number(usage.InputTokens),7} {Number(usage.OutputTokens),6} {Number(usage.CacheReadTokens),7} {Percent(e.CacheShare),6}  {FindingList(e.Verdict.Findings)}");
        }
        foreach (var line in SummaryLines(replay)) output.WriteLine("     " + line);
    }

    /// <summary>What the user must know beyond the table: rejected requests, cache reuse per turn, waiting between overlapping calls.</summary>
    public static IReadOnlyList<string> SummaryLines(FixtureReplay replay)
    {
        var lines = new List<string>();
        foreach (var e in replay.Exchanges.Where(e => e.Verdict.ErrorSummary is not null || e.Answer.TransportError is not null))
            lines.Add($"#{e.Index} {e.Purpose}: {(e.Answer.TransportError is null ? $"HTTP {(int)e.Answer.Status}" : "no answer")}: {e.Verdict.ErrorSummary}");
        var turns = replay.Exchanges.Where(e => e.Purpose == RequestPurpose.Main).ToArray();
        if (turns.Length > 1)
        {
            var shares = turns.Skip(1).Select(t => t.CacheShare).ToArray();
            lines.Add($"prompt cache on turns 2..{turns.Length}: {string.Join(", ", shares.Select(Percent))}" +
                      (turns.Any(t => t.FullReprocessing) ? $"; FULL REPROCESSING on {string.Join(", ", turns.Where(t => t.FullReprocessing).Select(Cause))}" : ""));
        }
        foreach (var group in OverlapMarks.Groups(replay.Exchanges.Select(e => e.Recorded.Request)).Where(g => g.Count > 1))
        {
            var members = group.Select(r => replay.Exchanges.First(e => e.Index == r.Index)).ToArray();
            var kinds = string.Join(", ", members.GroupBy(m => m.Purpose).Select(g => g.Count() == 1 ? g.Key : $"{g.Count()} {g.Key}"));
            var after = members.Where(m => m.HeldBehind is not null).OrderByDescending(m => m.HeldBehind).ToArray();
            var np = replay.Target.ParallelSlots is { } slots ? $"NP={slots}: " : "";
            var busy = members.Select(m => m.BusySlots).FirstOrDefault(b => b is not null);
            var server = busy switch
            {
                >= 2 => $"served side by side ({busy} slots busy at once)",
                1 => "served one at a time (never more than 1 slot busy)",
                _ => "slots not observable",
            };
            var timing = after.Length switch
            {
                0 => "every first byte came while the others were still running",
                <= 3 => string.Join("; ", after.Select(w =>
                    $"#{w.Index} {w.Purpose} got its first byte only after #{string.Join(",#", w.FirstByteAfter)} " +
                    $"({string.Join(", ", w.FirstByteAfter.Select(i => members.First(m => m.Index == i).Purpose).Distinct())}) finished, {Seconds(w.HeldBehind)} after it was sent")),
                _ => $"{after.Length} of {members.Length} got their first byte only after others finished, the longest #{after[0].Index} {Seconds(after[0].HeldBehind)} after it was sent",
            };
            // A stall that no other request explains (e.g. too few HTTP threads for the burst) shows in the slowest first byte.
            var slowest = members.MaxBy(m => m.Answer.TimeToFirstByte ?? m.Answer.Total)!;
            var median = members.Select(m => (m.Answer.TimeToFirstByte ?? m.Answer.Total).TotalSeconds).Order().ElementAt(members.Length / 2);
            var stall = (slowest.Answer.TimeToFirstByte ?? slowest.Answer.Total).TotalSeconds is var worst && worst > 1 && worst > 10 * median
                ? $"; slowest first byte #{slowest.Index} {worst:0.00}s against a median of {median:0.00}s"
                : "";
            lines.Add($"#{members.Min(m => m.Index)}-#{members.Max(m => m.Index)} sent overlapping ({kinds}): {np}{server}; {timing}{stall}");
        }
        return lines;
    }

    private static string Cause(ReplayedExchange turn) =>
        $"#{turn.Index}" + (turn.PrefixBreak is { } where ? $" (prompt changed at {where})"
            : turn.Recorded.Request.OverlapsWith.Count > 0 || turn.FirstByteAfter.Count > 0 ? " (the slot served another call in between)" : "");

    /// <summary>One entry per request for the result file.</summary>
    public static IReadOnlyList<ReplayedRequest> Requests(FixtureReplay replay) => replay.Exchanges.Select(e => new ReplayedRequest
    {
        Fixture = replay.Fixture.Name,
        Index = e.Index,
        Path = $"{e.Recorded.Request.Method} {e.Recorded.Request.Path}",
        Purpose = e.Purpose,
        Status = (int)e.Answer.Status,
        Findings = e.Verdict.Findings.Select(Record).ToArray(),
        TimeToFirstByteSeconds = e.Answer.TimeToFirstByte?.TotalSeconds,
        TotalSeconds = e.Answer.Total.TotalSeconds,
        InputTokens = ToInt(e.Verdict.Usage.InputTokens),
        OutputTokens = ToInt(e.Verdict.Usage.OutputTokens),
        CacheReadTokens = ToInt(e.Verdict.Usage.CacheReadTokens),
        CacheShare = e.CacheShare,
        Overlapped = e.OverlappedWith.Count > 0,
        Note = Note(e),
    }).ToArray();

    private static string? Note(ReplayedExchange e)
    {
        var parts = new List<string>();
        if (e.FullReprocessing) parts.Add($"full reprocessing: {e.Verdict.Usage.CacheReadTokens ?? 0} of {e.Verdict.Usage.PromptTokens} prompt tokens from cache" + (e.PrefixBreak is { } w ? $"; prompt changed at {w}" : ""));
        else if (e.PrefixBreak is { } where) parts.Add($"prompt changed at {where}");
        if (e.FirstByteAfter.Count > 0) parts.Add($"first byte only after #{string.Join(",#", e.FirstByteAfter)} finished ({Seconds(e.HeldBehind)} after sending)");
        if (e.BusySlots is { } busy) parts.Add(busy >= 2 ? $"served side by side with its overlapping calls ({busy} slots busy at once)" : "served one at a time with its overlapping calls (1 slot busy at most)");
        else if (e.OverlappedWith.Count > 0) parts.Add($"ran beside #{string.Join(",#", e.OverlappedWith)}");
        if (e.Verdict.ErrorSummary is { } error) parts.Add(error);
        if (e.Answer.RetriedAfter is { } lost) parts.Add($"sent twice: the first attempt failed before any answer ({lost})");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>The fixture's verdict: failed by a client-breaking finding unless it is known for this profile.</summary>
    public static CheckResult Check(FixtureReplay replay, KnownFindings known)
    {
        var profile = replay.Target.Name;
        var breaking = replay.Exchanges.SelectMany(e => e.Verdict.Findings.Where(f => f.Severity == FindingSeverity.ClientBreak).Select(f => (e, f))).ToArray();
        var unknown = breaking.Where(b => known.Match(b.f, profile, replay.Fixture.Name) is null).ToArray();
        var all = replay.Exchanges.SelectMany(e => e.Verdict.Findings).ToArray();
        var counts = string.Join(", ", all.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToReportName()}"));
        var outcome = unknown.Length > 0 ? CheckOutcome.Fail : breaking.Length > 0 ? CheckOutcome.KnownDeviation : CheckOutcome.Pass;
        var reason = outcome switch
        {
            CheckOutcome.Fail => $"client-breaking: {string.Join("; ", unknown.Select(b => $"#{b.e.Index} {b.f.Id}").Distinct().Take(8))}",
            CheckOutcome.KnownDeviation => $"only known client-breaking findings: {string.Join(", ", breaking.Select(b => b.f.Id).Distinct())}",
            _ => $"all {replay.Exchanges.Count} requests accepted" + (counts.Length > 0 ? $" ({counts})" : "; no findings"),
        };
        var turns = replay.Exchanges.Where(e => e.Purpose == RequestPurpose.Main).Skip(1).ToArray();
        var metrics = new Dictionary<string, double>
        {
            ["requests"] = replay.Exchanges.Count,
            ["rejected"] = replay.Exchanges.Count(e => e.Verdict.Findings.Any(f => f.Id == ReplayFindings.Rejected.Id || f.Id == ReplayFindings.TransportError.Id)),
            ["client_breaks"] = breaking.Length,
            ["wall_seconds"] = replay.Wall.TotalSeconds,
            ["full_reprocessing_turns"] = turns.Count(t => t.FullReprocessing),
            ["first_byte_after_others"] = replay.Exchanges.Count(e => e.FirstByteAfter.Count > 0),
            ["busy_slots_max"] = replay.Exchanges.Select(e => e.BusySlots ?? 0).DefaultIfEmpty(0).Max(),
        };
        if (turns.Select(t => t.CacheShare).OfType<double>().ToArray() is { Length: > 0 } shares) metrics["cache_share_mean"] = shares.Average();
        if (replay.Exchanges.Select(e => e.Answer.TimeToFirstByte?.TotalSeconds).OfType<double>().ToArray() is { Length: > 0 } ttfb)
            metrics["ttfb_seconds_max"] = ttfb.Max();
        var manifest = replay.Fixture.Manifest;
        return new CheckResult
        {
            Id = CheckId(replay.Fixture),
            Area = Area,
            Title = $"Replay of Claude Code {manifest.ClaudeCodeVersion} traffic: {replay.Fixture.Name} ({replay.Exchanges.Count} requests)",
            Outcome = outcome,
            Reason = reason,
            Evidence = new Evidence
            {
                Request = $"{replay.Fixture.Directory} ({manifest.Scenario.Mode}; recorded against {manifest.Upstream.Kind} '{manifest.Upstream.Name}')",
                Route = "recorded requests sent as recorded (placeholders filled in), overlapping ones overlapping",
                Note = replay.Target.MaxOutputTokens is { } cap
                    ? $"generation capped: max_tokens lowered from {MaxTokens(replay)} (as Claude Code sent it) to the profile's MAX_OUTPUT_TOKENS {cap} in every replayed request; llama-server's -n alone does not cap a request's own max_tokens"
                    : null,
            },
            Findings = all.Select(Record).ToArray(),
            Metrics = metrics,
            DurationSeconds = replay.Wall.TotalSeconds,
        };
    }

    private static string MaxTokens(FixtureReplay replay) =>
        string.Join("/", replay.Fixture.Exchanges.Select(e => e.Request.Body?["max_tokens"]?.ToString()).OfType<string>().Distinct());

    public static FindingRecord Record(Finding f) => new(f.Id, f.Severity.ToReportName(), f.EventIndex, f.Message);

    private static string Status(ReplayedExchange e) => e.Answer.TransportError is not null ? "ERR" : ((int)e.Answer.Status).ToString(CultureInfo.InvariantCulture);

    private static string FindingList(IReadOnlyList<Finding> findings) =>
        findings.Count == 0 ? "-" : string.Join(" ", findings.GroupBy(f => f.Id).Select(g => g.Key + (g.Count() > 1 ? $"×{g.Count()}" : "") + (g.First().Severity == FindingSeverity.ClientBreak ? "!" : "")));

    public static string Seconds(TimeSpan? t) => t is { } v ? $"{v.TotalSeconds:0.00}s" : "-";
    private static string Number(long? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "-";
    private static string Percent(double? share) => share is { } s ? $"{s * 100:0}%" : "-";
    private static int? ToInt(long? n) => n is { } v ? (int)Math.Min(v, int.MaxValue) : null;
    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
