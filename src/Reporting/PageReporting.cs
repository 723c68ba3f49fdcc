using BuddyModel;
using Kernel;

namespace Reporting;

/// <summary>Counters of events worth knowing a test reached. Not part of the design.</summary>
public sealed class ReportingEvents
{
    /// <summary>Frees that passed the static branch and order screen (__page_reporting_notify ran).</summary>
    public int Notified { get; set; }
    /// <summary>__page_reporting_request calls that scheduled the work (IDLE -> REQUESTED).</summary>
    public int Scheduled { get; set; }
    /// <summary>report() calls.</summary>
    public int Reports { get; set; }
    /// <summary>Blocks drained with PageReported set.</summary>
    public int MarkedReported { get; set; }
    /// <summary>Blocks drained after a successful report that had merged, so stayed unreported.</summary>
    public int MergedOnDrain { get; set; }
    /// <summary>Zones skipped by the watermark gate of page_reporting_process_zone.</summary>
    public int ZonesBelowGate { get; set; }
    /// <summary>Cycles that ran out of budget and set REQUESTED.</summary>
    public int BudgetExhausted { get; set; }
    /// <summary>Full passes of page_reporting_process.</summary>
    public int Passes { get; set; }
}

/// <summary>
/// mm/page_reporting.c without its worker (see ReportingWorker): the global pr_dev_info (RCU
/// published), the page_reporting_enabled static branch, the page_reporting_order parameter,
/// page_reporting_notify_free / __page_reporting_notify / __page_reporting_request, and
/// page_reporting_register / page_reporting_unregister. It plugs into every zone as its
/// IFreePageHinting; PG_reported itself is the allocator's business from 5.7 on (the zone's
/// era clears it in del_page_from_free_list), the drain sets it.
///
/// Model simplifications:
/// - page_reporting_mutex is not modelled: register and unregister are called one at a time.
/// - The per-zone loop is over the zones given here (for_each_zone); all zones share one
///   MAX_ORDER and pageblock_order.
/// - MAX_ORDER is the model's Zone.MaxOrder, the number of orders (the pre-2023, exclusive
///   meaning): orders 0..MaxOrder-1 exist. "2023 inclusive MAX_ORDER" is modelled as the bound
///   register puts on the driver's order, which is what changed in behaviour.
/// - `PAGE_REPORTING_CAPACITY &lt;&lt; order` in the watermark gate is computed as 32-bit
///   unsigned arithmetic with the shift count masked to 5 bits, as x86's shl does (C calls a
///   shift by 32 or more undefined).
/// - The scatterlist allocation of page_reporting_process (kmalloc_array) never fails.
/// </summary>
public class PageReporting : IFreePageHinting
{
    /// <summary>PAGE_REPORTING_CAPACITY.</summary>
    public const int Capacity = 32;

    /// <summary>PAGE_REPORTING_DELAY = 2 * HZ jiffies.</summary>
    public const int Delay = 2 * VirtualClock.Hz;

    /// <summary>page_reporting_order's "unset" value: -1 as an unsigned int.</summary>
    public const uint OrderUnset = uint.MaxValue;

    /// <summary>-EBUSY, -EINVAL, -ENOENT.</summary>
    public const int EBusy = -16, EInval = -22, ENoEnt = -2;

    private readonly List<Zone> _zones;
    private PageReportingDevInfo? _prDevInfo;

