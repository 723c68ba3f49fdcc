using Aeration.Virtio;
using BuddyModel;
using Kernel;
using Reporting;
using Reporting.Virtio;

namespace Properties.Reporting;

// Deliberately broken merged-design models: each is mainline (mm/page_reporting.c, the
// virtio-balloon driver and QEMU's handler) with one statement changed the way a patch author
// could plausibly change it. No invariant knows about any of them. The ones the suite misses
// count in Hits how often the bug fired (a miss with hits is a missing invariant; a miss
// without is a generator that never reaches the bug).

/// <summary>How often a broken model's changed statement made a difference.</summary>
[Harness.NotModelState("a count the test reads; no model code reads it")]
public sealed class Hits
{
    public int Count { get; private set; }

    public void Hit() => Count++;
}

/// <summary>del_page_from_free_list() without its __ClearPageReported(): allocation, merging and isolation keep PG_reported.</summary>
public sealed class ZoneKeepsReportedOnDelete(ZoneConfig config, KernelEra era) : Zone(config, era)
{
    protected override void DelPageFromFreeArea(int pfn, int order)
    {
        bool reported = (Flags(pfn) & PageFlags.Reported) != 0;
        base.DelPageFromFreeArea(pfn, order);
        if (reported)
            SetPageFlag(pfn, PageFlags.Reported); // the line that was deleted would have cleared it
    }
}

/// <summary>page_reporting_drain() marks every block PG_reported, also one that merged on its way back.</summary>
public sealed class DrainMarksMergedBlocks(PageReporting pr) : ReportingWorker(pr)
{
    protected override bool MarksReported(Zone zone, ScatterEntry e, bool reported) => reported;
}

/// <summary>page_reporting_drain() with for_each_sg(sgl, sg, nents - 1, i): the last block of each report is never put back.</summary>
public sealed class DrainStopsOneShort(PageReporting pr) : ReportingWorker(pr)
{
    protected override void Drain(Zone zone, IReadOnlyList<ScatterEntry> sg, bool reported) =>
        base.Drain(zone, sg.Take(sg.Count - 1).ToList(), reported);
}

/// <summary>page_reporting_drain() marks the blocks PG_reported even when report() failed.</summary>
public sealed class DrainMarksOnError(PageReporting pr, Hits hits) : ReportingWorker(pr)
{
    protected override bool MarksReported(Zone zone, ScatterEntry e, bool reported)
    {
        bool marks = zone.PageBuddy(e.Pfn) && zone.PageOrder(e.Pfn) == e.Order;
        if (marks && !reported)
            hits.Hit();
        return marks;
    }
}

/// <summary>page_reporting_cycle() takes blocks with a detach that has no watermark check (__isolate_free_page without its zone_watermark_ok).</summary>
public sealed class IsolateWithoutWatermark(PageReporting pr) : ReportingWorker(pr)
{
    protected override bool IsolateFreePage(Zone zone, int pfn, int order)
    {
        zone.DetachFreeBlock(pfn, order);
        return true;
    }
}

/// <summary>page_reporting_cycle() ignores __isolate_free_page()'s answer: a refused block goes into the scatterlist anyway.</summary>
public sealed class IsolateResultIgnored(PageReporting pr) : ReportingWorker(pr)
{
    protected override bool IsolateFreePage(Zone zone, int pfn, int order)
    {
        base.IsolateFreePage(zone, pfn, order);
        return true;
    }
}

/// <summary>page_reporting_process_zone() without the is_migrate_isolate(mt) skip: it reports MIGRATE_ISOLATE lists too.</summary>
public sealed class ReportsIsolateLists(PageReporting pr, Hits hits) : ReportingWorker(pr)
{
    protected override bool ReportsList(MigrateType mt) => true;

    protected override bool IsolateFreePage(Zone zone, int pfn, int order)
    {
        if (zone.BlockMigratetype(pfn) == MigrateType.Isolate)
            hits.Hit();
        return base.IsolateFreePage(zone, pfn, order);
    }
}

/// <summary>page_reporting_process() without atomic_set(&amp;prdev->state, PAGE_REPORTING_ACTIVE): the pass runs REQUESTED.</summary>
public sealed class PassNotMarkedActive(PageReporting pr) : ReportingWorker(pr)
{
    protected override void BeginPass(PageReportingDevInfo prdev) { }
}

/// <summary>The end of page_reporting_process() with atomic_cmpxchg(&amp;prdev->state, PAGE_REPORTING_REQUESTED, IDLE): the wrong expected value.</summary>
public sealed class EndPassExpectsRequested(PageReporting pr) : ReportingWorker(pr)
{
    protected override bool EndPass(PageReportingDevInfo prdev, out int state)
    {
        state = (int)ReportingState.Requested;
        prdev.State.TryCmpXchg(ref state, (int)ReportingState.Idle); // state: the old value, whether it swapped or not
        return false; // the caller schedules again when the old value was REQUESTED
    }
}

