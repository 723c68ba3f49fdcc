using System.Globalization;
using System.Net;
using System.Text;

namespace Rendering;

/// <summary>
/// Draws a <see cref="ScheduleStory"/> as one self-contained HTML page (inline CSS and one
/// inline SVG swimlane picture, no scripts, no external fonts or images, the same bytes for the
/// same input): one vertical lane per task with its name at the top, one row per event top to
/// bottom, each event a small labelled box in its lane. A lock hold is a vertical bar (class
/// "lock-hold") beside the lane from its Lock row to its Unlock row (to the end if it never
/// unlocks); a preemption is marked with a zig-zag and the word "preempted" (class
/// "preempted"); the violating event's box is red (class "violation"), and the invariant and the
/// bug are printed under the picture. The colours are exact so that a screenshot can be checked
/// pixel by pixel.
/// </summary>
public static class StorySvgRenderer
{
    /// <summary>The bar beside a lane while it holds zone->lock.</summary>
    public const string LockHoldColour = "#2a9d8f";

    /// <summary>The marker of a preemption (zig-zag, frame and word).</summary>
    public const string PreemptedColour = "#ff9f1c";

    /// <summary>The violating event's box: the same red as <see cref="HtmlRenderer.ViolationColour"/>.</summary>
    public const string ViolationColour = HtmlRenderer.ViolationColour;

    /// <summary>Ordinary event boxes, and the boxes of Lock and Unlock rows.</summary>
    public const string EventColour = "#eef3f8";
    public const string LockEventColour = "#dff3f0";
    public const string PreemptedEventColour = "#fff4e6";

    /// <summary>The width of a lane in pixels, and how many characters of text fit on a line of its box.</summary>
    public const int LaneWidth = 250;
    public const int CharsPerLine = 32;

    private const int StepWidth = 56;
    private const int HeaderHeight = 36;
    private const int LineHeight = 13;
    private const int BoxPadding = 5;
    private const int RowGap = 6;
    private const int BarX = 6, BarWidth = 8;
    private const int BoxX = 20, BoxRightMargin = 8;

