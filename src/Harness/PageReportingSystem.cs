using BuddyModel;
using Harness.Operations;
using Reporting;
using Specs;
using Specs.Reporting;
using ModelSystem = Reporting.ReportingSystem;

namespace Harness;

/// <summary>
/// A guest with the merged design (mm/page_reporting.c of a named version) and the virtio
/// reporting device, plus the host: the shared guest (GuestSystem) with the model's reporting
/// core, worker, clock, driver and host (Reporting.ReportingSystem). Frees notify through the
/// zone's hook; the worker runs only when its delayed work is due, so time is an operation of
/// its own (advance_clock). The ledger records every range the host acknowledged, skipped or
/// not: "reported" means acknowledged.
/// </summary>
public sealed class PageReportingSystem : GuestSystem, IReportingSubject
{
    /// <summary>Settling steps allowed on a zone of up to GuestSystem-sized SettleBlocks blocks of the reporting order.</summary>
    public const int SettleSteps = 4000;

    /// <summary>The zone size (in blocks of the reporting order) SettleSteps is sized for.</summary>
    public const int SettleBlocks = 64;

    private readonly HashSet<(int Pfn, int Order)> _heldKnown = new();
    private ReportingUnregister? _unregister;
    private int _rangesSeen;
    // The request ledger: each entry is (order of events, step); a request is a free that asked
    // for reporting, or a cycle cut short by its budget (which leaves work for another pass).
    private long _events;
    private (long Tick, long Step) _lastRequest;
    private (long Tick, long Step) _lastPassStart;
    private bool _frozen;
    private NoReportUnderLock? _lockWatch;

    /// <summary>
    /// The canonical state (exhaustive exploration): the guest's (GuestSystem: zones with
    /// PG_reported in their flags, handles, hint ledger, contents), then the harness's own, then
    /// each part's: the core (page_reporting_order, pr_dev_info published or not, the prdev's
    /// state atomic and delayed work as jiffies until due, the static branch, RCU readers, the
    /// workqueues' freeze), the worker (cycle position, budget, scatterlist in flight), the
    /// driver (pr_dev_info set up, reporting_vq relative to its indices, the report in flight
    /// and its wake-up), the host (nothing: ReportingHost.WriteCanonicalState) and
    /// unregister's phase. The harness's own, each what a later step or check reads:
    /// - whether the guest is frozen (Freeze, Restore and the settle read it);
    /// - unregister: none begun, or its phase (Register waits for it to return, StepUnregister
    ///   goes on with it);
    /// - whether unregister has returned since the last register, and the reports made since it
    ///   did (Reporting lifetime compares the two counts; only their difference is kept, and it
    ///   is 0 in every state that keeps the invariant);
    /// - whether the last request came after the last pass start (the settle's liveness check
    ///   compares their ticks, nothing else: every update stamps a tick above both, so the order
    ///   after any later step depends on the order now and that step);
    /// - whether page_reporting_order was written (Reporting order in range reads it), and
    ///   whether report() ran under a zone lock (the watch's verdict).
    /// Dropped: the set of held blocks told to the oracle and the count of host ranges seen
    /// (equal to what they mirror, the scatterlist in flight and the host's ledger, after every
    /// step), the ticks and steps themselves (a message's), absolute jiffies (VirtualClock),
    /// every counter (Events, the driver's Submitted, the host's lost notifications, the RCU
    /// grace periods, the facts), the setup and the version (configuration).
    /// </summary>
    public override void WriteCanonicalState(ICanonicalStateSink sink)
    {
        base.WriteCanonicalState(sink);
        sink.Add(_frozen ? 1 : 0);
        sink.Add(_unregister is null ? 0 : 1);
        _unregister?.WriteCanonicalState(sink);
        sink.Add(ReportsWhenUnregistered is int before ? 1 : 0);
        sink.Add(ReportsWhenUnregistered is int b ? Reporting.Events.Reports - b : 0);
        sink.Add(_lastRequest.Tick > _lastPassStart.Tick ? 1 : 0);
        sink.Add(OrderParameterWritten ? 1 : 0);
        sink.Add(_lockWatch?.HeldAtReport is null ? 0 : 1);
        Reporting.WriteCanonicalState(sink);
        Worker.WriteCanonicalState(sink);
        Model.Driver.WriteCanonicalState(sink);
        Model.Host.WriteCanonicalState(sink);
    }