/// <summary>The end of page_reporting_process() with atomic_set(&amp;prdev->state, PAGE_REPORTING_IDLE): a REQUESTED that came during the pass is lost.</summary>
public sealed class EndPassPlainStore(PageReporting pr, Hits hits) : ReportingWorker(pr)
{
    protected override bool EndPass(PageReportingDevInfo prdev, out int state)
    {
        if (prdev.CurrentState == ReportingState.Requested)
            hits.Hit();
        prdev.State.Set((int)ReportingState.Idle);
        state = (int)ReportingState.Idle;
        return true;
    }
}

/// <summary>page_reporting_cycle() stops at the budget without atomic_set(&amp;prdev->state, PAGE_REPORTING_REQUESTED): the rest waits for the next free.</summary>
public sealed class BudgetNeverRerequests(PageReporting pr, Hits hits) : ReportingWorker(pr)
{
    protected override void BudgetExhausted(PageReportingDevInfo prdev) => hits.Hit();
}

/// <summary>page_reporting_drain() puts back without FPI_SKIP_REPORT_NOTIFY: every put-back asks for reporting again.</summary>
public sealed class DrainPutbackNotifies(PageReporting pr, Hits hits) : ReportingWorker(pr)
{
    protected override void PutbackIsolatedPage(Zone zone, int pfn, int order)
    {
        hits.Hit();
        zone.PutbackHeldBlock(pfn, order, zone.GetPageblockMigratetype(pfn), zone.PutbackFlags & ~FreeFlags.SkipNotify);
    }
}

/// <summary>page_reporting_notify_free() screens with order &gt; page_reporting_order instead of &gt;=: frees of exactly the reporting order never ask.</summary>
public sealed class NotifyScreensWithGreater(IReadOnlyList<Zone> zones, ReportingVersion version, VirtualClock clock, Hits hits) : PageReporting(zones, version, clock)
{
    public override void NotifyFree(int order)
    {
        if (!Enabled.Enabled)
            return;
        if ((uint)order == ReportingOrder && DevInfo is not null)
            hits.Hit();
        if ((uint)order <= ReportingOrder)
            return;
        Notify();
    }
}

/// <summary>page_reporting_unregister() without synchronize_rcu().</summary>
public sealed class UnregisterWithoutSynchronizeRcu(IReadOnlyList<Zone> zones, ReportingVersion version, VirtualClock clock, Hits hits) : PageReporting(zones, version, clock)
{
    public override ReportingUnregister Unregister(PageReportingDevInfo prdev)
    {
        if (!ReferenceEquals(DevInfo, prdev))
            return base.Unregister(prdev);
        if (Rcu.Readers > 0)
            hits.Hit(); // a reader inside its section: synchronize_rcu would have waited for it
        AssignDevInfo(null);
        return new ReportingUnregister(null, prdev.Work);
    }
}

/// <summary>page_reporting_unregister() without cancel_delayed_work_sync().</summary>
public sealed class UnregisterWithoutCancel(IReadOnlyList<Zone> zones, ReportingVersion version, VirtualClock clock) : PageReporting(zones, version, clock)
{
    public override ReportingUnregister Unregister(PageReportingDevInfo prdev)
    {
        if (!ReferenceEquals(DevInfo, prdev))
            return base.Unregister(prdev);
        AssignDevInfo(null);
        Rcu.StartGracePeriod();
        return new ReportingUnregister(Rcu, null);
    }
}

/// <summary>page_reporting_unregister() without RCU_INIT_POINTER(pr_dev_info, NULL): the device stays published.</summary>
public sealed class UnregisterKeepsDevInfo(IReadOnlyList<Zone> zones, ReportingVersion version, VirtualClock clock) : PageReporting(zones, version, clock)
{
    public override ReportingUnregister Unregister(PageReportingDevInfo prdev)
    {
        if (!ReferenceEquals(DevInfo, prdev))
            return base.Unregister(prdev);
        Rcu.StartGracePeriod();
        return new ReportingUnregister(Rcu, prdev.Work);
    }
}

