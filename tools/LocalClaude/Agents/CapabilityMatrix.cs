using System.Globalization;
using LocalClaude.Results;

namespace LocalClaude.Agents;

/// <summary>One task on one profile over its trials.</summary>
/// <param name="PassAtK">Unbiased pass@k with k = <see cref="Trials"/>: 1 when any trial passed.</param>
/// <param name="FailureKinds">Failure kind → trials that failed that way.</param>
public sealed record CapabilityMatrixCell(
    string Profile,
    string Task,
    string Category,
    int Trials,
    int Passes,
    double PassAt1,
    double PassAtK,
    double MedianWallSeconds,
    double MedianTurns,
    double MedianToolCalls,
    int ApiErrors,
    int MalformedToolCalls,
    double? MedianTimeToFirstTokenSeconds,
    IReadOnlyDictionary<string, int> FailureKinds)
{
    public double PassRate => (double)Passes / Trials;
}

/// <summary>A profile's totals over its tasks.</summary>
/// <param name="MeanPassAt1">Mean of the tasks' pass@1: the expected share of tasks one attempt solves.</param>
public sealed record CapabilityTotals(
    string Profile,
    int Tasks,
    int TasksPassedOnce,
    int Trials,
    int Passes,
    double MeanPassAt1,
    double MeanPassAtK,
    double MedianWallSeconds,
    double TotalWallSeconds,
    int ToolCalls,
    int ApiErrors,
    int MalformedToolCalls,
    IReadOnlyDictionary<string, int> FailureKinds);

/// <summary>
/// Profile × task: pass rate over the trials (pass@1 and pass@k), median time, turns, tool calls and error counts,
/// with per-profile totals. Built from <see cref="TaskTrial"/>s (a run's, or result files'), printed as a plain
/// table and written as an <c>e2e</c> <see cref="ResultFile"/>. Control trials never share a column with a profile.
/// </summary>
public sealed class CapabilityMatrix
{
    public const string Kind = ResultKinds.E2E;

    private CapabilityMatrix(IReadOnlyList<CapabilityMatrixCell> cells, IReadOnlyList<CapabilityTotals> totals)
    {
        Cells = cells;
        Totals = totals;
    }

    public IReadOnlyList<CapabilityMatrixCell> Cells { get; }
    public IReadOnlyList<CapabilityTotals> Totals { get; }
    public IReadOnlyList<string> Profiles => Totals.Select(t => t.Profile).ToList();
    public IReadOnlyList<string> Tasks => Cells.Select(c => c.Task).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public CapabilityMatrixCell? Cell(string profile, string task) => Cells.FirstOrDefault(c => c.Profile == profile && c.Task == task);