    public PageReporting(IReadOnlyList<Zone> zones, ReportingVersion version, VirtualClock clock)
    {
        ArgumentNullException.ThrowIfNull(zones);
        Version = version ?? throw new ArgumentNullException(nameof(version));
        Clock = clock ?? throw new ArgumentNullException(nameof(clock));
        if (zones.Count == 0)
            throw new ArgumentException("at least one zone", nameof(zones));
        _zones = zones.ToList();
        Reach = _zones[0].Reach;
        foreach (var z in _zones)
        {
            if (z.Era != version.Era)
                throw new ArgumentException($"zone {z.Config.Name} runs the {z.Era} allocator, {version.Name} needs {version.Era}", nameof(zones));
            if (z.MaxOrder != _zones[0].MaxOrder || z.PageblockOrder != _zones[0].PageblockOrder)
                throw new ArgumentException("all zones must share MaxOrder and PageblockOrder", nameof(zones));
            z.Hinting = this;
            z.Reach = Reach;
        }
        // 5.14: initialised to MAX_ORDER (nothing reported before a driver registers);
        // 2022+: -1, "unset".
        ReportingOrder = !Has(ReportingFixes.ReportingOrderParam) ? (uint)PageblockOrder
            : Has(ReportingFixes.OrderValidated) ? OrderUnset
            : (uint)MaxOrder;
    }

    /// <summary>The version this instance models.</summary>
    public ReportingVersion Version { get; }

    /// <summary>jiffies.</summary>
    public VirtualClock Clock { get; }

    /// <summary>The zones, in for_each_zone order.</summary>
    public IReadOnlyList<Zone> Zones => _zones;

    /// <summary>MAX_ORDER of the zones (number of orders).</summary>
    public int MaxOrder => _zones[0].MaxOrder;

    /// <summary>pageblock_order of the zones.</summary>
    public int PageblockOrder => _zones[0].PageblockOrder;

    /// <summary>system_wq.</summary>
    public Workqueue SystemWq { get; } = new("events", freezable: false);

    /// <summary>system_freezable_wq.</summary>
    public Workqueue SystemFreezableWq { get; } = new("events_freezable", freezable: true);

    /// <summary>RCU for pr_dev_info's readers (the notify path).</summary>
    public Rcu Rcu { get; } = new();

    /// <summary>page_reporting_enabled: enabled by the first register, never disabled again.</summary>
    public StaticKey Enabled { get; } = new();

    /// <summary>Counters for tests.</summary>
    public ReportingEvents Events { get; } = new();

    /// <summary>The guarded-rule counter of the system, shared with every zone (reachability facts; not kernel state).</summary>
    public RuleReach Reach { get; }

    /// <summary>rcu_dereference(pr_dev_info).</summary>
    public PageReportingDevInfo? DevInfo => Volatile.Read(ref _prDevInfo);

    /// <summary>
    /// The device whose work item the worker runs: the last one registered (the work item is
    /// part of prdev and outlives its unpublication until cancel_delayed_work_sync).
    /// </summary>
    public PageReportingDevInfo? WorkOwner { get; private set; }

    /// <summary>
    /// page_reporting_order as the C unsigned int (5.14+); OrderUnset is -1. Before 5.14 this
    /// holds PAGE_REPORTING_MIN_ORDER (pageblock_order) and cannot be changed.
    /// </summary>
    public uint ReportingOrder { get; private set; }

    /// <summary>Whether a fix is in force.</summary>
    public bool Has(ReportingFixes fix) => Version.Has(fix);

    /// <summary>The workqueue the reporting work goes on (2026: system_freezable_wq).</summary>
    public Workqueue ReportingWorkqueue => Has(ReportingFixes.FreezableWork) ? SystemFreezableWq : SystemWq;

    /// <summary>
    /// Writing the page_reporting_order parameter (boot command line or sysfs): 0 or a
    /// negative errno. Before 5.14 there is no such parameter (-ENOENT). 5.14: any unsigned
    /// value is taken and used at once. 2022+: param_set_uint_minmax(0, MAX_ORDER-1), anything
    /// else is -EINVAL and leaves the value.
    /// </summary>
    public int SetReportingOrderParameter(long value)
    {
        if (!Has(ReportingFixes.ReportingOrderParam))
            return ENoEnt;
        long max = Has(ReportingFixes.OrderValidated) ? MaxOrder - 1 : uint.MaxValue;
        if (value < 0 || value > max)
        {
            Reach.Hit(GuardedRule.OrderParameterRefused);
            return EInval;
        }
        ReportingOrder = (uint)value;
        return 0;
    }