/// <summary>A host that pushes the buffer to the used ring and notifies first, and discards the ranges at its next step.</summary>
public sealed class HostAcksBeforeDiscard(ReportingDriver driver, GuestMemory memory, HostOptions options, bool usedNotifyFixed)
    : ReportingHost(driver, memory, options, usedNotifyFixed)
{
    private List<VringDesc> _deferred = new();

    public override bool HasWork => _deferred.Count > 0 || base.HasWork;

    /// <summary>The released host's state, and the ranges it acknowledged and has not discarded yet.</summary>
    public override void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        base.WriteCanonicalState(sink);
        sink.Add(_deferred.Count);
        foreach (var d in _deferred)
        {
            sink.Add((long)d.Addr);
            sink.Add(d.Len);
        }
    }

    public override bool Step()
    {
        bool did = false;
        if (_deferred.Count > 0)
        {
            foreach (var d in _deferred)
                Take(d);
            _deferred = new();
            did = true;
        }
        var vq = Driver.Vq;
        var avail = vq?.PopAvail();
        if (avail is null)
            return did;
        _deferred = vq!.ReadChain(avail.Value.Head);
        PushUsedAndNotify(vq, avail.Value.Head); // acknowledged before anything was discarded
        return true;
    }
}

/// <summary>A host whose discard loop runs to p &lt;= pfn + nr_pages: one page past each range goes too.</summary>
public sealed class HostDiscardsOnePageMore(ReportingDriver driver, GuestMemory memory, HostOptions options, bool usedNotifyFixed)
    : ReportingHost(driver, memory, options, usedNotifyFixed)
{
    protected override void Discard(int pfn, int nrPages, ulong fill)
    {
        for (int p = pfn; p <= pfn + nrPages && p < Memory.NrPages; p++)
            Memory.DropBacking(p, fill);
    }
}

/// <summary>The broken models by name: mainline with one part swapped.</summary>
public static class BrokenReporters
{
    /// <summary>The version every broken model patches.</summary>
    public static ReportingVersion Base => ReportingVersion.Mainline;

    /// <summary>The parts of the named broken model; hits (if given) counts how often its bug fired, for the ones that count.</summary>
    public static ReportingParts Parts(string name, Hits? hits = null)
    {
        hits ??= new Hits();
        var d = ReportingParts.Default with { Name = name };
        return name switch
        {
            nameof(ZoneKeepsReportedOnDelete) => d with { MakeZone = (c, era) => new ZoneKeepsReportedOnDelete(c, era) },
            nameof(DrainMarksMergedBlocks) => d with { MakeWorker = pr => new DrainMarksMergedBlocks(pr) },
            nameof(DrainStopsOneShort) => d with { MakeWorker = pr => new DrainStopsOneShort(pr) },
            nameof(DrainMarksOnError) => d with { MakeWorker = pr => new DrainMarksOnError(pr, hits) },
            nameof(IsolateWithoutWatermark) => d with { MakeWorker = pr => new IsolateWithoutWatermark(pr) },
            nameof(IsolateResultIgnored) => d with { MakeWorker = pr => new IsolateResultIgnored(pr) },
            nameof(ReportsIsolateLists) => d with { MakeWorker = pr => new ReportsIsolateLists(pr, hits) },
            nameof(PassNotMarkedActive) => d with { MakeWorker = pr => new PassNotMarkedActive(pr) },
            nameof(EndPassExpectsRequested) => d with { MakeWorker = pr => new EndPassExpectsRequested(pr) },
            nameof(EndPassPlainStore) => d with { MakeWorker = pr => new EndPassPlainStore(pr, hits) },
            nameof(BudgetNeverRerequests) => d with { MakeWorker = pr => new BudgetNeverRerequests(pr, hits) },
            nameof(DrainPutbackNotifies) => d with { MakeWorker = pr => new DrainPutbackNotifies(pr, hits) },
            nameof(NotifyScreensWithGreater) => d with { MakeReporting = (z, v, c) => new NotifyScreensWithGreater(z, v, c, hits) },
            nameof(UnregisterWithoutSynchronizeRcu) => d with { MakeReporting = (z, v, c) => new UnregisterWithoutSynchronizeRcu(z, v, c, hits) },
            nameof(UnregisterWithoutCancel) => d with { MakeReporting = (z, v, c) => new UnregisterWithoutCancel(z, v, c) },
            nameof(UnregisterKeepsDevInfo) => d with { MakeReporting = (z, v, c) => new UnregisterKeepsDevInfo(z, v, c) },
            nameof(HostAcksBeforeDiscard) => d with { MakeHost = (dr, m, o, f) => new HostAcksBeforeDiscard(dr, m, o, f) },
            nameof(HostDiscardsOnePageMore) => d with { MakeHost = (dr, m, o, f) => new HostDiscardsOnePageMore(dr, m, o, f) },
            _ => throw new ArgumentException($"unknown broken reporter {name}", nameof(name)),
        };
    }
}