    /// <summary>
    /// Null (explorable) when every part is the released code whose state WriteCanonicalState
    /// writes (ReportingParts.Default's zone, core, worker and host), or a test's part derived
    /// from it that adds no state the form leaves out (CanonicalCoverage: a broken worker that
    /// overrides one method, a broken host that writes its deferred work itself). A part with
    /// state of its own that it does not write is refused.
    /// </summary>
    public override string? CanonicalStateMissing =>
        base.CanonicalStateMissing ?? CanonicalCoverage.Missing(
            (Reporting, typeof(PageReporting), "page_reporting core"),
            (Worker, typeof(ReportingWorker), "worker"),
            (Model.Host, typeof(global::Reporting.Virtio.ReportingHost), "host"));

    /// <inheritdoc/>
    protected override IEnumerable<ulong> CanonicalContentConstants => [0UL, PoisonValue, Model.Driver.Negotiated.DropFill()];

    /// <summary>Whether the guest is frozen (FreezeGuest done, RestoreGuest not yet).</summary>
    public bool Frozen => _frozen;

    /// <summary>Whether page_reporting_unregister has begun and not returned.</summary>
    public bool Unregistering => _unregister is { Done: false };

    /// <summary>Whether page_reporting_unregister has begun since the last register (returned or not): a second one is skipped.</summary>
    public bool UnregisterBegun => _unregister is not null;

    /// <summary>A system of the version; parts (tests only) swaps in other code for a part of the model (a deliberately broken one).</summary>
    public PageReportingSystem(Scenario scenario, ReportingVersion version, ReportingParts? parts = null)
        : this(MakeModel(scenario, version, parts))
    {
    }

    private PageReportingSystem(ModelSystem model)
        : base(model.Zones, model.Setup.Guest.PagePoisoning, PagePoisonWord, model.Memory)
    {
        Model = model;
    }

    /// <summary>The model's guest: zone, core, worker, clock, driver, host.</summary>
    public ModelSystem Model { get; }

    public PageReporting Reporting => Model.Reporting;

    public ReportingWorker Worker => Model.Worker;

    public PageReportingDevInfo? Registered => Model.Driver.DevInfo;

    public int? ReportsWhenUnregistered { get; private set; }

    /// <summary>
    /// The order the setup's driver asks for (ReportingSetup.DriverOrder; null or -1: no
    /// preference); versions before 5.14 have no prdev->order, so nothing is asked there. Before
    /// 2026 the kernel reads an order of 0 as "no preference": that is the model's business, not
    /// this ledger's.
    /// </summary>
    public int? RequestedOrder =>
        Registered is not null && Version.Has(ReportingFixes.ReportingOrderParam)
        && Model.Setup.DriverOrder is int d && d != PageReportingDevInfo.OrderUnspecified ? d : null;

    public bool OrderParameterWritten { get; private set; }

    /// <summary>The version this system runs.</summary>
    public ReportingVersion Version => Model.Version;