    /// <summary>
    /// Canonical state (exhaustive exploration): page_reporting_order (what the worker and the
    /// notify screen read, 5.14+ a parameter), whether a work owner exists and is published
    /// (pr_dev_info is NULL or the last registered prdev: register refuses while one is
    /// published, so no other device can be), that prdev's own state (state atomic, delayed
    /// work), the static branch's count, RCU's readers and whether each workqueue is frozen.
    /// Dropped: the event counters (Events: reachability counts; the harness keeps the one
    /// difference an invariant reads, reports since unregister returned), the reachability
    /// counter, the version (configuration) and the zones (written by the buddy system).
    /// </summary>
    public void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(ReportingOrder);
        var published = DevInfo;
        sink.Add(WorkOwner is null ? 0 : 1);
        // 1: pr_dev_info is the work owner; 2: some other prdev (never reached by the released code, kept apart anyway).
        sink.Add(published is null ? 0 : ReferenceEquals(published, WorkOwner) ? 1 : 2);
        WorkOwner?.WriteCanonicalState(sink);
        Enabled.WriteCanonicalState(sink);
        Rcu.WriteCanonicalState(sink);
        SystemWq.WriteCanonicalState(sink);
        SystemFreezableWq.WriteCanonicalState(sink);
    }

    // ---- notify path (under zone->lock, from __free_one_page) ----

    /// <summary>
    /// page_reporting_notify_free(order), called at the end of __free_one_page unless the free
    /// had FPI_SKIP_REPORT_NOTIFY (5.7: report == false): static branch, then the order screen.
    /// Virtual only as a seam for deliberately broken models in tests.
    /// </summary>
    public virtual void NotifyFree(int order)
    {
        // Each screen counts its rule only when it alone stopped the notification.
        bool lowOrder = (uint)order < ReportingOrder;
        if (!Enabled.Enabled)
        {
            if (!lowOrder)
                Reach.Hit(GuardedRule.ReportingNotifyKeyOff);
            return;
        }
        if (lowOrder)
        {
            Reach.Hit(GuardedRule.ReportingNotifyOrderBelow);
            return;
        }
        Notify();
    }

    /// <summary>__page_reporting_notify(): under rcu_read_lock, request reporting from the published device, if any.</summary>
    protected void Notify()
    {
        Events.Notified++;
        Rcu.ReadLock();
        try
        {
            var prdev = DevInfo;
            if (Tracepoint.On)
                Tracepoint.Emit($"__page_reporting_notify: rcu_read_lock, pr_dev_info read: {(prdev is null ? "NULL" : "the device")}");
            if (prdev is not null)
                Request(prdev);
            else
                Reach.Hit(GuardedRule.ReportingNotifyNoDevice);
        }
        finally
        {
            Rcu.ReadUnlock();
        }
    }

    /// <summary>
    /// __page_reporting_request(): nothing when already REQUESTED; otherwise exchange in
    /// REQUESTED, and only an IDLE -> REQUESTED transition schedules the work,
    /// PAGE_REPORTING_DELAY from now (an ACTIVE pass will see REQUESTED at its end).
    /// </summary>
    public void Request(PageReportingDevInfo prdev)
    {
        ArgumentNullException.ThrowIfNull(prdev);
        // Already REQUESTED: the exchange would change nothing (no guarded rule: no effect).
        if (prdev.State.Read() == (int)ReportingState.Requested)
            return;
        int old = prdev.State.Exchange((int)ReportingState.Requested);
        if (Tracepoint.On)
            Tracepoint.Emit($"__page_reporting_request: state {(ReportingState)old} -> REQUESTED{(old == (int)ReportingState.Idle ? ", schedule the work" : "")}");
        if (old != (int)ReportingState.Idle)
        {
            Reach.Hit(GuardedRule.RequestDuringPass);
            return;
        }
        if (prdev.Work!.Schedule(Delay))
            Events.Scheduled++;
    }

    // ---- IFreePageHinting ----

    /// <summary>No boundary: tail insertions go to the true tail.</summary>
    public int GetTail(Zone zone, int order, MigrateType mt) => zone.ListHead(order, mt);

    /// <summary>Nothing: del_page_from_free_list clears PG_reported in the allocator itself (5.7+ era).</summary>
    public void DelFromFreeList(Zone zone, int pfn, int order, MigrateType mt) { }

    /// <summary>The end of __free_one_page: notify unless FPI_SKIP_REPORT_NOTIFY.</summary>
    public void FreeOnePageDone(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags, bool merged)
    {
        if ((flags & FreeFlags.SkipNotify) != 0)
        {
            // With effect only when the notification would have passed its screens (plain reads).
            if (Enabled.Peek && (uint)order >= ReportingOrder)
                Reach.Hit(GuardedRule.PutbackSkipsNotify);
            return;
        }
        NotifyFree(order);
    }

    /// <summary>Nothing: expand() neither notifies nor passes PG_reported to the halves.</summary>
    public void AddedByExpand(Zone zone, int pfn, int order, MigrateType mt) { }

    // ---- register / unregister ----

    /// <summary>
    /// page_reporting_register(): -EBUSY when a device is published. Otherwise choose the
    /// reporting order (5.14+, ChooseOrder), set IDLE, initialise the work (on the freezable
    /// workqueue from 2026), request the first pass (due PAGE_REPORTING_DELAY from now),
    /// publish the device (rcu_assign_pointer), and enable the static branch.
    /// </summary>
    public int Register(PageReportingDevInfo prdev)
    {
        ArgumentNullException.ThrowIfNull(prdev);
        if (DevInfo is not null)
        {
            Reach.Hit(GuardedRule.RegisterBusy);
            return EBusy;
        }
        if (Has(ReportingFixes.ReportingOrderParam))
            ReportingOrder = ChooseOrder(ReportingOrder, prdev.Order);
        prdev.State.Set((int)ReportingState.Idle);
        prdev.Work = new DelayedWork("page_reporting_process", Clock, ReportingWorkqueue);
        WorkOwner = prdev;
        Request(prdev);
        AssignDevInfo(prdev);
        if (!Enabled.Enabled)
            Enabled.SlowInc();
        return 0;
    }

    /// <summary>
    /// The order selection of page_reporting_register, by version:
    /// - 5.14: prdev->order ?: pageblock_order, overwriting whatever the parameter held.
    /// - 2022: only when the parameter is unset (-1): the driver's order if 0 &lt; order &lt;= MAX_ORDER
    ///   (one past the last free_area), else pageblock_order. A boot or sysfs value wins.
    /// - 2023 (InclusiveMaxOrder): the bound is the last existing order (MAX_ORDER-1 here).
    /// - 2026 (OrderZeroAllowed): order 0 is accepted; -1 (OrderUnspecified) means "no preference".
    /// </summary>
    public uint ChooseOrder(uint current, int driverOrder)
    {
        bool specified = Has(ReportingFixes.OrderZeroAllowed)
            ? driverOrder != PageReportingDevInfo.OrderUnspecified
            : driverOrder != 0;
        if (!Has(ReportingFixes.OrderValidated))
            return specified ? unchecked((uint)driverOrder) : (uint)PageblockOrder;
        int bound = Has(ReportingFixes.InclusiveMaxOrder) ? MaxOrder - 1 : MaxOrder;
        bool inRange = specified && driverOrder >= 0 && driverOrder <= bound;
        uint driverChoice = inRange ? (uint)driverOrder : (uint)PageblockOrder;
        if (current != OrderUnset)
        {
            if (current != driverChoice)
                Reach.Hit(GuardedRule.RegisterKeepsParameterOrder);
            return current;
        }
        if (specified && !inRange)
            Reach.Hit(GuardedRule.RegisterDriverOrderOutOfRange);
        return driverChoice;
    }

    /// <summary>
    /// page_reporting_unregister(): when prdev is the published device, clear the pointer,
    /// synchronize_rcu(), then cancel_delayed_work_sync(); returned as a step machine because
    /// both waits may have to wait for other actors (a notifier inside its read-side section,
    /// a worker inside report()). Virtual only as a seam for deliberately broken models in
    /// tests (with AssignDevInfo and the ReportingUnregister constructor).
    /// </summary>
    public virtual ReportingUnregister Unregister(PageReportingDevInfo prdev)
    {
        ArgumentNullException.ThrowIfNull(prdev);
        if (!ReferenceEquals(DevInfo, prdev))
            return ReportingUnregister.Nothing();
        AssignDevInfo(null);
        Tracepoint.Emit("page_reporting_unregister: pr_dev_info = NULL");
        Rcu.StartGracePeriod();
        return new ReportingUnregister(Rcu, prdev.Work!, Reach);
    }

    /// <summary>rcu_assign_pointer(pr_dev_info, prdev).</summary>
    protected void AssignDevInfo(PageReportingDevInfo? prdev) => Volatile.Write(ref _prDevInfo, prdev);

    // ---- shared with the worker ----

    /// <summary>
    /// The gate of page_reporting_process_zone: low watermark plus
    /// PAGE_REPORTING_CAPACITY &lt;&lt; reporting order (32-bit, x86 shift semantics).
    /// </summary>
    public long ZoneGate(Zone zone) => zone.Watermark.Low + (long)unchecked(((uint)Capacity) << (int)(ReportingOrder & 31));
}