    public static string Render(ScheduleStory story)
    {
        ArgumentNullException.ThrowIfNull(story);
        var lanes = StoryTextRenderer.LanesOf(story);
        var sb = new StringBuilder();
        string title = $"Schedule story: {story.Scenario}";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append($"<title>{E(title)}</title>\n");
        sb.Append("<style>\n")
          .Append("body{font-family:sans-serif;margin:16px;background:#fff;color:#222}\n")
          .Append("h1{font-size:20px;margin:0 0 6px}\n")
          .Append(".meta{font-size:13px;margin:2px 0;font-family:monospace}\n")
          .Append(".verdict{background:#ffe5e5;border-left:6px solid ").Append(HtmlRenderer.FailureFrameColour).Append(";padding:6px 10px;font-size:14px}\n")
          .Append(".legend{font-size:12px}.legend .swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;border:1px solid #444;vertical-align:middle}\n")
          .Append("svg text{font-family:monospace;font-size:11px}svg .lane-name{font-family:sans-serif;font-size:13px;font-weight:bold;text-anchor:middle}\n")
          .Append("svg .step{fill:#666;text-anchor:end}svg .violation-text{fill:#ffffff;font-weight:bold}svg .preempted-word{fill:").Append(PreemptedColour).Append(";font-weight:bold}\n")
          .Append("</style>\n</head>\n<body>\n");
        sb.Append($"<h1>{E(title)}</h1>\n");
        sb.Append($"<p class=\"meta\">trace {E(StoryTextRenderer.FileName(story.Trace))}; {E(StoryTextRenderer.Counts(story))}</p>\n");
        sb.Append($"<p class=\"meta\">invariant {E(story.Invariant ?? "none")}{(story.Bug is null ? "" : $"; bug: {E(story.Bug)}")}</p>\n");
        // Small swatches, so that the picture (not the legend) holds nearly all of each colour.
        sb.Append("<p class=\"legend\">")
          .Append($"<span class=\"swatch\" style=\"background:{LockHoldColour}\"></span>holds zone-&gt;lock (Lock row to Unlock row)")
          .Append($"<span class=\"swatch\" style=\"background:{PreemptedColour}\"></span>preempted (switched out while it could have gone on)")
          .Append($"<span class=\"swatch\" style=\"background:{ViolationColour}\"></span>the violation")
          .Append("; one lane per task, rows top to bottom in the order they happened</p>\n");
        AppendSvg(sb, story, lanes);
        sb.Append($"<p class=\"verdict\" id=\"verdict\">{E(StoryTextRenderer.ViolationLine(story))}</p>\n");
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void AppendSvg(StringBuilder sb, ScheduleStory story, List<string> lanes)
    {
        // Lay out the rows first: each event's lines, its row's top and height.
        var rows = new List<(StoryEvent Event, int Lane, List<string> Lines, int Top, int Height)>();
        int y = HeaderHeight;
        foreach (var e in story.Events)
        {
            var lines = StoryTextRenderer.Wrap(Text(e), CharsPerLine, StoryTextRenderer.MaxLines, "\u2026");
            if (e.Kind == StoryEventKind.Preempted)
            {
                if (string.IsNullOrWhiteSpace(e.Text))
                    lines.Clear();
                lines.Insert(0, ""); // the marker's line: zig-zag and "preempted"
            }
            int rowHeight = lines.Count * LineHeight + 2 * BoxPadding + RowGap;
            rows.Add((e, lanes.IndexOf(e.Lane), lines, y, rowHeight));
            y += rowHeight;
        }
        int width = StepWidth + lanes.Count * LaneWidth + 4;
        int height = y + 8;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");

        // Lanes: a faint background, the name on top.
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"step\" x=\"{StepWidth - 8}\" y=\"22\">step</text>\n");
        for (int k = 0; k < lanes.Count; k++)
        {
            int left = StepWidth + k * LaneWidth;
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"lane\" x=\"{left}\" y=\"0\" width=\"{LaneWidth - 2}\" height=\"{height}\" fill=\"{(k % 2 == 0 ? "#fafafa" : "#f3f3f3")}\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"lane-name\" x=\"{left + LaneWidth / 2}\" y=\"22\">{E(lanes[k])}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<path d=\"M0 {HeaderHeight - 4}H{width}\" stroke=\"#888\" stroke-width=\"1\"/>\n");

        // Lock holds: from the top of the Lock row's box to the bottom of the Unlock row's box.
        var holdFrom = new int?[lanes.Count];
        var holds = new StringBuilder();
        foreach (var r in rows)
        {
            if (r.Event.Kind == StoryEventKind.Lock && holdFrom[r.Lane] is null)
                holdFrom[r.Lane] = r.Top;
            else if (r.Event.Kind == StoryEventKind.Unlock && holdFrom[r.Lane] is int from)
            {
                AppendHold(holds, lanes, r.Lane, from, r.Top + r.Height - RowGap, "to its Unlock row");
                holdFrom[r.Lane] = null;
            }
        }
        for (int k = 0; k < lanes.Count; k++)
            if (holdFrom[k] is int from)
                AppendHold(holds, lanes, k, from, y, "to the end: never released");
        sb.Append(holds);

        // The events.
        foreach (var (e, lane, lines, top, rowHeight) in rows)
        {
            int left = StepWidth + lane * LaneWidth;
            int bx = left + BoxX, bw = LaneWidth - BoxX - BoxRightMargin, bh = rowHeight - RowGap;
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"step\" x=\"{StepWidth - 8}\" y=\"{top + BoxPadding + LineHeight - 2}\">{e.Step}</text>\n");
            var (cls, fill, stroke, extra) = e.Kind switch
            {
                StoryEventKind.Violation => ("violation", ViolationColour, "#700000", ""),
                StoryEventKind.Preempted => ("event preempted-event", PreemptedEventColour, PreemptedColour, " stroke-width=\"2\""),
                StoryEventKind.Lock => ("event lock", LockEventColour, LockHoldColour, ""),
                StoryEventKind.Unlock => ("event unlock", LockEventColour, LockHoldColour, " stroke-dasharray=\"4 2\""),
                _ => ("event", EventColour, "#8a9bb0", ""),
            };
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"{cls}\" x=\"{bx}\" y=\"{top}\" width=\"{bw}\" height=\"{bh}\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\"{extra}><title>{E($"step {e.Step}, {e.Lane}, {e.Kind}: {e.Text}")}</title></rect>\n");
            if (e.Kind == StoryEventKind.Preempted)
            {
                // A zig-zag arrow pointing out of the lane, then the word.
                int zy = top + BoxPadding + LineHeight / 2, zx = bx + 6;
                sb.Append(CultureInfo.InvariantCulture,
                    $"<g class=\"preempted\"><path d=\"M{zx} {zy}l5 -5l5 10l5 -10l5 10l5 -5h8\" stroke=\"{PreemptedColour}\" stroke-width=\"3\" fill=\"none\"/><path d=\"M{zx + 38} {zy - 6}l8 6l-8 6z\" fill=\"{PreemptedColour}\"/><text class=\"preempted-word\" x=\"{zx + 52}\" y=\"{zy + 4}\">preempted</text></g>\n");
            }
            string textClass = e.Kind == StoryEventKind.Violation ? " class=\"violation-text\"" : "";
            for (int i = 0; i < lines.Count; i++)
            {
                if (lines[i].Length == 0)
                    continue;
                sb.Append(CultureInfo.InvariantCulture, $"<text{textClass} x=\"{bx + 6}\" y=\"{top + BoxPadding + (i + 1) * LineHeight - 3}\">{E(lines[i])}</text>\n");
            }
        }
        sb.Append("</svg>\n");
    }

    private static void AppendHold(StringBuilder sb, List<string> lanes, int lane, int from, int to, string until) =>
        sb.Append(CultureInfo.InvariantCulture,
            $"<rect class=\"lock-hold\" x=\"{StepWidth + lane * LaneWidth + BarX}\" y=\"{from}\" width=\"{BarWidth}\" height=\"{Math.Max(1, to - from)}\" fill=\"{LockHoldColour}\"><title>{E($"{lanes[lane]} holds zone->lock, {until}")}</title></rect>\n");

    /// <summary>The text in the box (the marker draws "preempted" itself; the violation's "!!" is its red box).</summary>
    private static string Text(StoryEvent e) => e.Kind switch
    {
        StoryEventKind.Lock when string.IsNullOrWhiteSpace(e.Text) => "took zone->lock",
        StoryEventKind.Unlock when string.IsNullOrWhiteSpace(e.Text) => "released zone->lock",
        _ => e.Text,
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
