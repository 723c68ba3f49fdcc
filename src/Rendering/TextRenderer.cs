using Specs;
using System.Globalization;
using System.Text;
using BuddyModel;
using Counterexamples;

namespace Rendering;

/// <summary>
/// Draws a counterexample step by step as plain text: per step the log line, the counters and
/// flags, the batch, and every non-empty free list per order and migratetype (head first) with
/// raw and aerated blocks, the boundary, and the violating blocks marked. A pure function of
/// its input, so that it can be snapshot-tested.
/// </summary>
public static class TextRenderer
{
    public const string Legend = "legend: 64 = raw free block (head pfn), 64* = aerated, | = boundary, !64 = violating block; lists head first";

    /// <summary>The legend for the merged design, which has PG_reported and no boundary.</summary>
    public const string ReportingLegend = "legend: 64 = unreported free block (head pfn), 64* = PG_reported, !64 = violating block; lists head first";

    /// <summary>The file and its replayed steps; leftOut, if given, is drawn as one line where the steps were left out, ending with hint.</summary>
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
        sb.Append("Counterexample").Append(file.Title is null ? "" : $": {file.Title}").Append('\n');
        sb.Append($"design {file.Design}");
        if (file.FixedBy is not null) sb.Append($" (fixed by {file.FixedBy})");
        if (file.Seed is ulong seed) sb.Append(CultureInfo.InvariantCulture, $", seed {seed}");
        sb.Append('\n');
        var c = file.Scenario.Config;
        sb.Append(CultureInfo.InvariantCulture, $"zone {c.Name}: {c.NrPages} pages, MAX_ORDER {c.MaxOrder}, pageblock_order {c.PageblockOrder}");
        sb.Append(OtherZones(file.Scenario));
        if (file.Scenario.Aeration is { } a) sb.Append("; ").Append(a);
        sb.Append('\n');
        sb.Append($"expected failure: {file.Expected}\n");
        sb.Append(Harness.Designs.IsReporting(file.Design) ? ReportingLegend : Legend).Append('\n');
        for (int i = 0; i < steps.Count; i++)
        {
            if (leftOut is not null && leftOut.After == i)
                sb.Append('\n').Append(LeftOutLine(leftOut, hint)).Append('\n');
            AppendStep(sb, steps[i]);
            writer.Write(sb);
            sb.Clear();
        }
        if (leftOut is not null && leftOut.After >= steps.Count)
            sb.Append('\n').Append(LeftOutLine(leftOut, hint)).Append('\n');
        writer.Write(sb);
    }

    /// <summary>The one line that stands for the steps left out, e.g. "... 99950 of 100010 steps left out (steps 25 to 99974); --all-steps draws them all".</summary>
    public static string LeftOutLine(LeftOutSteps leftOut, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(leftOut);
        string which = leftOut.Count == 1 ? $"step {leftOut.FirstStep}" : $"steps {leftOut.FirstStep} to {leftOut.LastStep}";
        return string.Create(CultureInfo.InvariantCulture,
            $"... {leftOut.Count} of {leftOut.Total} steps left out ({which}){(string.IsNullOrEmpty(hint) ? "" : "; " + hint)}");
    }

    /// <summary>One step.</summary>
    public static void AppendStep(StringBuilder sb, StepView step)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(step);
        var s = step.State;
        var lines = step.Text.Split('\n');
        sb.Append('\n').Append(CultureInfo.InvariantCulture, $"Step {step.Step}: {lines[0]}\n");
        foreach (var more in lines.Skip(1))
            sb.Append("        ").Append(more).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  NR_FREE_PAGES {s.NrFreePages}; nr_free by order: {string.Join(" ", s.NrFree)}");
        if (s.NrFreeAerated is { } aer)
            sb.Append($"; nr_free_aerated: {string.Join(" ", aer)}");
        sb.Append('\n');
        if (s.Aerator is { } a)
        {
            var flags = new List<string>();
            if (a.Requested) flags.Add("REQUESTED");
            if (a.Active) flags.Add("ACTIVE");
            sb.Append(CultureInfo.InvariantCulture,
                $"  zone flags: {(flags.Count == 0 ? "none" : string.Join(" ", flags))}; refcnt {a.Refcnt}; worker {a.Worker}; static key {(a.StaticKey ? "on" : "off")}; device {(a.DevicePublished ? "published" : "unpublished")}{(a.ShutdownInProgress ? "; shutdown in progress" : "")}; host applied {a.HostApplied} hints\n");
            sb.Append($"  batch: {(a.Batch.Count == 0 ? "empty" : string.Join(", ", a.Batch.Select(b => $"pfn {b.Pfn} order {b.Order} {(b.Mt is { } mt ? MigrateTypes.Name(mt) : "")}".TrimEnd())))}\n");
        }
        if (s.Reporter is { } r)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"  reporting: state {r.State}; worker {r.Worker}; jiffies {r.Jiffies}; work {r.Work}; order {r.ReportingOrder}; static branch {(r.StaticBranch ? "on" : "off")}; device {(r.DevicePublished ? "published" : "unpublished")}; host took {r.HostRanges} ranges\n");
            sb.Append($"  in the report: {(r.InFlight.Count == 0 ? "nothing" : string.Join(", ", r.InFlight.Select(b => $"pfn {b.Pfn} order {b.Order}")))}\n");
            if (r.Oops is { } oops)
                sb.Append($"  oops: {oops}\n");
        }
        if (s.Aerator is { Active: true } act)
            sb.Append(CultureInfo.InvariantCulture, $"  boundaries in force (ACTIVE) for orders >= {act.MinOrder}; an empty list keeps its boundary at the head\n");
        sb.Append($"  pageblocks: {new string(s.Pageblocks.Select(ViolationMarks.Initial).ToArray())}\n");
        if (s.Live.Count > 0)
            sb.Append($"  allocated: {string.Join(", ", s.Live.Select(b => $"{b.Pfn}/{b.Order}"))}\n");
        if (s.Isolated.Count > 0)
            sb.Append($"  isolated: {string.Join(", ", s.Isolated.Select(b => $"{b.Pfn}/{b.Order}"))}\n");
        var marks = ViolationMarks.Blocks(step);
        if (s.Lists.Count == 0)
            sb.Append("  free lists: all empty\n");
        foreach (var list in s.Lists)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  order {list.Order} {MigrateTypes.Name(list.Mt),-11}:");
            for (int i = 0; i <= list.Blocks.Count; i++)
            {
                if (list.Boundary == i)
                    sb.Append(" |");
                if (i == list.Blocks.Count)
                    break;
                var b = list.Blocks[i];
                sb.Append(' ');
                if (marks.Contains(b.Pfn)) sb.Append('!');
                sb.Append(b.Pfn.ToString(CultureInfo.InvariantCulture));
                if (b.Aerated) sb.Append('*');
            }
            if (list.BoundaryElsewhere is not null)
                sb.Append($"  (boundary {list.BoundaryElsewhere})");
            sb.Append('\n');
        }
        if (step.Violation is { } v)
            sb.Append($"  VIOLATION: {v}\n");
        if (step.Error is { } e)
            sb.Append($"  ERROR: {e}\n");
    }

    /// <summary>
    /// For a guest of several zones: the zones besides the first, which the steps do not draw
    /// (the pictures show the first zone; every zone is checked).
    /// </summary>
    internal static string OtherZones(Harness.Scenario scenario) =>
        scenario.MoreZones is { Count: > 0 } more
            ? string.Create(CultureInfo.InvariantCulture, $" (pfn {scenario.Config.StartPfn}..{scenario.Config.EndPfn - 1}; more zones, not drawn: {string.Join(", ", more.Select(z => $"{z.Name} pfn {z.StartPfn}..{z.EndPfn - 1}"))})")
            : "";
}
