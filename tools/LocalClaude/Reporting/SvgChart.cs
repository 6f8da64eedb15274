using System.Net;
using System.Text;

namespace LocalClaude.Reporting;

/// <summary>A category on the x axis; its attributes land on every bar or point of it (e.g. <c>data-profile</c>).</summary>
public sealed record ChartGroup(string Label, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One series; its attributes land on each of its bars or points (e.g. <c>data-metric</c>).</summary>
public sealed record ChartSeries(string Label, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<double?> Values)
{
    /// <summary>Attributes of single values (one per value), for a series whose metric name differs per group.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? ValueAttributes { get; init; }

    /// <summary>Per value: the samples' spread (null: a single value); drawn as whiskers, and a rough one as a hollow point.</summary>
    public IReadOnlyList<Results.SampleSpread?>? Spreads { get; init; }

    internal Results.SampleSpread? SpreadOf(int index) => Spreads is { } s && index < s.Count ? s[index] : null;

    internal IReadOnlyDictionary<string, string> AttributesOf(int index) =>
        ValueAttributes is { } each ? Attributes.Concat(each[index]).ToDictionary() : Attributes;
}

/// <summary>
/// Inline SVG charts, no library: grouped bars and lines. Every bar and point carries <c>data-value</c> and its
/// group's and series' attributes, so a test can hold the drawing against report.json. Where a value has a spread,
/// a whisker from min to max (<c>class="spread"</c>) goes with it, and a rough value is drawn hollow (<c>data-rough</c>).
/// </summary>
public static class SvgChart
{
    private const int Height = 260, Top = 34, Bottom = 54, Left = 64, Right = 16;
    private static readonly string[] Palette = ["#2f6fb3", "#e08a1e", "#3a9d5d", "#8e5bb5", "#c2413b", "#5f7f8f"];

    public static string Bars(string id, string title, Func<double, string> format, IReadOnlyList<ChartGroup> groups, IReadOnlyList<ChartSeries> series)
    {
        // Wide enough for a value label such as "2.30 s" above each bar.
        var barWidth = series.Count <= 3 ? 36 : 26;
        var groupWidth = series.Count * barWidth + 28;
        var width = Math.Max(Math.Max(420, LegendWidth(series) + Left + Right), Left + Right + groups.Count * groupWidth);
        var plotHeight = Height - Top - Bottom;
        var max = NiceMax(Highest(series));
        var svg = Open(id, title, width);
        Axis(svg, width, max, format);
        Legend(svg, series);
        var plotWidth = width - Left - Right;
        var step = (double)plotWidth / Math.Max(1, groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            var x0 = Left + g * step + (step - series.Count * barWidth) / 2;
            for (var s = 0; s < series.Count; s++)
            {
                if (series[s].Values[g] is not { } value) continue;
                var h = max <= 0 ? 0 : value / max * plotHeight;
                var x = x0 + s * barWidth;
                var y = Top + plotHeight - h;
                svg.Append($"<rect class=\"bar\" x=\"{N(x)}\" y=\"{N(y)}\" width=\"{barWidth - 3}\" height=\"{N(h)}\" fill=\"{Palette[s % Palette.Length]}\" data-value=\"{ReportFormat.Number(value, "0.######")}\"");
                Attributes(svg, groups[g].Attributes, series[s].AttributesOf(g));
                var spread = series[s].SpreadOf(g);
                svg.Append($"><title>{E(groups[g].Label)} · {E(series[s].Label)}: {E(format(value))}{E(SpreadText(spread, format))}</title></rect>");
                Whisker(svg, x + (barWidth - 3) / 2.0, spread, v => Top + plotHeight - (max <= 0 ? 0 : v / max * plotHeight), format);
                svg.Append($"<text class=\"value\" x=\"{N(x + (barWidth - 3) / 2.0)}\" y=\"{N(y - 3)}\" text-anchor=\"middle\">{E(format(value))}</text>");
            }
            XLabel(svg, Left + g * step + step / 2, groups[g].Label, (int)step);
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Points evenly spaced by index (one per report), a polyline per series that skips missing values.</summary>
    public static string Lines(string id, string title, Func<double, string> format, IReadOnlyList<ChartGroup> points, IReadOnlyList<ChartSeries> series)
    {
        var width = Math.Max(Math.Max(420, LegendWidth(series) + Left + Right), Left + Right + points.Count * 70);
        var plotHeight = Height - Top - Bottom;
        var max = NiceMax(Highest(series));
        var svg = Open(id, title, width);
        Axis(svg, width, max, format);
        Legend(svg, series);
        var plotWidth = width - Left - Right;
        var step = points.Count <= 1 ? 0 : (double)(plotWidth - 40) / (points.Count - 1);
        double X(int i) => Left + 20 + i * step;
        double Y(double v) => Top + plotHeight - (max <= 0 ? 0 : v / max * plotHeight);
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Palette[s % Palette.Length];
            var run = new List<string>();
            void Flush()
            {
                if (run.Count > 1) svg.Append($"<polyline class=\"line\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', run)}\"/>");
                run.Clear();
            }
            for (var i = 0; i < points.Count; i++)
            {
                if (series[s].Values[i] is not { } value) { Flush(); continue; }
                run.Add($"{N(X(i))},{N(Y(value))}");
            }
            Flush();
            for (var i = 0; i < points.Count; i++)
            {
                if (series[s].Values[i] is not { } value) continue;
                var spread = series[s].SpreadOf(i);
                Whisker(svg, X(i), spread, Y, format);
                // A rough value (one sample, or a wide spread) is hollow: a range to read, not a point to trust.
                var rough = spread is { IsRough: true } || (series[s].Spreads is not null && spread is null);
                var fill = rough ? $"fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"2\" data-rough=\"{E(spread?.Roughness ?? "one sample")}\"" : $"fill=\"{colour}\"";
                svg.Append($"<circle class=\"point{(rough ? " rough" : "")}\" cx=\"{N(X(i))}\" cy=\"{N(Y(value))}\" r=\"4\" {fill} data-value=\"{ReportFormat.Number(value, "0.######")}\"");
                Attributes(svg, points[i].Attributes, series[s].AttributesOf(i));
                svg.Append($"><title>{E(points[i].Label)} · {E(series[s].Label)}: {E(format(value))}{E(SpreadText(spread, format))}</title></circle>");
            }
        }
        for (var i = 0; i < points.Count; i++) XLabel(svg, X(i), points[i].Label, 90);
        return svg.Append("</svg>").ToString();
    }

    private static double Highest(IReadOnlyList<ChartSeries> series) =>
        series.SelectMany(s => s.Values.Select((v, i) => Math.Max(v ?? 0, s.SpreadOf(i)?.Max ?? 0))).DefaultIfEmpty(0).Max();

    /// <summary>A vertical line from min to max with short caps; nothing for a single sample.</summary>
    private static void Whisker(StringBuilder svg, double x, Results.SampleSpread? spread, Func<double, double> y, Func<double, string> format)
    {
        if (spread is null || spread.N < 2) return;
        var (top, bottom) = (y(spread.Max), y(spread.Min));
        svg.Append($"<g class=\"spread\" data-n=\"{spread.N}\" data-min=\"{ReportFormat.Number(spread.Min, "0.######")}\" data-max=\"{ReportFormat.Number(spread.Max, "0.######")}\">")
           .Append($"<line x1=\"{N(x)}\" x2=\"{N(x)}\" y1=\"{N(top)}\" y2=\"{N(bottom)}\" stroke=\"#333\" stroke-width=\"1\"/>")
           .Append($"<line x1=\"{N(x - 4)}\" x2=\"{N(x + 4)}\" y1=\"{N(top)}\" y2=\"{N(top)}\" stroke=\"#333\"/>")
           .Append($"<line x1=\"{N(x - 4)}\" x2=\"{N(x + 4)}\" y1=\"{N(bottom)}\" y2=\"{N(bottom)}\" stroke=\"#333\"/>")
           .Append($"<title>n={spread.N}, {E(format(spread.Min))}–{E(format(spread.Max))}</title></g>");
    }

    private static string SpreadText(Results.SampleSpread? spread, Func<double, string> format) => spread switch
    {
        null => "",
        { N: 1 } => " (n=1, no spread)",
        _ => $" (median of n={spread.N}, {format(spread.Min)}–{format(spread.Max)}{(spread.Roughness is { } why ? $"; {why}" : "")})",
    };

    /// <summary>The smallest 1, 2, 2.5 or 5 × 10^n at or above the largest value, so gridlines fall on round numbers.</summary>
    public static double NiceMax(double max)
    {
        if (max <= 0 || double.IsNaN(max) || double.IsInfinity(max)) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var f in new[] { 1, 2, 2.5, 5, 10 })
            if (f * magnitude >= max * (1 - 1e-12)) return f * magnitude;
        return 10 * magnitude;
    }

    private static StringBuilder Open(string id, string title, int width) =>
        new StringBuilder()
            .Append($"<svg class=\"chart\" data-chart=\"{E(id)}\" role=\"img\" aria-label=\"{E(title)}\" ")
            .Append($"width=\"{width}\" height=\"{Height}\" viewBox=\"0 0 {width} {Height}\"><title>{E(title)}</title>");

    private static void Axis(StringBuilder svg, int width, double max, Func<double, string> format)
    {
        var plotHeight = Height - Top - Bottom;
        const int ticks = 5;
        for (var t = 0; t <= ticks; t++)
        {
            var value = max * t / ticks;
            var y = Top + plotHeight - plotHeight * t / (double)ticks;
            svg.Append($"<line class=\"grid\" x1=\"{Left}\" x2=\"{width - Right}\" y1=\"{N(y)}\" y2=\"{N(y)}\"/>");
            svg.Append($"<text class=\"tick\" x=\"{Left - 6}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{E(format(value))}</text>");
        }
        svg.Append($"<line class=\"axis\" x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Top + plotHeight}\"/>");
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<ChartSeries> series)
    {
        var x = Left;
        for (var s = 0; s < series.Count; s++)
        {
            svg.Append($"<rect class=\"legend\" x=\"{x}\" y=\"10\" width=\"12\" height=\"12\" fill=\"{Palette[s % Palette.Length]}\"/>");
            svg.Append($"<text class=\"legend\" x=\"{x + 16}\" y=\"20\">{E(series[s].Label)}</text>");
            x += LegendEntryWidth(series[s]);
        }
    }

    // About 6.5 px per character at the legend's 11 px font.
    private static int LegendEntryWidth(ChartSeries series) => 28 + (int)Math.Ceiling(series.Label.Length * 6.5);

    private static int LegendWidth(IReadOnlyList<ChartSeries> series) => series.Sum(LegendEntryWidth);

    private static void XLabel(StringBuilder svg, double x, string label, int room)
    {
        var max = Math.Max(6, room / 7);
        var shown = label.Length > max ? label[..(max - 1)] + "…" : label;
        svg.Append($"<text class=\"xlabel\" x=\"{N(x)}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{E(shown)}<title>{E(label)}</title></text>");
    }

    private static void Attributes(StringBuilder svg, params IReadOnlyDictionary<string, string>[] sets)
    {
        foreach (var set in sets)
            foreach (var (name, value) in set)
                svg.Append($" {name}=\"{E(value)}\"");
    }

    private static string N(double v) => ReportFormat.Number(v, "0.#");
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
