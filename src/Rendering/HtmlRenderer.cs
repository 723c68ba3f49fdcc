using Specs;
using System.Globalization;
using System.Net;
using System.Text;
using BuddyModel;
using Counterexamples;

namespace Rendering;

/// <summary>
/// Draws a counterexample as one self-contained HTML page (inline CSS and SVG, no scripts, no
/// external fonts or images, the same bytes for the same input): the failure first, then one
/// SVG picture per step with, top to bottom, the pageblock strip (each pageblock's migratetype,
/// a lone narrow pageblock widened), the zone map to scale (free, aerated, allocated, batch and
/// isolated blocks along the pfn axis), a widened mark (cyan cap, class "small-block") under
/// every block narrower than MinMarkWidth pixels, the pfn axis with a tick every power of two,
/// a zoomed strip of the window around the small blocks (the violating one first), and every
/// free list per order and migratetype. The boundary is a magenta bar (class "boundary"),
/// violating blocks are red (class "violation"), aerated blocks blue (class "aerated").
/// </summary>
public static class HtmlRenderer
{
    /// <summary>Fill colours; exact values so that a screenshot can be checked pixel by pixel.</summary>
    public const string RawColour = "#f2c14e";
    public const string AeratedColour = "#3a86ff";
    public const string BatchColour = "#8338ec";
    public const string AllocatedColour = "#c8c8c8";
    public const string IsolatedColour = "#6c757d";
    public const string BoundaryColour = "#ff00c8";
    public const string ViolationColour = "#e00000";

    /// <summary>Pageblock strip fills, one per migratetype.</summary>
    public const string UnmovableColour = "#e76f51";
    public const string MovableColour = "#2a9d8f";
    public const string ReclaimableColour = "#6a994e";
    public const string IsolatePageblockColour = "#343a40";

    /// <summary>The cap of the widened mark drawn under the zone map for a block narrower than MinMarkWidth pixels.</summary>
    public const string SmallBlockColour = "#00c8e6";

    /// <summary>The width in pixels of the smallest small block in the zoomed strip.</summary>
    public const int ZoomCell = 14;

    /// <summary>Blocks narrower than this (in pixels) on the zone map also get a mark this wide.</summary>
    public const int MinMarkWidth = 6;

    /// <summary>The frame of the failing step and of verdicts: darker than the violating block so a screenshot tells them apart.</summary>
    public const string FailureFrameColour = "#a00000";

    private const int MapWidth = 960;
    private const int Cell = 46;
    private const int LabelWidth = 150;
    private const int RowHeight = 26;