    /// <summary>
    /// One column per profile. Trials marked as a control go to a column of their own (<c>control-NAME</c>), so a
    /// control can never be mistaken for a profile's result, whatever the caller names the profile.
    /// </summary>
    public static CapabilityMatrix Build(IEnumerable<(string Profile, TaskTrial Trial)> trials)
    {
        var columns = trials
            .Select(t => (Profile: t.Trial.Control is { } control ? $"control-{control}" : t.Profile, t.Trial))
            .GroupBy(t => t.Profile, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var cells = new List<CapabilityMatrixCell>();
        var totals = new List<CapabilityTotals>();
        foreach (var column in columns)
        {
            var profileCells = column.GroupBy(t => t.Trial.Task, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => CellOf(column.Key, g.Select(t => t.Trial).ToList())).ToList();
            cells.AddRange(profileCells);
            var all = column.Select(t => t.Trial).ToList();
            totals.Add(new CapabilityTotals(
                column.Key,
                profileCells.Count,
                profileCells.Count(c => c.Passes > 0),
                all.Count,
                all.Count(t => t.Passed),
                profileCells.Average(c => c.PassAt1),
                profileCells.Average(c => c.PassAtK),
                TrialStatistics.Median(all.Select(t => t.WallSeconds)),
                all.Sum(t => t.WallSeconds),
                all.Sum(t => t.ToolCalls),
                all.Sum(t => t.ApiErrors),
                all.Sum(t => t.MalformedToolCalls),
                CountKinds(all)));
        }
        return new CapabilityMatrix(cells, totals);
    }

    public static CapabilityMatrix Build(string profile, IEnumerable<TaskTrial> trials) => Build(trials.Select(t => (profile, t)));

    public static CapabilityMatrix FromResultFiles(IEnumerable<ResultFile> files) =>
        Build(files.Where(f => f.Kind == Kind).SelectMany(f => f.Trials.Select(t => (f.Run.Profile, t))));

    private static CapabilityMatrixCell CellOf(string profile, IReadOnlyList<TaskTrial> trials)
    {
        var passes = trials.Count(t => t.Passed);
        var ttfts = trials.Where(t => t.TimeToFirstTokenSeconds is not null).Select(t => t.TimeToFirstTokenSeconds!.Value).ToList();
        return new CapabilityMatrixCell(
            profile, trials[0].Task, trials[0].Category, trials.Count, passes,
            TrialStatistics.PassAtK(trials.Count, passes, 1),
            TrialStatistics.PassAtK(trials.Count, passes, trials.Count),
            TrialStatistics.Median(trials.Select(t => t.WallSeconds)),
            TrialStatistics.Median(trials.Select(t => (double)t.Turns)),
            TrialStatistics.Median(trials.Select(t => (double)t.ToolCalls)),
            trials.Sum(t => t.ApiErrors),
            trials.Sum(t => t.MalformedToolCalls),
            ttfts.Count > 0 ? TrialStatistics.Median(ttfts) : null,
            CountKinds(trials));
    }

    private static IReadOnlyDictionary<string, int> CountKinds(IEnumerable<TaskTrial> trials) =>
        trials.Where(t => !t.Passed).GroupBy(t => t.FailureKind ?? "unknown", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>
    /// The <c>e2e</c> result file of one column: every trial (transcript paths made relative to
    /// <paramref name="resultPath"/>), one check per task (<c>task/ID</c>: pass only when every trial passed) and
    /// the column's totals as metrics.
    /// </summary>
    public static ResultFile ToResultFile(RunInfo run, IReadOnlyList<TaskTrial> trials, IReadOnlyDictionary<string, string> taskTitles, string resultPath)
    {
        if (trials.Select(t => t.Control).Distinct().Count() > 1)
            throw new ArgumentException("a result file holds either a profile's trials or one control's, never both");
        var matrix = Build(run.Profile, trials);
        var totals = matrix.Totals.Single();
        var folder = Path.GetDirectoryName(Path.GetFullPath(resultPath))!;
        var checks = matrix.Cells.Select(c => new CheckResult
        {
            Id = $"task/{c.Task}",
            Area = $"e2e.{c.Category}",
            Title = taskTitles.TryGetValue(c.Task, out var title) ? title : c.Task,
            Outcome = c.Passes == c.Trials ? Results.CheckOutcome.Pass : Results.CheckOutcome.Fail,
            Reason = Reason(c),
            Metrics = new Dictionary<string, double>
            {
                ["pass_at_1"] = c.PassAt1,
                ["pass_at_k"] = c.PassAtK,
                ["trials"] = c.Trials,
                ["median_wall_s"] = c.MedianWallSeconds,
                ["median_turns"] = c.MedianTurns,
                ["median_tool_calls"] = c.MedianToolCalls,
                ["api_errors"] = c.ApiErrors,
                ["connection_retries"] = trials.Where(t => t.Task == c.Task).Sum(t => t.ConnectionRetries),
                ["malformed_tool_calls"] = c.MalformedToolCalls,
            },
            DurationSeconds = trials.Where(t => t.Task == c.Task).Sum(t => t.WallSeconds),
        }).ToList();
        var metrics = new Dictionary<string, double>
        {
            ["e2e.pass_at_1"] = totals.MeanPassAt1,
            ["e2e.pass_at_k"] = totals.MeanPassAtK,
            ["e2e.tasks_passed"] = totals.TasksPassedOnce,
            ["e2e.trials"] = totals.Trials,
            ["e2e.task_median_s"] = totals.MedianWallSeconds,
            ["e2e.tool_calls"] = totals.ToolCalls,
            ["e2e.api_errors"] = totals.ApiErrors,
            ["e2e.connection_retries"] = trials.Sum(t => t.ConnectionRetries),
            ["e2e.malformed_tool_calls"] = totals.MalformedToolCalls,
        };
        var ttfts = trials.Where(t => t.TimeToFirstTokenSeconds is not null).Select(t => t.TimeToFirstTokenSeconds!.Value).ToList();
        if (ttfts.Count > 0) metrics["e2e.ttft_median_s"] = TrialStatistics.Median(ttfts);
        return new ResultFile
        {
            Kind = Kind,
            Run = run,
            Checks = checks,
            Trials = trials.Select(t => t with { Transcript = t.Transcript is null ? null : Relative(folder, t.Transcript) }).ToList(),
            Metrics = metrics,
        };
    }

    private static string Relative(string folder, string path) =>
        Path.IsPathRooted(path) ? Path.GetRelativePath(folder, path) : path;

    private static string Reason(CapabilityMatrixCell c)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{c.Passes}/{c.Trials} trials passed");
        return c.FailureKinds.Count == 0 ? text : $"{text}; failed: {Kinds(c.FailureKinds)}";
    }

    private static string Kinds(IReadOnlyDictionary<string, int> kinds) =>
        string.Join(", ", kinds.Select(k => k.Value == 1 ? k.Key : string.Create(CultureInfo.InvariantCulture, $"{k.Key} ×{k.Value}")));

    /// <summary>The plain table: for each column its tasks, then its totals; with several columns, task × column pass counts too.</summary>
    public void Print(TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var total in Totals)
        {
            var cells = Cells.Where(c => c.Profile == total.Profile).ToList();
            var width = Math.Max(4, cells.Max(c => c.Task.Length));
            output.WriteLine(total.Profile.StartsWith("control-", StringComparison.Ordinal)
                ? $"{total.Profile} (CONTROL backend, not a model)"
                : $"profile {total.Profile}");
            output.WriteLine(string.Create(inv,
                $"{"task".PadRight(width)}  {"pass",6}  {"pass@1",6}  {"pass@k",6}  {"med s",7}  {"turns",5}  {"tools",5}  {"api-err",7}  {"malf",4}  failures"));
            output.WriteLine($"{new string('-', width)}  ------  ------  ------  -------  -----  -----  -------  ----  {new string('-', 30)}");
            foreach (var c in cells)
                output.WriteLine(string.Create(inv,
                    $"{c.Task.PadRight(width)}  {$"{c.Passes}/{c.Trials}",6}  {c.PassAt1,6:0.00}  {c.PassAtK,6:0.00}  {c.MedianWallSeconds,7:0.0}  {c.MedianTurns,5:0.#}  {c.MedianToolCalls,5:0.#}  {c.ApiErrors,7}  {c.MalformedToolCalls,4}  {(c.FailureKinds.Count == 0 ? "-" : Kinds(c.FailureKinds))}"));
            output.WriteLine(string.Create(inv,
                $"totals: {total.TasksPassedOnce}/{total.Tasks} tasks passed at least once, {total.Passes}/{total.Trials} trials, mean pass@1 {total.MeanPassAt1:0.00}, mean pass@k {total.MeanPassAtK:0.00}, median {total.MedianWallSeconds:0.0} s per trial, {total.TotalWallSeconds:0} s in all"));
            if (total.FailureKinds.Count > 0) output.WriteLine($"failure kinds: {Kinds(total.FailureKinds)}");
            output.WriteLine();
        }
        if (Totals.Count < 2) return;
        var taskWidth = Math.Max(4, Tasks.Max(t => t.Length));
        output.WriteLine($"{"task".PadRight(taskWidth)}  {string.Join("  ", Profiles.Select(p => p.PadLeft(Math.Max(7, p.Length))))}");
        foreach (var task in Tasks)
            output.WriteLine($"{task.PadRight(taskWidth)}  {string.Join("  ", Profiles.Select(p => (Cell(p, task) is { } c ? $"{c.Passes}/{c.Trials}" : "-").PadLeft(Math.Max(7, p.Length))))}");
    }
}