/// <summary>page_reporting_unregister after the pointer is cleared: synchronize_rcu, then cancel_delayed_work_sync.</summary>
public sealed class ReportingUnregister
{
    private readonly Rcu? _rcu;
    private readonly DelayedWork? _work;
    private readonly RuleReach? _reach;
    private int _phase; // 0 rcu, 1 cancel, 2 done

    /// <summary>
    /// The waits of page_reporting_unregister: synchronize_rcu() on rcu, then
    /// cancel_delayed_work_sync() on work. A null leaves that wait out (only deliberately broken
    /// models in tests do). reach counts the waits (reachability facts), when given.
    /// </summary>
    public ReportingUnregister(Rcu? rcu, DelayedWork? work, RuleReach? reach = null)
    {
        _rcu = rcu;
        _work = work;
        _reach = reach;
    }

    private ReportingUnregister() => _phase = 2;

    internal static ReportingUnregister Nothing() => new();

    /// <summary>Whether page_reporting_unregister has returned.</summary>
    public bool Done => _phase == 2;

    /// <summary>Whether the call is waiting in cancel_delayed_work_sync (the RCU grace period is over).</summary>
    public bool Cancelling => _phase == 1;

    /// <summary>
    /// Canonical state (exhaustive exploration): the phase (in synchronize_rcu, in
    /// cancel_delayed_work_sync, returned). The RCU and the work item it waits on are the core's
    /// and the work owner's, written there; whether a wait was left out is the code's (only
    /// broken models in tests leave one out, and those are not explored).
    /// </summary>
    public void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(_phase);
    }

    /// <summary>Go as far as possible; true once returned.</summary>
    public bool Step()
    {
        if (_phase == 0 && _rcu is not null && !_rcu.GracePeriodElapsed())
        {
            _reach?.Hit(GuardedRule.UnregisterWaitsForRcu);
            return false;
        }
        if (_phase == 0)
        {
            Tracepoint.Emit(_rcu is null ? "page_reporting_unregister: no synchronize_rcu(); cancel_delayed_work_sync()" : "page_reporting_unregister: synchronize_rcu() returned; cancel_delayed_work_sync()");
            _work?.StartCancel();
            _phase = 1;
        }
        if (_phase == 1 && (_work is null || _work.FinishCancel()))
        {
            _phase = 2;
            Tracepoint.Emit("page_reporting_unregister: returned (the driver may free prdev)");
        }
        else if (_phase == 1)
        {
            _reach?.Hit(GuardedRule.UnregisterWaitsForWork);
        }
        return Done;
    }
}
