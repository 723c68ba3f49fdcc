using Specs;
using Aeration;
using BuddyModel;
using Counterexamples;
using Harness;

namespace Rendering;

/// <summary>
/// Runs a scenario through ScenarioRunner and records the zone after every step so that a
/// counterexample can be drawn step by step. The settle phase (AerationSystem.Finish) is one
/// drawn step at the end, covering every "(settle)" line of the log. With a step budget only
/// the steps that will be drawn are recorded (the first half of the budget, the last half,
/// and the failing step), so a long scenario costs one run and a few snapshots.
/// </summary>
public static class ScenarioStepper
{
    /// <summary>The steps of the scenario on the named design, up to and including the failure.</summary>
    public static IReadOnlyList<StepView> Capture(string design, Scenario scenario) =>
        Capture(design, scenario, int.MaxValue).Steps;

    /// <summary>
    /// At most maxSteps steps of the scenario (at least 1): all of them when there are no more,
    /// otherwise the first maxSteps / 2 and the last maxSteps - maxSteps / 2 (which end with
    /// the failing step), and where the others were. expectedStep, the file's failing step,
    /// predicts how many steps the run has, so that one run suffices when it is right; when it
    /// is wrong the scenario is run a second time with the count the first run found.
    /// </summary>
    public static CapturedSteps Capture(string design, Scenario scenario, int maxSteps, int? expectedStep = null)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        int ops = scenario.Operations.Count;
        // Observations: the initial state (0), one per operation, then one for the settle
        // phase. A failure at step k <= ops ends the run there; a later step is the settle.
        long predicted = expectedStep is int e && e >= 0 && e <= ops ? e + 1L : ops + 2L;
        var first = CaptureWith(design, scenario, maxSteps, predicted);
        if (first.Total == predicted || first.Total <= maxSteps && first.Steps.Count == first.Total)
            return first;
        return CaptureWith(design, scenario, maxSteps, first.Total);
    }

    private static CapturedSteps CaptureWith(string design, Scenario scenario, int maxSteps, long total)
    {
        long head = total <= maxSteps ? total : maxSteps / 2;
        long tailFrom = total <= maxSteps ? total : total - (maxSteps - maxSteps / 2);
        var steps = new List<StepView>();
        int index = 0, leftOut = 0, firstLeftOut = 0, lastLeftOut = 0, gapAfter = 0;
        ScenarioRunner.Run(scenario, sc => Designs.MakeSystem(design, sc), step =>
        {
            bool failed = step.Violation is not null || step.Error is not null;
            if (index < head || index >= tailFrom || failed)
            {
                steps.Add(new StepView(step.Step, step.Text,
                    step.System is null ? EmptyView(scenario.Config) : Snapshot(step.System), step.Violation, step.Error));
            }
            else
            {
                if (leftOut == 0)
                {
                    firstLeftOut = step.Step;
                    gapAfter = steps.Count;
                }
                lastLeftOut = step.Step;
                leftOut++;
            }
            index++;
        });
        var gap = leftOut == 0 ? null : new LeftOutSteps(gapAfter, leftOut, firstLeftOut, lastLeftOut, index);
        return new CapturedSteps(steps, index, gap);
    }

    /// <summary>The zone (and aerator) as they are now.</summary>
    public static ZoneView Snapshot(BuddySystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var zone = system.Zone;
        var aeration = system as AerationSystem;
        var az = aeration?.Aerator.Zones.FirstOrDefault(z => ReferenceEquals(z.Zone, zone));
        bool active = az is not null && az.Flags.Test(ZoneFlag.AerationActive);
        var lists = new List<FreeListView>();
        lock (zone.Lock)
        {
            for (int order = 0; order < zone.MaxOrder; order++)
            {
                for (int m = 0; m < MigrateTypes.Count; m++)
                {
                    var mt = (MigrateType)m;
                    int head = zone.ListHead(order, mt);
                    var blocks = new List<BlockView>();
                    var index = new Dictionary<int, int>();
                    for (int n = zone.Lists.Next(head); n != head && zone.SpansPfn(n) && blocks.Count <= zone.NrPages; n = zone.Lists.Next(n))
                    {
                        index[n] = blocks.Count;
                        blocks.Add(new BlockView(n, (zone.Flags(n) & (PageFlags.Aerated | PageFlags.Reported)) != 0));
                    }
                    int? boundary = null;
                    string? elsewhere = null;
                    if (active && aeration is not null && order >= aeration.Aerator.MinOrder)
                    {
                        var (bz, node) = aeration.Aerator.Boundary.Get(order, mt);
                        if (!ReferenceEquals(bz, zone))
                            elsewhere = bz is null ? "never set" : $"points into zone {bz.Config.Name}";
                        else if (node == head)
                            boundary = blocks.Count;
                        else if (index.TryGetValue(node, out int at))
                            boundary = at;
                        else
                            elsewhere = zone.IsListHead(node) ? $"points at another list's head (node {node})" : $"points at pfn {node}, not on this list";
                    }
                    // An empty list whose boundary is at its head is the trivial case: not drawn.
                    if (blocks.Count > 0 || elsewhere is not null)
                        lists.Add(new FreeListView(order, mt, blocks, boundary, elsewhere));
                }
            }
            var nrFree = Enumerable.Range(0, zone.MaxOrder).Select(zone.NrFree).ToArray();
            var pageblocks = Enumerable.Range(0, zone.NrPages >> zone.PageblockOrder)
                .Select(pb => zone.GetPageblockMigratetype(zone.StartPfn + (pb << zone.PageblockOrder))).ToArray();
            AeratorView? aerator = null;
            if (aeration is not null && az is not null)
            {
                List<HeldBlockView> batch;
                batch = aeration.Device.Batch.Select(b => new HeldBlockView(b.Pfn, b.Order, b.Mt)).ToList();
                aerator = new AeratorView(
                    aeration.Aerator.MinOrder, aeration.Aerator.Hwm,
                    az.Flags.Test(ZoneFlag.AerationRequested), active,
                    aeration.Aerator.NotifyEnabled.Enabled, aeration.Aerator.DevInfo is not null,
                    aeration.Device.Refcnt.Read(), aeration.Worker.State.ToString(),
                    aeration.Shutdown.InProgress, batch, aeration.Host.Applied.Count);
            }
            return new ZoneView(zone.Config.Name, zone.NrPages, zone.MaxOrder, zone.PageblockOrder, lists, nrFree,
                az?.NrFreeAerated.ToArray(), zone.NrFreePages, pageblocks,
                system.Live.Select(b => new HeldBlockView(b.Pfn, b.Order, null)).ToList(),
                system.Isolated.Select(b => new HeldBlockView(b.Pfn, b.Order, null)).ToList(),
                aerator, system is PageReportingSystem r ? Reporter(r) : null);
        }
    }

    private static ReporterView Reporter(PageReportingSystem r)
    {
        var prdev = r.Registered;
        var work = prdev?.Work;
        string workText = work is null ? "none"
            : work.Pending ? $"pending, due at {work.DueAt}{(work.Workqueue?.Frozen == true ? " (workqueue frozen)" : "")}"
            : work.Running ? "running" : "idle";
        return new ReporterView(
            prdev is null ? "-" : prdev.CurrentState.ToString().ToUpperInvariant(), r.Worker.State.ToString(), r.Model.Clock.Jiffies, workText,
            r.Reporting.ReportingOrder, r.Reporting.Enabled.Enabled, r.Reporting.DevInfo is not null,
            r.Worker.InFlight.Select(e => new HeldBlockView(e.Pfn, e.Order, null)).ToList(), r.Model.Host.Ranges.Count, r.Worker.Oops);
    }

    private static ZoneView EmptyView(ZoneConfig c) =>
        new(c.Name, c.NrPages, c.MaxOrder, c.PageblockOrder, [], [], null, 0, [], [], [], null);
}
