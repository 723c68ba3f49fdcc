using BuddyModel;
using Kernel;

namespace Reporting;

/// <summary>Where the worker is between two steps.</summary>
public enum ReportingWorkerState
{
    /// <summary>page_reporting_process is not running (its work may be pending).</summary>
    Idle,
    /// <summary>In a pass, zone->lock not held, about to go on.</summary>
    Running,
    /// <summary>In report() for a full scatterlist from page_reporting_cycle, zone->lock dropped.</summary>
    Reporting,
    /// <summary>In report() for the leftover of a zone (page_reporting_process_zone), zone->lock dropped.</summary>
    ReportingLeftover,
    /// <summary>An oops (KernelOops from the device) stopped the worker for good; the work stays running.</summary>
    Crashed,
}

/// <summary>What one step of the worker did.</summary>
public enum ReportingStep
{
    /// <summary>Nothing to do: no due work, or report() still waiting for the device.</summary>
    NoProgress,
    /// <summary>A scatterlist went to the device; zone->lock is dropped.</summary>
    Submitted,
    /// <summary>The pass ended and the state went ACTIVE -> IDLE.</summary>
    Finished,
    /// <summary>The pass ended with the state REQUESTED: the work was scheduled again (PAGE_REPORTING_DELAY).</summary>
    Rescheduled,
    /// <summary>An oops stopped the worker.</summary>
    Crashed,
}

/// <summary>
/// page_reporting_process(), page_reporting_process_zone(), page_reporting_cycle() and
/// page_reporting_drain() as a resumable state machine, like v1's AeratorWorker: the kernel
/// sleeps inside report() with zone->lock dropped; the model returns there (Submitted), so
/// that a harness can free, allocate and run the host while the blocks are out, and resumes
/// when the device has used the buffer. A Step never returns holding zone->lock.
///
///   process:      state := ACTIVE; for each zone: process_zone (stop on error);
///                 cmpxchg(ACTIVE -> IDLE), and if the state was REQUESTED schedule again.
///   process_zone: offset := 32; skip the zone unless free pages > low + (32 &lt;&lt; order);
///                 for order := reporting order .. MAX_ORDER-1, mt except ISOLATE: cycle;
///                 report and drain the leftover sgl[offset..32).
///   cycle:        (list not empty) lock; budget := ceil(nr_free / (32 * 16)); walk from the
///                 head: skip PageReported; budget &lt; 0: state := REQUESTED, stop; room left:
///                 __isolate_free_page (stop when refused) into sgl[--offset]; full: rotate this
///                 block to the head, unlock, report the 32, offset := 32, budget--, lock, drain,
///                 go on from the (new) head, stop on error; at the end rotate the stop block to
///                 the head; unlock.
///   drain:        __putback_isolated_page each block (the zone's era places it); on success
///                 mark PageReported the blocks still free heads of the same order (not merged).
///
/// Model simplifications: the early list_empty() test outside the lock reads the same list
/// the locked walk does (no race window between them is modelled); the device's error is
/// whatever IPageReportingDevice returns.
///
/// Seams for deliberately broken models (tests): the protected virtual hooks below are the
/// single kernel statements a patch could get wrong (the ISOLATE screen, __isolate_free_page,
/// the drain loop, __putback_isolated_page, the drain's "mark reported" test, and the three
/// writes of prdev->state). The class itself is the released design; no named version overrides them.
/// </summary>
public class ReportingWorker
{
    private readonly PageReporting _pr;
    private readonly ScatterEntry[] _sgl = new ScatterEntry[PageReporting.Capacity];
    private PageReportingDevInfo? _prdev;
    private int _zoneIndex;
    private bool _zoneStarted;
    private int _offset;
    private long _order;
    private int _mt;
    private bool _inCycle;
    private long _budget;
    private int _next;
    private int _err;
    private int _startErr;

    public ReportingWorker(PageReporting reporting) => _pr = reporting ?? throw new ArgumentNullException(nameof(reporting));

    /// <summary>Where the worker is.</summary>
    public ReportingWorkerState State { get; private set; } = ReportingWorkerState.Idle;

    /// <summary>The oops that stopped the worker, if any.</summary>
    public string? Oops { get; private set; }