    /// <summary>The page; leftOut, if given, is drawn as one paragraph where the steps were left out, ending with hint.</summary>
    public static string Render(CounterexampleFile file, IReadOnlyList<StepView> steps, LeftOutSteps? leftOut = null, string? hint = null)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(w, file, steps, leftOut, hint);
        return w.ToString();
    }

    /// <summary>As Render, written to a writer step by step (a long run is never one string).</summary>
    public static void Write(TextWriter writer, CounterexampleFile file, IReadOnlyList<StepView> steps, LeftOutSteps? leftOut = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(steps);
        var sb = new StringBuilder();
        string title = file.Title ?? $"{file.Expected.Invariant} under {file.Design}";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append($"<title>Counterexample: {E(title)}</title>\n");
        sb.Append("<style>\n")
          .Append("body{font-family:sans-serif;margin:16px;background:#fff;color:#222}\n")
          .Append("h1{font-size:20px;margin:0 0 6px}h2{font-size:15px;margin:18px 0 4px}\n")
          .Append("section{border-top:1px solid #ddd;padding-top:4px}section.failed{border:3px solid ").Append(FailureFrameColour).Append(";padding:6px}\n")
          .Append(".meta,.counters{font-size:13px;margin:2px 0;font-family:monospace}\n")
          .Append(".verdict{background:#ffe5e5;border-left:6px solid ").Append(FailureFrameColour).Append(";padding:6px 10px;font-size:14px}\n")
          .Append(".left-out{background:#f4f4f4;border-left:6px solid #888;padding:6px 10px;font-size:14px;font-family:monospace}\n")
          .Append(".legend span{display:inline-block;padding:1px 8px;margin-right:6px;font-size:12px;border:1px solid #444}\n")
          .Append("svg text{font-family:monospace;font-size:11px}.pfn-ticks text,.zoom-ticks text{text-anchor:middle}\n")
          .Append("</style>\n</head>\n<body>\n");
        sb.Append($"<h1>Counterexample: {E(title)}</h1>\n");
        sb.Append($"<p class=\"meta\">design <b>{E(file.Design)}</b>{(file.FixedBy is null ? "" : $" (passes under {E(file.FixedBy)})")}{(file.Seed is ulong s ? $", seed {s}" : "")}; ");
        var c = file.Scenario.Config;
        sb.Append(CultureInfo.InvariantCulture, $"zone {E(c.Name)}: {c.NrPages} pages, MAX_ORDER {c.MaxOrder}, pageblock_order {c.PageblockOrder}");
        sb.Append(E(TextRenderer.OtherZones(file.Scenario)));
        if (file.Scenario.Aeration is { } a) sb.Append("; ").Append(E(a.ToString()));
        sb.Append("</p>\n");
        sb.Append($"<p class=\"verdict\" id=\"verdict\">Expected failure at {E(file.Expected.ToString())}</p>\n");
        sb.Append("<p class=\"legend\">")
          .Append($"<span style=\"background:{RawColour}\">raw free block</span>")
          .Append($"<span style=\"background:{AeratedColour};color:#fff\">aerated</span>")
          .Append($"<span style=\"background:{BatchColour};color:#fff\">in the batch</span>")
          .Append($"<span style=\"background:{AllocatedColour}\">allocated</span>")
          .Append($"<span style=\"background:{IsolatedColour};color:#fff\">isolated</span>")
          .Append($"<span style=\"background:{BoundaryColour};color:#fff\">boundary</span>")
          .Append($"<span style=\"background:{ViolationColour};color:#fff\">violating block</span>")
          .Append($"<span style=\"background:{SmallBlockColour}\">small block, widened</span>")
          .Append(" lists are drawn head first (left)</p>\n");
        sb.Append("<p class=\"legend\">pageblocks: ");
        foreach (var mt in Enum.GetValues<MigrateType>())
            sb.Append($"<span style=\"background:{PageblockColour(mt)};color:#fff\">{ViolationMarks.Initial(mt)} {MigrateTypes.Name(mt)}</span>");
        sb.Append(CultureInfo.InvariantCulture, $" one cell per pageblock of {1 << c.PageblockOrder} pages; blocks narrower than {MinMarkWidth} px are also drawn {MinMarkWidth} px wide under the zone map</p>\n");
        writer.Write(sb);
        sb.Clear();

        // The failing step first, so the picture a reviewer opens shows it; then every step in order.
        if (steps.LastOrDefault(st => st.Failed) is { } failed)
            AppendStep(sb, failed, "failure");
        for (int i = 0; i < steps.Count; i++)
        {
            if (leftOut is not null && leftOut.After == i)
                AppendLeftOut(sb, leftOut, hint);
            AppendStep(sb, steps[i], $"step-{steps[i].Step}");
            writer.Write(sb);
            sb.Clear();
        }
        if (leftOut is not null && leftOut.After >= steps.Count)
            AppendLeftOut(sb, leftOut, hint);
        sb.Append("</body>\n</html>\n");
        writer.Write(sb);
    }

    private static void AppendLeftOut(StringBuilder sb, LeftOutSteps leftOut, string? hint) =>
        sb.Append($"<p class=\"left-out\" id=\"left-out\">{E(TextRenderer.LeftOutLine(leftOut, hint))}</p>\n");

    private static void AppendStep(StringBuilder sb, StepView step, string id)
    {
        var s = step.State;
        var lines = step.Text.Split('\n');
        sb.Append($"<section id=\"{id}\" class=\"step{(step.Failed ? " failed" : "")}\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<h2>{(id == "failure" ? "Failure: " : "")}Step {step.Step}: {E(lines[0])}</h2>\n");
        foreach (var more in lines.Skip(1))
            sb.Append($"<p class=\"meta\">{E(more)}</p>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"counters\">NR_FREE_PAGES {s.NrFreePages}; nr_free by order: {string.Join(" ", s.NrFree)}");
        if (s.NrFreeAerated is { } aer)
            sb.Append($"; nr_free_aerated: {string.Join(" ", aer)}");
        sb.Append("</p>\n");
        if (s.Aerator is { } a)
        {
            var flags = new List<string>();
            if (a.Requested) flags.Add("REQUESTED");
            if (a.Active) flags.Add("ACTIVE");
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"counters\">zone flags: <b>{(flags.Count == 0 ? "none" : string.Join(" ", flags))}</b>; refcnt {a.Refcnt}; worker {E(a.Worker)}; static key {(a.StaticKey ? "on" : "off")}; device {(a.DevicePublished ? "published" : "unpublished")}{(a.ShutdownInProgress ? "; shutdown in progress" : "")}; batch: {(a.Batch.Count == 0 ? "empty" : E(string.Join(", ", a.Batch.Select(b => $"pfn {b.Pfn} order {b.Order}"))))}</p>\n");
        }
        if (s.Reporter is { } r)
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"counters\">reporting: state <b>{E(r.State)}</b>; worker {E(r.Worker)}; jiffies {r.Jiffies}; work {E(r.Work)}; order {r.ReportingOrder}; static branch {(r.StaticBranch ? "on" : "off")}; device {(r.DevicePublished ? "published" : "unpublished")}; in the report: {(r.InFlight.Count == 0 ? "nothing" : E(string.Join(", ", r.InFlight.Select(b => $"pfn {b.Pfn} order {b.Order}"))))}{(r.Oops is { } oops ? $"; oops: {E(oops)}" : "")}</p>\n");
        if (step.Violation is { } v)
            sb.Append($"<p class=\"verdict\">{E(v.ToString())}</p>\n");
        if (step.Error is { } err)
            sb.Append($"<p class=\"verdict\">{E(err)}</p>\n");
        AppendSvg(sb, step);
        sb.Append("</section>\n");
    }

    private static void AppendSvg(StringBuilder sb, StepView step)
    {
        var s = step.State;
        var marks = ViolationMarks.Blocks(step);
        int widest = s.Lists.Count == 0 ? 0 : s.Lists.Max(l => l.Blocks.Count + (l.Boundary is not null ? 1 : 0));
        int width = Math.Max(LabelWidth + MapWidth + 30, LabelWidth + widest * Cell + 20);
        // Top to bottom: pageblock strip, zone map, marks of the small blocks, pfn axis, free lists.
        const int pbTop = 4, pbHeight = 14;
        const int mapTop = pbTop + pbHeight + 4, mapHeight = 26;
        const int marksTop = mapTop + mapHeight + 2, marksHeight = 11;
        const int axisTop = marksTop + marksHeight + 2;
        double scale = (double)MapWidth / Math.Max(1, s.NrPages);

        // Everything on the zone map, in drawing order.
        var blocks = new List<(int Pfn, int Order, string Fill, string Cls, string Tip)>();
        foreach (var b in s.Live)
            blocks.Add((b.Pfn, b.Order, AllocatedColour, "allocated", $"allocated pfn {b.Pfn} order {b.Order}"));
        foreach (var b in s.Isolated)
            blocks.Add((b.Pfn, b.Order, IsolatedColour, "isolated", $"isolated pfn {b.Pfn} order {b.Order}"));
        if (s.Aerator is { } a)
            foreach (var b in a.Batch)
                blocks.Add((b.Pfn, b.Order, BatchColour, "batch", $"in the batch: pfn {b.Pfn} order {b.Order}"));
        if (s.Reporter is { } rep)
            foreach (var b in rep.InFlight)
                blocks.Add((b.Pfn, b.Order, BatchColour, "batch", $"in the report: pfn {b.Pfn} order {b.Order}"));
        foreach (var list in s.Lists)
            foreach (var b in list.Blocks)
                blocks.Add((b.Pfn, list.Order, b.Aerated ? AeratedColour : RawColour, b.Aerated ? "aerated" : "raw",
                    $"{(b.Aerated ? "aerated" : "raw")} pfn {b.Pfn} order {list.Order} {MigrateTypes.Name(list.Mt)}"));

        // The zoomed strip: an aligned window of pages around the first small block (the
        // violating one if it is small) at a scale where the smallest block is ZoomCell px wide.
        var smallOnes = blocks.Where(b => (1 << b.Order) * scale < MinMarkWidth).ToList();
        (int From, int Pages)? zoom = null;
        if (smallOnes.Count > 0)
        {
            int minOrder = smallOnes.Min(b => b.Order);
            int pages = 1 << minOrder;
            while (pages * 2 <= s.NrPages && (long)pages * 2 * ZoomCell <= (long)MapWidth << minOrder)
                pages *= 2;
            var focus = smallOnes.FirstOrDefault(b => marks.Contains(b.Pfn));
            int at = focus.Tip is not null ? focus.Pfn : smallOnes.Min(b => b.Pfn);
            int from = Math.Min(at / pages * pages, Math.Max(0, s.NrPages - pages));
            zoom = (from, Math.Min(pages, s.NrPages));
        }
        const int zoomTop = axisTop + 44, zoomHeight = 24;
        int listsTop = zoom is null ? axisTop + 26 : zoomTop + zoomHeight + 26;
        int height = listsTop + Math.Max(1, s.Lists.Count) * RowHeight + 6;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");

        // Pageblocks and their migratetypes.
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{pbTop + 11}\">pageblocks</text>\n");
        // One rect per run of pageblocks of the same migratetype; a run narrower than
        // MinMarkWidth is widened (drawn last, on top) so that one isolated pageblock shows.
        int pbPages = 1 << s.PageblockOrder;
        double pbWidth = pbPages * scale;
        var narrow = new StringBuilder();
        var initials = new StringBuilder();
        for (int first = 0, next; first < s.Pageblocks.Count; first = next)
        {
            var mt = s.Pageblocks[first];
            for (next = first + 1; next < s.Pageblocks.Count && s.Pageblocks[next] == mt; next++)
            {
            }
            double x = LabelWidth + first * pbWidth, w = (next - first) * pbWidth;
            string cls = mt == MigrateType.Isolate ? "pageblock isolate-pageblock" : "pageblock";
            string which = next - first == 1 ? $"pageblock {first}" : $"pageblocks {first}..{next - 1}";
            var into = w < MinMarkWidth ? narrow : sb;
            if (w < MinMarkWidth)
            {
                x += w / 2 - MinMarkWidth / 2.0;
                w = MinMarkWidth;
            }
            into.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"{cls}\" x=\"{x:0.##}\" y=\"{pbTop}\" width=\"{w:0.##}\" height=\"{pbHeight}\" fill=\"{PageblockColour(mt)}\"><title>{which} (pfn {first * pbPages}..{next * pbPages - 1}): {MigrateTypes.Name(mt)}</title></rect>");
            into.Append('\n');
            // The initial in the middle pageblock of the run (between the edges when pageblocks are wide).
            double mid = pbWidth >= 10 ? LabelWidth + (first + (next - first - 1) / 2 + 0.5) * pbWidth : x + w / 2;
            if (w >= 10)
                initials.Append(CultureInfo.InvariantCulture, $"<text x=\"{mid:0.##}\" y=\"{pbTop + 11}\" fill=\"#ffffff\" text-anchor=\"middle\">{ViolationMarks.Initial(mt)}</text>");
        }
        if (pbWidth >= MinMarkWidth && s.Pageblocks.Count > 1)
        {
            sb.Append("<path class=\"pageblock-edges\" d=\"");
            for (int pb = 1; pb < s.Pageblocks.Count; pb++)
                sb.Append(CultureInfo.InvariantCulture, $"M{LabelWidth + pb * pbWidth:0.##} {pbTop}v{pbHeight}");
            sb.Append("\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n");
        }
        sb.Append(narrow).Append(initials).Append('\n');

        // Zone map along the pfn axis, to scale; blocks too narrow to see get a widened mark below it.
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{mapTop + 17}\">zone map (pfn)</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{LabelWidth}\" y=\"{mapTop}\" width=\"{MapWidth}\" height=\"{mapHeight}\" fill=\"#ffffff\" stroke=\"#444\"/>\n");
        var small = new StringBuilder();
        foreach (var (pfn, order, fill, cls, tip) in blocks)
        {
            double x = LabelWidth + pfn * scale, w = Math.Max(1, (1 << order) * scale);
            bool bad = marks.Contains(pfn);
            string colour = bad ? ViolationColour : fill;
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"{cls}{(bad ? " violation" : "")}\" x=\"{x:0.##}\" y=\"{mapTop}\" width=\"{w:0.##}\" height=\"{mapHeight}\" fill=\"{colour}\" stroke=\"#222\" stroke-width=\"0.5\"><title>{E(tip)}</title></rect>\n");
            if (w < MinMarkWidth)
            {
                // Centred on the block, MinMarkWidth wide: a cyan cap, then the block's own colour.
                double mx = x + w / 2 - MinMarkWidth / 2.0;
                small.Append(CultureInfo.InvariantCulture,
                    $"<g class=\"small-block\"><title>{E(tip)} ({1 << order} page{(order == 0 ? "" : "s")}, widened)</title><rect x=\"{mx:0.##}\" y=\"{marksTop}\" width=\"{MinMarkWidth}\" height=\"3\" fill=\"{SmallBlockColour}\"/><rect class=\"{cls}{(bad ? " violation" : "")}\" x=\"{mx:0.##}\" y=\"{marksTop + 3}\" width=\"{MinMarkWidth}\" height=\"{marksHeight - 3}\" fill=\"{colour}\"/></g>\n");
            }
        }
        sb.Append(small);

        // The pfn axis: a tick every power of two that leaves room for its label.
        int tick = TickStep(s.NrPages);
        sb.Append(CultureInfo.InvariantCulture, $"<path class=\"pfn-axis\" d=\"M{LabelWidth} {axisTop}H{LabelWidth + MapWidth}");
        for (long p = 0; p <= s.NrPages; p += tick)
            sb.Append(CultureInfo.InvariantCulture, $"M{LabelWidth + p * scale:0.##} {axisTop}v5");
        if (s.NrPages % tick != 0)
            sb.Append(CultureInfo.InvariantCulture, $"M{LabelWidth + MapWidth} {axisTop}v5");
        sb.Append("\" stroke=\"#444\" fill=\"none\"/>\n");
        sb.Append("<g class=\"pfn-ticks\">");
        for (long p = 0; p <= s.NrPages; p += tick)
        {
            if (p != s.NrPages && s.NrPages - p < tick / 2)
                continue; // too close to the end label
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + p * scale:0.##}\" y=\"{axisTop + 16}\">{p}</text>");
        }
        if (s.NrPages % tick != 0)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + MapWidth}\" y=\"{axisTop + 16}\">{s.NrPages}</text>");
        sb.Append("</g>\n");

        if (zoom is var (zFrom, zPages))
            AppendZoom(sb, blocks, marks, zFrom, zPages, scale, mapTop, axisTop, zoomTop, zoomHeight);

        // Free lists, head first.
        if (s.Lists.Count == 0)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{listsTop + 17}\">every free list is empty</text>\n");
        for (int r = 0; r < s.Lists.Count; r++)
        {
            var list = s.Lists[r];
            int y = listsTop + r * RowHeight;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 16}\">order {list.Order} {MigrateTypes.Name(list.Mt)}</text>\n");
            int x = LabelWidth;
            for (int i = 0; i <= list.Blocks.Count; i++)
            {
                if (list.Boundary == i)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"boundary\" x=\"{x}\" y=\"{y}\" width=\"5\" height=\"{RowHeight - 4}\" fill=\"{BoundaryColour}\"><title>boundary[{list.Order}][{MigrateTypes.Name(list.Mt)}]{(i == list.Blocks.Count ? " at the list head (no aerated block)" : $" at pfn {list.Blocks[i].Pfn}")}</title></rect>\n");
                    x += 9;
                }
                if (i == list.Blocks.Count)
                    break;
                var b = list.Blocks[i];
                bool bad = marks.Contains(b.Pfn);
                string fill = bad ? ViolationColour : b.Aerated ? AeratedColour : RawColour;
                string ink = bad || b.Aerated ? "#ffffff" : "#000000";
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"{(b.Aerated ? "aerated" : "raw")}{(bad ? " violation" : "")}\" x=\"{x}\" y=\"{y}\" width=\"{Cell - 4}\" height=\"{RowHeight - 4}\" fill=\"{fill}\" stroke=\"#222\" stroke-width=\"{(bad ? 2 : 1)}\"><title>{(b.Aerated ? "aerated" : "raw")} pfn {b.Pfn}{(bad ? " (violating)" : "")}</title></rect>");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 4}\" y=\"{y + 15}\" fill=\"{ink}\">{b.Pfn}</text>\n");
                x += Cell;
            }
            if (list.BoundaryElsewhere is not null)
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"boundary-elsewhere\" x=\"{x + 4}\" y=\"{y + 16}\" fill=\"{BoundaryColour}\">boundary {E(list.BoundaryElsewhere)}</text>\n");
        }
        sb.Append("</svg>\n");
    }

    /// <summary>
    /// The window [from, from + pages) of the zone map drawn across the whole map width: each
    /// block clipped to the window, labelled with its pfn when it fits, with a tick per block
    /// start; and a bracket on the zone map showing where the window is.
    /// </summary>
    private static void AppendZoom(StringBuilder sb, List<(int Pfn, int Order, string Fill, string Cls, string Tip)> blocks, IReadOnlySet<int> marks,
        int from, int pages, double scale, int mapTop, int axisTop, int zoomTop, int zoomHeight)
    {
        double zs = (double)MapWidth / pages;
        int to = from + pages;
        double wx = LabelWidth + from * scale, ww = Math.Max(2, pages * scale);
        sb.Append(CultureInfo.InvariantCulture,
            $"<rect class=\"zoom-window\" x=\"{wx:0.##}\" y=\"{mapTop - 1}\" width=\"{ww:0.##}\" height=\"{axisTop - mapTop + 1}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>");
        sb.Append(CultureInfo.InvariantCulture,
            $"<path class=\"zoom-window\" d=\"M{wx:0.##} {axisTop + 19}L{LabelWidth} {zoomTop - 1}M{wx + ww:0.##} {axisTop + 19}L{LabelWidth + MapWidth} {zoomTop - 1}\" stroke=\"#888\" stroke-dasharray=\"3 2\" fill=\"none\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{zoomTop + 16}\">zoom pfn {from}..{to - 1}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"zoom\" x=\"{LabelWidth}\" y=\"{zoomTop}\" width=\"{MapWidth}\" height=\"{zoomHeight}\" fill=\"#ffffff\" stroke=\"#444\"/>\n");
        var starts = new SortedSet<int> { from, to };
        foreach (var (pfn, order, fill, cls, tip) in blocks)
        {
            int end = pfn + (1 << order);
            if (end <= from || pfn >= to)
                continue;
            int a = Math.Max(pfn, from), b = Math.Min(end, to);
            starts.Add(a);
            starts.Add(b);
            bool bad = marks.Contains(pfn);
            double x = LabelWidth + (a - from) * zs, w = (b - a) * zs;
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"zoomed {cls}{(bad ? " violation" : "")}\" x=\"{x:0.##}\" y=\"{zoomTop}\" width=\"{w:0.##}\" height=\"{zoomHeight}\" fill=\"{(bad ? ViolationColour : fill)}\" stroke=\"#222\" stroke-width=\"1\"><title>{E(tip)}</title></rect>");
            string label = pfn.ToString(CultureInfo.InvariantCulture);
            if (w >= 7 * label.Length + 4)
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 3:0.##}\" y=\"{zoomTop + 16}\" fill=\"{(bad || cls is "aerated" or "batch" or "isolated" ? "#ffffff" : "#000000")}\">{label}</text>");
            sb.Append('\n');
        }
        // Ticks at the window's ends and at every block edge, labelled where there is room.
        double lastLabel = double.NegativeInfinity;
        sb.Append(CultureInfo.InvariantCulture, $"<path class=\"zoom-axis\" d=\"");
        foreach (int p in starts)
            sb.Append(CultureInfo.InvariantCulture, $"M{LabelWidth + (p - from) * zs:0.##} {zoomTop + zoomHeight}v4");
        sb.Append("\" stroke=\"#444\" fill=\"none\"/>\n");
        sb.Append("<g class=\"zoom-ticks\">");
        foreach (int p in starts)
        {
            double x = LabelWidth + (p - from) * zs;
            string label = p.ToString(CultureInfo.InvariantCulture);
            if (p != to && (x - lastLabel < 7 * label.Length + 6 || LabelWidth + MapWidth - x < 7 * label.Length + 6))
                continue;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.##}\" y=\"{zoomTop + zoomHeight + 14}\">{label}</text>");
            lastLabel = x;
        }
        sb.Append("</g>\n");
    }

    /// <summary>The pfn step between two labelled ticks: the smallest power of two that gives at most 16 intervals and leaves 48 px per label.</summary>
    public static int TickStep(int nrPages)
    {
        int step = 1;
        double scale = (double)MapWidth / Math.Max(1, nrPages);
        while (step < nrPages && ((long)step * 16 < nrPages || step * scale < 48))
            step <<= 1;
        return step;
    }

    /// <summary>The fill of a pageblock of this migratetype in the pageblock strip.</summary>
    public static string PageblockColour(MigrateType mt) => mt switch
    {
        MigrateType.Unmovable => UnmovableColour,
        MigrateType.Movable => MovableColour,
        MigrateType.Reclaimable => ReclaimableColour,
        MigrateType.Isolate => IsolatePageblockColour,
        _ => "#000000",
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
