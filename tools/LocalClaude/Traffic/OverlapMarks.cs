namespace LocalClaude.Traffic;

/// <summary>Which requests were in flight at the same time, and the groups replay sends together.</summary>
public static class OverlapMarks
{
    /// <summary>For each interval (arrival, completion), the other intervals it intersects; touching ends do not count.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> Compute(IReadOnlyList<(double Start, double End)> intervals)
    {
        var result = new List<IReadOnlyList<int>>(intervals.Count);
        for (var i = 0; i < intervals.Count; i++)
        {
            var overlaps = new List<int>();
            for (var j = 0; j < intervals.Count; j++)
                if (i != j && intervals[i].Start < intervals[j].End && intervals[j].Start < intervals[i].End)
                    overlaps.Add(j);
            result.Add(overlaps);
        }
        return result;
    }

    /// <summary>
    /// Splits requests (sorted by arrival) into groups of transitively overlapping ones: a group ends when the next
    /// request arrived after everything before it had completed. Replay sends a group's requests at their recorded
    /// offsets from the group's first arrival, and the next group once the group has finished.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TrafficRequest>> Groups(IEnumerable<TrafficRequest> requests)
    {
        var groups = new List<IReadOnlyList<TrafficRequest>>();
        List<TrafficRequest>? current = null;
        var currentEnd = double.NegativeInfinity;
        foreach (var request in requests.OrderBy(r => r.ArrivalMs).ThenBy(r => r.Index))
        {
            var joins = current is not null && (request.ArrivalMs < currentEnd || request.OverlapsWith.Any(i => current.Any(c => c.Index == i)));
            if (!joins)
            {
                current = [];
                groups.Add(current);
                currentEnd = double.NegativeInfinity;
            }
            current!.Add(request);
            currentEnd = Math.Max(currentEnd, request.CompletionMs);
        }
        return groups;
    }
}
