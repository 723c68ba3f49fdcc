using Specs;
using System.Globalization;
using System.Net;
using System.Text;
using BuddyModel;
using Counterexamples;

namespace Rendering;

/// <summary>
/// Draws a counterexample as one self-contained HTML page (inline CSS and SVG, no scripts, no
/// external fonts or images): the failure first, then one SVG picture per step with a zone map
/// (free, aerated, allocated, batch and isolated blocks along the pfn axis) and every free list
/// per order and migratetype. The boundary is a magenta bar (class "boundary"), violating
/// blocks are red (class "violation").
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

    /// <summary>The frame of the failing step and of verdicts: darker than the violating block so a screenshot tells them apart.</summary>
    public const string FailureFrameColour = "#a00000";

    private const int MapWidth = 960;
    private const int Cell = 46;
    private const int LabelWidth = 150;
    private const int RowHeight = 26;

    public static string Render(CounterexampleFile file, IReadOnlyList<StepView> steps)
    {
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
          .Append(".legend span{display:inline-block;padding:1px 8px;margin-right:6px;font-size:12px;border:1px solid #444}\n")
          .Append("svg text{font-family:monospace;font-size:11px}\n")
          .Append("</style>\n</head>\n<body>\n");
        sb.Append($"<h1>Counterexample: {E(title)}</h1>\n");
        sb.Append($"<p class=\"meta\">design <b>{E(file.Design)}</b>{(file.FixedBy is null ? "" : $" (passes under {E(file.FixedBy)})")}{(file.Seed is ulong s ? $", seed {s}" : "")}; ");
        var c = file.Scenario.Config;
        sb.Append(CultureInfo.InvariantCulture, $"zone {E(c.Name)}: {c.NrPages} pages, MAX_ORDER {c.MaxOrder}, pageblock_order {c.PageblockOrder}");
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
          .Append(" lists are drawn head first (left)</p>\n");

        // The failing step first, so the picture a reviewer opens shows it; then every step in order.
        if (steps.LastOrDefault(st => st.Failed) is { } failed)
            AppendStep(sb, failed, "failure");
        foreach (var step in steps)
            AppendStep(sb, step, $"step-{step.Step}");
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

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
        int width = Math.Max(LabelWidth + MapWidth + 10, LabelWidth + widest * Cell + 20);
        int mapTop = 18, mapHeight = 26;
        int listsTop = mapTop + mapHeight + 34;
        int height = listsTop + Math.Max(1, s.Lists.Count) * RowHeight + 6;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");

        // Zone map along the pfn axis.
        double scale = (double)MapWidth / Math.Max(1, s.NrPages);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{mapTop + 17}\">zone map (pfn)</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{LabelWidth}\" y=\"{mapTop}\" width=\"{MapWidth}\" height=\"{mapHeight}\" fill=\"#ffffff\" stroke=\"#444\"/>\n");
        void MapBlock(int pfn, int order, string fill, string cls, string tip)
        {
            double x = LabelWidth + pfn * scale, w = Math.Max(1, (1 << order) * scale);
            bool bad = marks.Contains(pfn);
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"{cls}{(bad ? " violation" : "")}\" x=\"{x:0.##}\" y=\"{mapTop}\" width=\"{w:0.##}\" height=\"{mapHeight}\" fill=\"{(bad ? ViolationColour : fill)}\" stroke=\"#222\" stroke-width=\"0.5\"><title>{E(tip)}</title></rect>\n");
        }
        foreach (var b in s.Live)
            MapBlock(b.Pfn, b.Order, AllocatedColour, "allocated", $"allocated pfn {b.Pfn} order {b.Order}");
        foreach (var b in s.Isolated)
            MapBlock(b.Pfn, b.Order, IsolatedColour, "isolated", $"isolated pfn {b.Pfn} order {b.Order}");
        if (s.Aerator is { } a)
            foreach (var b in a.Batch)
                MapBlock(b.Pfn, b.Order, BatchColour, "batch", $"in the batch: pfn {b.Pfn} order {b.Order}");
        foreach (var list in s.Lists)
            foreach (var b in list.Blocks)
                MapBlock(b.Pfn, list.Order, b.Aerated ? AeratedColour : RawColour, b.Aerated ? "aerated" : "raw",
                    $"{(b.Aerated ? "aerated" : "raw")} pfn {b.Pfn} order {list.Order} {MigrateTypes.Name(list.Mt)}");
        for (int pb = 0; pb < s.Pageblocks.Count; pb++)
        {
            if (s.Pageblocks[pb] != MigrateType.Isolate)
                continue;
            double x = LabelWidth + (pb << s.PageblockOrder) * scale, w = (1 << s.PageblockOrder) * scale;
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"isolate-pageblock\" x=\"{x:0.##}\" y=\"{mapTop - 6}\" width=\"{w:0.##}\" height=\"4\" fill=\"{IsolatedColour}\"><title>pageblock {pb} is MIGRATE_ISOLATE</title></rect>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth}\" y=\"{mapTop + mapHeight + 13}\">0</text><text x=\"{LabelWidth + MapWidth - 30}\" y=\"{mapTop + mapHeight + 13}\">{s.NrPages}</text>\n");

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

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