    /// <summary>The zone whose blocks are with the device, while reporting.</summary>
    public Zone? ReportingZone => State is ReportingWorkerState.Reporting or ReportingWorkerState.ReportingLeftover ? Zone : null;

    /// <summary>The blocks with the device now (empty when not reporting).</summary>
    public IReadOnlyList<ScatterEntry> InFlight => State switch
    {
        ReportingWorkerState.Reporting => _sgl,
        ReportingWorkerState.ReportingLeftover => _sgl[_offset..],
        _ => [],
    };

    private Zone Zone => _pr.Zones[_zoneIndex];

    /// <summary>Whether a step could make progress now.</summary>
    public bool CanStep => State switch
    {
        ReportingWorkerState.Idle => _pr.WorkOwner?.Work?.Due == true,
        ReportingWorkerState.Running => true,
        ReportingWorkerState.Reporting or ReportingWorkerState.ReportingLeftover => _startErr != 0 || DeviceCompletedOrOops(),
        _ => false,
    };

    /// <summary>The wait condition for CanStep: an oops in it means the next Step makes progress (it crashes).</summary>
    private bool DeviceCompletedOrOops()
    {
        try
        {
            return _prdev!.Device.Completed(out _);
        }
        catch (KernelOops)
        {
            return true;
        }
    }