    private static ModelSystem MakeModel(Scenario scenario, ReportingVersion version, ReportingParts? parts)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ZoneLayout.Validate(scenario.Zones);
        return ModelSystem.Create(version, scenario.Zones, scenario.Reporting ?? new ReportingSetup(), parts);
    }

    /// <summary>PAGE_POISON (0xaa) in every byte of the 64-bit word the model's frames hold.</summary>
    private const ulong PagePoisonWord =
        ((ulong)global::Reporting.Virtio.GuestPoisoning.PagePoisonVal << 32) | global::Reporting.Virtio.GuestPoisoning.PagePoisonVal;

    public override StepOutcome? Apply(Operation op)
    {
        Seq++;
        if (op is FreePages f && Worker.InFlight.Count > 0 && Live.Count > 0)
            NoteBuddyOfReportFreed(f);
        if (op is AllocPages a)
            NoteReportedReuse(a);
        int notifiedBefore = Reporting.Events.Notified;
        bool published = Reporting.DevInfo is not null && Reporting.Enabled.Enabled;
        var freed = op is FreePages fp && Live.Count > 0 ? Live[Index(fp.Block, Live.Count)] : ((int Pfn, int Order)?)null;
        StepOutcome? outcome = op switch
        {
            RegisterReporting => Register(),
            UnregisterReporting => BeginUnregister(),
            StepUnregister => GoOnUnregistering(),
            StepWorker => RunWorker(),
            StepHost => RunHost(),
            AdvanceClock t => Advance(t.Jiffies),
            FreezeGuest => Freeze(),
            RestoreGuest => Restore(),
            SetReportingOrder o => SetOrder(o.Value),
            _ => base.Apply(op),
        };
        var sync = SyncReportsAndHeld() ?? NoteRequest(notifiedBefore, published, freed);
        if (outcome is not null && sync is not null && outcome.Violation is null)
            outcome = outcome with { Violation = sync };
        return outcome;
    }

    /// <summary>
    /// The request ledger for No lost request's liveness half: a free that left a block of the
    /// reporting order or above while a device was published must have notified; the step of
    /// the last request made while published is remembered for the settle check.
    /// </summary>
    private Violation? NoteRequest(int notifiedBefore, bool published, (int Pfn, int Order)? freed)
    {
        bool notified = Reporting.Events.Notified != notifiedBefore;
        if (notified && published)
            _lastRequest = (++_events, Seq);
        if (!published || freed is not { } f || notified)
            return null;
        var (head, order) = MergedBlockOf(f.Pfn, f.Order);
        uint ro = Reporting.ReportingOrder;
        return head >= 0 && ro < (uint)Zone.MaxOrder && (uint)order >= ro ? NoLostRequest.NotNotified(this, head, order, ro) : null;
    }

    /// <summary>The free block that now holds the freed block (pfn, order): its head and order, or (-1, 0) when it is not on a free list.</summary>
    private (int Head, int Order) MergedBlockOf(int pfn, int order)
    {
        var zone = ZoneOf(pfn);
        lock (zone.Lock)
            for (int o = order; o < zone.MaxOrder; o++)
            {
                int head = pfn & ~((1 << o) - 1);
                if (zone.SpansPfn(head) && zone.PageBuddy(head) && zone.PageOrder(head) == o)
                    return (head, o);
            }
        return (-1, 0);
    }

    private StepOutcome Register()
    {
        if (Reporting.DevInfo is not null)
            return StepOutcome.Skipped("a device is registered already");
        // A new probe is a new device: the old one's remove must have returned first.
        if (_unregister is { Done: false })
            return StepOutcome.Skipped("the device is being removed (page_reporting_unregister has not returned)");
        _lockWatch = new NoReportUnderLock(Model.Driver, Model.Reporting.Zones);
        int rc = Model.Probe(_lockWatch);
        if (Model.Setup.BootOrder is not null && Version.Has(ReportingFixes.ReportingOrderParam))
            OrderParameterWritten = true;
        if (Model.Driver.DevInfo is null || !ReferenceEquals(Reporting.DevInfo, Model.Driver.DevInfo))
        {
            Fact("the driver did not register (features or order refused)");
            return new StepOutcome(rc == 0 ? "the driver does not report: F_REPORTING not negotiated" : $"probe failed: {rc}", null);
        }
        ReportsWhenUnregistered = null;
        _unregister = null;
        return new StepOutcome($"registered: reporting order {Reporting.ReportingOrder}, request made, pr_dev_info published, static branch on", null);
    }

    private StepOutcome BeginUnregister()
    {
        if (_unregister is not null || Reporting.DevInfo is null)
            return StepOutcome.Skipped(_unregister is not null ? "unregister already in progress" : "no device registered");
        if (Worker.InFlight.Count > 0)
            Fact("unregister began while a report was out");
        _unregister = Model.Remove();
        return UnregisterNote();
    }

    private StepOutcome GoOnUnregistering()
    {
        if (_unregister is null || _unregister.Done)
            return StepOutcome.Skipped("no unregister in progress");
        return UnregisterNote();
    }

    private StepOutcome UnregisterNote()
    {
        if (_unregister!.Step())
        {
            ReportsWhenUnregistered ??= Reporting.Events.Reports;
            return new StepOutcome("page_reporting_unregister returned", null);
        }
        Fact("unregister waited");
        return new StepOutcome(_unregister.Cancelling ? "unregister waits in cancel_delayed_work_sync" : "unregister waits in synchronize_rcu", null);
    }

    private StepOutcome RunWorker()
    {
        bool idle = Worker.State == ReportingWorkerState.Idle;
        var (budget, gate, reports) = (Reporting.Events.BudgetExhausted, Reporting.Events.ZonesBelowGate, Reporting.Events.Reports);
        uint order = Reporting.ReportingOrder;
        // The gate is per zone (page_reporting_process_zone): remember each zone's side of it.
        var freeBefore = new long[Zones.Count];
        var aboveGate = new bool[Zones.Count];
        for (int i = 0; i < Zones.Count; i++)
        {
            var z = Zones[i];
            freeBefore[i] = z.NrFreePages;
            lock (z.Lock)
                aboveGate[i] = z.ZoneWatermarkOk(0, ReportingGateKept.Gate(z, order));
        }
        var step = Worker.Step();
        int reported = Worker.ReportingZone is { } rz ? Math.Max(0, Zones.ToList().IndexOf(rz)) : 0;
        var gateKept = idle && Reporting.Events.Reports != reports
            ? ReportingGateKept.CheckPassStart(Zones[reported], order, aboveGate[reported], freeBefore[reported]) : null;
        if (idle && step != ReportingStep.NoProgress)
            _lastPassStart = (++_events, Seq);
        if (Reporting.Events.BudgetExhausted != budget)
        {
            Fact("a cycle ran out of its budget (REQUESTED for another pass)");
            if (Reporting.DevInfo is not null)
                _lastRequest = (++_events, Seq);
        }
        if (Reporting.Events.ZonesBelowGate != gate)
            Fact("a zone below the gate was skipped");
        switch (step)
        {
            case ReportingStep.Submitted:
                if (Worker.InFlight.Count == PageReporting.Capacity)
                    Fact("a full scatterlist reported");
                else
                    Fact("a leftover report");
                if (Zones.Count > 1 && Worker.ReportingZone is { } rzone && !ReferenceEquals(rzone, Zone))
                    Fact(ReportAboveFirstZoneFact);
                return new StepOutcome($"report of {Worker.InFlight.Count} submitted: {string.Join(", ", Worker.InFlight.Select(e => $"pfn {e.Pfn} order {e.Order}"))}",
                    _lockWatch?.Check() ?? gateKept ?? IsolationRespected.Check(this) ?? MinWatermarkKept.Check(this));
            case ReportingStep.Rescheduled:
                Fact("a pass ended REQUESTED: work scheduled again");
                return new StepOutcome("pass ended REQUESTED: work scheduled again", null);
            case ReportingStep.Finished:
                return new StepOutcome("pass ended: IDLE", null);
            case ReportingStep.Crashed:
                // The oops is the finding; the blocks the dead worker holds follow from it.
                return new StepOutcome($"worker oops: {Worker.Oops}", new ReportingLifetime().Check(this));
            default:
                return StepOutcome.Skipped(Worker.State == ReportingWorkerState.Idle ? "no work due" : "waiting for the device");
        }
    }

    private StepOutcome RunHost()
    {
        int before = Model.Host.Ranges.Count;
        if (!Model.Host.Step())
            return StepOutcome.Skipped("no buffer available");
        var taken = Model.Host.Ranges.Skip(before).ToList();
        int skipped = taken.Count(r => r.SkippedBecause is not null);
        if (skipped > 0)
            Fact("host acknowledged ranges it did not discard");
        return new StepOutcome($"host took {taken.Count} ranges ({skipped} skipped) and acknowledged the buffer", null);
    }

    private StepOutcome Advance(int jiffies)
    {
        Model.Clock.Advance(jiffies);
        return new StepOutcome($"jiffies {Model.Clock.Jiffies}" + (Registered?.Work is { Due: true } ? ": the reporting work is due" : ""), null);
    }

    private StepOutcome Freeze()
    {
        if (_frozen)
            return StepOutcome.Skipped("already frozen");
        try
        {
            Model.Freeze();
        }
        catch (InvalidOperationException e)
        {
            return StepOutcome.Skipped(e.Message);
        }
        _frozen = true;
        if (Worker.InFlight.Count > 0)
            Fact("freeze while a report was out");
        return new StepOutcome("frozen: freezable workqueues stopped, virtqueues deleted", null);
    }

    private StepOutcome Restore()
    {
        if (!_frozen)
            return StepOutcome.Skipped("not frozen");
        Model.Restore();
        _frozen = false;
        return new StepOutcome("restored: virtqueues re-created, workqueues thawed", null);
    }

    private StepOutcome SetOrder(int value)
    {
        int err = Reporting.SetReportingOrderParameter(value);
        if (err == 0)
            OrderParameterWritten = true;
        return new StepOutcome(err == 0 ? $"page_reporting_order is {Reporting.ReportingOrder}" : $"refused ({err}); page_reporting_order stays {Reporting.ReportingOrder}", null);
    }

    /// <summary>Count allocations that take a reported block, and those that do while an unreported one waits on the same list.</summary>
    private void NoteReportedReuse(AllocPages a)
    {
        ReportedReusedLast.Take take;
        var zone = PickZone(a.Zone);
        lock (zone.Lock)
            take = ReportedReusedLast.WhatAllocationTakes(zone, a.Order, a.Mt);
        if (take != ReportedReusedLast.Take.Unreported)
            Fact(ReportedTakenFact);
        if (take == ReportedReusedLast.Take.ReportedBeforeUnreported)
            Fact(ReportedFirstFact);
    }

    /// <summary>The fact counted when a report comes from a zone above the guest's first (a guest of several zones).</summary>
    public const string ReportAboveFirstZoneFact = "a report from a zone above the first";

    /// <summary>The fact counted when an allocation takes a reported block.</summary>
    public const string ReportedTakenFact = "allocation took a reported block";

    /// <summary>The fact counted when an allocation takes a reported block before an unreported one of the same list.</summary>
    public const string ReportedFirstFact = "allocation took a reported block while an unreported one was free";

    private void NoteBuddyOfReportFreed(FreePages f)
    {
        var (pfn, order) = Live[Index(f.Block, Live.Count)];
        if (Worker.InFlight.Any(e => e.Order == order && (pfn ^ (1 << order)) == e.Pfn))
            Fact("a buddy of a block out in a report was freed");
    }

    /// <summary>Record acknowledged ranges in the ledger; tell the oracle which blocks reporting took or gave back.</summary>
    private Violation? SyncReportsAndHeld()
    {
        var ranges = Model.Host.Ranges;
        for (; _rangesSeen < ranges.Count; _rangesSeen++)
        {
            var r = ranges[_rangesSeen];
            if (RecordHinted(r.Pfn, System.Numerics.BitOperations.Log2((uint)r.NrPages)))
                Fact("block reported again without reuse (waste)");
        }
        Violation? first = null;
        var now = HeldByReporting();
        foreach (var b in _heldKnown)
            if (!now.Contains(b))
                first ??= OracleOf(b.Pfn).OnReturned(b.Pfn, b.Order);
        foreach (var b in now)
            if (!_heldKnown.Contains(b))
                first ??= OracleOf(b.Pfn).OnHeld(b.Pfn, b.Order);
        _heldKnown.Clear();
        _heldKnown.UnionWith(now);
        return first;
    }

    /// <summary>Heads of held blocks that the test did not isolate itself: the ones reporting took.</summary>
    private HashSet<(int Pfn, int Order)> HeldByReporting()
    {
        var mine = new HashSet<(int, int)>(Isolated);
        var held = new HashSet<(int Pfn, int Order)>();
        foreach (var e in Worker.InFlight)
            if (!mine.Contains((e.Pfn, e.Order)))
                held.Add((e.Pfn, e.Order));
        return held;
    }

    protected override Violation? CheckDesignInvariants() => ReportingInvariants.CheckAll(this);

    /// <summary>The settling bound on this zone: SettleSteps for up to SettleBlocks blocks of the reporting order, in proportion beyond.</summary>
    public int SettleBound
    {
        get
        {
            long blocks = Zones.Sum(z => (long)z.NrPages) >> (int)Math.Min(Reporting.ReportingOrder, (uint)Zone.MaxOrder - 1);
            return (int)Math.Min(int.MaxValue, SettleSteps * Math.Max(1, (blocks + SettleBlocks - 1) / SettleBlocks));
        }
    }

    /// <summary>
    /// Settle: with nothing else happening, the host answers, time passes to the work's due time,
    /// the worker runs and unregister goes on, until nothing can run, within the bound; then
    /// progress: the worker is idle with no work left, unregister returned, no block held.
    /// </summary>
    public override Violation? Finish(List<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        int steps = 0;
        while (true)
        {
            Operation? next = Model.Host.HasWork ? new StepHost()
                : Worker.CanStep ? new StepWorker()
                : _unregister is { Done: false } ? new StepUnregister()
                : Worker.State == ReportingWorkerState.Idle && Registered?.Work is { Pending: true, Due: false } w && !(w.Workqueue?.Frozen ?? false)
                    ? new AdvanceClock((int)Math.Max(1, w.DueAt - Model.Clock.Jiffies))
                : null;
            if (next is null)
                break;
            if (++steps > SettleBound)
                return Progress($"the system still had work after {SettleBound} settling steps (worker {Worker.State}, state {Registered?.CurrentState}): it does not terminate");
            var phase = (_unregister?.Done, _unregister?.Cancelling);
            var outcome = Apply(next)!;
            if (next is StepUnregister && phase == (_unregister?.Done, _unregister?.Cancelling))
                break; // unregister waits for something that will not happen: judged below
            log.Add($"(settle) {next} -> {outcome.Note}");
            var v = outcome.Violation ?? CheckInvariants();
            if (v != null)
                return v;
        }
        if (Worker.State is ReportingWorkerState.Reporting or ReportingWorkerState.ReportingLeftover)
            return Progress($"the worker waits forever in report(): the device never acknowledged; {Worker.InFlight.Count} isolated block(s) never return ({string.Join(", ", Worker.InFlight.Take(8).Select(e => $"pfn {e.Pfn} order {e.Order}"))})"
                + (_unregister is { Done: false } ? "; page_reporting_unregister never returns" : ""));
        if (Reporting.DevInfo is not null && ReferenceEquals(Reporting.DevInfo, Registered) && !_frozen
            && Worker.State == ReportingWorkerState.Idle && _lastRequest.Tick > _lastPassStart.Tick)
            return NoLostRequest.Unserved(this, _lastRequest.Step, _lastPassStart.Step);
        if (_unregister is { Done: false })
            return Progress($"page_reporting_unregister never returns ({(_unregister.Cancelling ? "cancel_delayed_work_sync" : "synchronize_rcu")} waits with the worker {Worker.State})");
        return null;
    }

    private Violation Progress(string found) =>
        new("Progress", Zone.Config.Name, "the worker to go idle, its blocks back and unregister to return once nothing else happens", found);
}