    /// <summary>
    /// Canonical state (exhaustive exploration): where the worker is, and while a pass is under
    /// way its cycle position: the zone (index), whether the zone's loop began, the order and
    /// migratetype reached, whether a cycle is open, the cycle's budget, the scatterlist offset,
    /// the error so far (the budget only inside a cycle: BeginCycle sets it), the error report() returned before its wait (consumed at the next
    /// step), whether the prdev it runs for is the core's work owner, and the scatterlist in
    /// flight (the entries report() was given, InFlight). The list cursor (next) is written only
    /// in the Running state: in report() it is dead, since the resumption reads the list's head
    /// again (ResumeCycle) or ends the zone (FinishLeftover). Idle, all of that is dead: a pass
    /// sets every field before reading it (Start, Run, BeginCycle), and report() is not in
    /// flight. Crashed: whether an oops happened (Reporting lifetime fails on it; the text is
    /// a message). The scatterlist slots outside InFlight are written before they are read.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add((long)State);
        sink.Add(Oops is null ? 0 : 1);
        if (State is ReportingWorkerState.Idle or ReportingWorkerState.Crashed)
            return;
        sink.Add(_zoneIndex);
        sink.Add(_zoneStarted ? 1 : 0);
        sink.Add(_order);
        sink.Add(_mt);
        sink.Add(_inCycle ? 1 : 0);
        if (_inCycle)
            sink.Add(_budget); // outside a cycle dead: BeginCycle sets it
        sink.Add(_offset);
        sink.Add(_err);
        sink.Add(_startErr);
        sink.Add(ReferenceEquals(_prdev, _pr.WorkOwner) ? 1 : 0);
        if (State == ReportingWorkerState.Running && _inCycle)
            sink.Add(_next);
        var sg = InFlight;
        sink.Add(sg.Count);
        foreach (var e in sg)
        {
            sink.Add(e.Pfn);
            sink.Add(e.Order);
        }
    }

    /// <summary>Run the worker to its next sleeping point or the end of a pass.</summary>
    public ReportingStep Step()
    {
        try
        {
            switch (State)
            {
                case ReportingWorkerState.Idle:
                    return Start();
                case ReportingWorkerState.Running:
                    return Run();
                case ReportingWorkerState.Reporting:
                    if (!ReportReturned(out int err))
                        return ReportingStep.NoProgress;
                    ResumeCycle(err);
                    return Run();
                case ReportingWorkerState.ReportingLeftover:
                    if (!ReportReturned(out int lerr))
                        return ReportingStep.NoProgress;
                    FinishLeftover(lerr);
                    return Run();
                default:
                    return ReportingStep.NoProgress;
            }
        }
        catch (KernelOops oops)
        {
            Oops = oops.Message;
            State = ReportingWorkerState.Crashed;
            return ReportingStep.Crashed;
        }
    }

    /// <summary>Step until the worker is idle or waiting for the device; returns the last step.</summary>
    public ReportingStep RunUntilBlocked(int maxSteps = 10_000)
    {
        var last = ReportingStep.NoProgress;
        for (int i = 0; i < maxSteps; i++)
        {
            var s = Step();
            if (s == ReportingStep.NoProgress)
                return last;
            last = s;
            if (s is ReportingStep.Finished or ReportingStep.Rescheduled or ReportingStep.Crashed or ReportingStep.Submitted)
                return s;
        }
        throw new InvalidOperationException($"worker made progress for {maxSteps} steps without blocking");
    }

    private bool ReportReturned(out int err)
    {
        if (_startErr != 0)
        {
            err = _startErr;
            _startErr = 0;
            return true;
        }
        return _prdev!.Device.Completed(out err);
    }

    /// <summary>page_reporting_process() entry; the pass goes on in the same step up to report() or its end.</summary>
    private ReportingStep Start()
    {
        var prdev = _pr.WorkOwner;
        if (prdev?.Work is null)
            return ReportingStep.NoProgress;
        if (!prdev.Work.TakeDue())
        {
            if (prdev.Work.HeldByFreeze)
                _pr.Reach.Hit(GuardedRule.WorkHeldByFreeze);
            return ReportingStep.NoProgress;
        }
        _prdev = prdev;
        BeginPass(prdev);
        _zoneIndex = 0;
        _zoneStarted = false;
        _err = 0;
        State = ReportingWorkerState.Running;
        return Run();
    }

    /// <summary>The zone loop, resumable: returns Submitted in report(), or the end of the pass.</summary>
    private ReportingStep Run()
    {
        var zones = _pr.Zones;
        while (_zoneIndex < zones.Count && _err == 0)
        {
            var zone = Zone;
            if (!_zoneStarted)
            {
                _offset = PageReporting.Capacity;
                if (!zone.ZoneWatermarkOk(0, _pr.ZoneGate(zone)))
                {
                    _pr.Reach.Hit(GuardedRule.ZoneBelowReportingGate);
                    _pr.Events.ZonesBelowGate++;
                    _zoneIndex++;
                    continue;
                }
                _order = _pr.ReportingOrder;
                _mt = 0;
                _inCycle = false;
                _zoneStarted = true;
            }
            for (; _order < zone.MaxOrder; _order++, _mt = 0)
            {
                for (; _mt < MigrateTypes.Count; _mt++)
                {
                    if (!ReportsList((MigrateType)_mt))
                    {
                        if (!zone.Lists.IsEmpty(zone.ListHead((int)_order, (MigrateType)_mt)))
                            _pr.Reach.Hit(GuardedRule.ReportingSkipsIsolateList);
                        continue;
                    }
                    if (!_inCycle && !BeginCycle(zone))
                        continue;
                    if (Walk(zone))
                        return ReportingStep.Submitted;
                    _inCycle = false;
                    if (_err != 0)
                        goto zoneEnd;
                }
            }
            int leftover = PageReporting.Capacity - _offset;
            if (leftover > 0)
            {
                _pr.Reach.Hit(GuardedRule.LeftoverReported);
                SubmitReport(_sgl[_offset..], ReportingWorkerState.ReportingLeftover);
                return ReportingStep.Submitted;
            }
        zoneEnd:
            _zoneStarted = false;
            if (_err == 0)
                _zoneIndex++;
        }
        return EndOfPass();
    }

    /// <summary>page_reporting_cycle() up to the walk: false when the list is empty (nothing to do).</summary>
    private bool BeginCycle(Zone zone)
    {
        int head = zone.ListHead((int)_order, (MigrateType)_mt);
        if (zone.Lists.IsEmpty(head))
            return false;
        Monitor.Enter(zone.Lock);
        Tracepoint.Emit(TraceKind.Lock, "took zone->lock");
        _budget = (zone.NrFree((int)_order) + PageReporting.Capacity * 16 - 1) / (PageReporting.Capacity * 16);
        _next = zone.Lists.Next(head);
        _inCycle = true;
        return true;
    }

    /// <summary>
    /// The list walk of page_reporting_cycle with zone->lock held; true when it dropped the lock
    /// to report a full scatterlist, false when the cycle ended (lock released).
    /// </summary>
    private bool Walk(Zone zone)
    {
        int order = (int)_order;
        int head = zone.ListHead(order, (MigrateType)_mt);
        var lists = zone.Lists;
        while (_next != head)
        {
            int page = _next;
            _next = lists.Next(page);
            if ((zone.Flags(page) & PageFlags.Reported) != 0)
            {
                _pr.Reach.Hit(GuardedRule.CycleSkipsReported);
                continue;
            }
            if (_budget < 0)
            {
                _pr.Reach.Hit(GuardedRule.CycleBudgetSpent);
                BudgetExhausted(_prdev!);
                _pr.Events.BudgetExhausted++;
                _next = page;
                break;
            }
            if (_offset > 0)
            {
                if (!IsolateFreePage(zone, page, order))
                {
                    _pr.Reach.Hit(GuardedRule.CycleStopsOnIsolateRefusal);
                    _next = page;
                    break;
                }
                _sgl[--_offset] = new ScatterEntry(page, order);
                continue;
            }
            // The scatterlist is full: make this first unprocessed block the head, then report.
            if (lists.Next(head) != page)
                _pr.Reach.Hit(GuardedRule.CycleRotatesList);
            zone.RotateFreeListToFront(page, order, (MigrateType)_mt);
            Tracepoint.Emit(TraceKind.Unlock, "released zone->lock");
            Monitor.Exit(zone.Lock);
            SubmitReport(_sgl, ReportingWorkerState.Reporting);
            return true;
        }
        if (_next != head)
        {
            if (lists.Next(head) != _next)
                _pr.Reach.Hit(GuardedRule.CycleRotatesList);
            zone.RotateFreeListToFront(_next, order, (MigrateType)_mt);
        }
        Tracepoint.Emit(TraceKind.Unlock, "released zone->lock");
        Monitor.Exit(zone.Lock);
        return false;
    }

    /// <summary>prdev->report(): up to the wait.</summary>
    private void SubmitReport(IReadOnlyList<ScatterEntry> sg, ReportingWorkerState waiting)
    {
        _pr.Events.Reports++;
        if (Tracepoint.On)
            Tracepoint.Emit($"prdev->report(): {sg.Count} entries of order {_order} submitted");
        State = waiting;
        _startErr = _prdev!.Device.Start(sg);
    }

    /// <summary>report() returned for a full scatterlist: offset := 32, budget--, lock, drain, go on from the head.</summary>
    private void ResumeCycle(int err)
    {
        var zone = Zone;
        _offset = PageReporting.Capacity;
        _budget--;
        if (Tracepoint.On)
            Tracepoint.Emit($"report() returned {err}");
        Monitor.Enter(zone.Lock);
        Tracepoint.Emit(TraceKind.Lock, "took zone->lock");
        Drain(zone, _sgl, err == 0);
        _next = zone.Lists.Next(zone.ListHead((int)_order, (MigrateType)_mt));
        State = ReportingWorkerState.Running;
        if (err != 0)
        {
            _pr.Reach.Hit(GuardedRule.ReportFailsVirtqueueFull);
            // exit on error: the final rotation sees the head block (no-op), then unlock.
            _err = err;
            Tracepoint.Emit(TraceKind.Unlock, "released zone->lock");
            Monitor.Exit(zone.Lock);
            _inCycle = false;
            _zoneStarted = false;
        }
        // else: the walk goes on with the lock held (Run calls Walk again: _inCycle is still set).
    }

    /// <summary>report() returned for the leftover: lock, drain, unlock; the zone is done.</summary>
    private void FinishLeftover(int err)
    {
        var zone = Zone;
        int start = _offset;
        Monitor.Enter(zone.Lock);
        Tracepoint.Emit(TraceKind.Lock, "took zone->lock");
        if (err != 0)
            _pr.Reach.Hit(GuardedRule.ReportFailsVirtqueueFull);
        Drain(zone, _sgl[start..], err == 0);
        Tracepoint.Emit(TraceKind.Unlock, "released zone->lock");
        Monitor.Exit(zone.Lock);
        _offset = PageReporting.Capacity;
        _zoneStarted = false;
        _err = err;
        if (err == 0)
            _zoneIndex++;
        State = ReportingWorkerState.Running;
        // Run skips the finished zone's order loop: _zoneStarted is false and the index moved on.
    }

    /// <summary>page_reporting_drain(): put back every block of the scatterlist, marking the ones MarksReported accepts.</summary>
    protected virtual void Drain(Zone zone, IReadOnlyList<ScatterEntry> sg, bool reported)
    {
        foreach (var e in sg)
        {
            PutbackIsolatedPage(zone, e.Pfn, e.Order);
            if (MarksReported(zone, e, reported))
            {
                zone.SetPageFlag(e.Pfn, PageFlags.Reported);
                _pr.Events.MarkedReported++;
            }
            else if (reported)
            {
                _pr.Reach.Hit(GuardedRule.DrainMergedStaysUnreported);
                _pr.Events.MergedOnDrain++;
            }
        }
    }

    // ---- seams: one kernel statement each (see the class summary) ----

    /// <summary>page_reporting_process: atomic_set(&amp;prdev->state, PAGE_REPORTING_ACTIVE).</summary>
    protected virtual void BeginPass(PageReportingDevInfo prdev) => prdev.State.Set((int)ReportingState.Active);

    /// <summary>page_reporting_process_zone: the mt loop skips is_migrate_isolate(mt).</summary>
    protected virtual bool ReportsList(MigrateType mt) => mt != MigrateType.Isolate;

    /// <summary>page_reporting_cycle, budget spent: atomic_set(&amp;prdev->state, PAGE_REPORTING_REQUESTED).</summary>
    protected virtual void BudgetExhausted(PageReportingDevInfo prdev) => prdev.State.Set((int)ReportingState.Requested);

    /// <summary>page_reporting_cycle: __isolate_free_page(page, order), false when refused (the cycle stops).</summary>
    protected virtual bool IsolateFreePage(Zone zone, int pfn, int order) => zone.IsolateFreePage(pfn, order);

    /// <summary>page_reporting_drain: __putback_isolated_page(page, order, mt).</summary>
    protected virtual void PutbackIsolatedPage(Zone zone, int pfn, int order) => zone.PutbackIsolatedPage(pfn, order);

    /// <summary>
    /// page_reporting_drain, after the put-back: mark the block PG_reported only if the report
    /// succeeded and it is still a free head of the same order (it did not merge).
    /// </summary>
    protected virtual bool MarksReported(Zone zone, ScatterEntry e, bool reported) =>
        reported && zone.PageBuddy(e.Pfn) && zone.PageOrder(e.Pfn) == e.Order;

    /// <summary>
    /// The end of page_reporting_process: atomic_cmpxchg(&amp;prdev->state, ACTIVE, IDLE); true when
    /// it went IDLE, else state is what it found (REQUESTED: schedule again).
    /// </summary>
    protected virtual bool EndPass(PageReportingDevInfo prdev, out int state)
    {
        state = (int)ReportingState.Active;
        return prdev.State.TryCmpXchg(ref state, (int)ReportingState.Idle);
    }

    /// <summary>The end of page_reporting_process: ACTIVE -> IDLE, or schedule again when REQUESTED.</summary>
    private ReportingStep EndOfPass()
    {
        var prdev = _prdev!;
        _pr.Events.Passes++;
        bool idle = EndPass(prdev, out int state);
        // A schedule fails while cancel_delayed_work_sync holds the item (unregister).
        bool requested = !idle && state == (int)ReportingState.Requested;
        bool again = requested && prdev.Work!.Schedule(PageReporting.Delay);
        if (requested)
            _pr.Reach.Hit(again ? GuardedRule.PassEndsRequested : GuardedRule.RescheduleRefusedByCancel);
        if (Tracepoint.On)
            Tracepoint.Emit(idle ? "page_reporting_process: end of pass, state ACTIVE -> IDLE" : $"page_reporting_process: end of pass, state {(ReportingState)state}{(again ? ": schedule again" : "")}");
        prdev.Work!.EndRun();
        State = ReportingWorkerState.Idle;
        _zoneIndex = 0;
        _zoneStarted = false;
        return again ? ReportingStep.Rescheduled : ReportingStep.Finished;
    }
}
