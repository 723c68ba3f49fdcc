using Specs;
using Aeration;
using Aeration.Virtio;
using BuddyModel;
using Harness.Operations;

namespace Harness;

/// <summary>
/// A guest with the v1 aerator and the virtio hinting device, plus the host: the buddy system
/// extended with aerator, worker, shutdown, driver, host and guest memory contents. The guest
/// writes a unique tag into every frame it allocates and checks it when freeing; with page
/// poisoning it writes the poison value on free and checks it on allocation.
///
/// With several zones (Scenario.MoreZones) the one aerator serves them all, as v1's does: one
/// worker visits them in order, one global boundary array, at most one zone ACTIVE. The host
/// sees guest-physical addresses (pfn &lt;&lt; PAGE_SHIFT) over the whole guest memory, so two
/// zones' frames are two different frames for it.
/// </summary>
public sealed class AerationSystem : GuestSystem, Specs.Aeration.IAerationSubject
{
    private readonly HashSet<(int Pfn, int Order)> _batchKnown = new();
    private int _appliedSeen;
    private int _requestsDuringPassSeen;

    public AerationSystem(Scenario scenario, AerationDesign design)
        : base(MakeZones(scenario, design), SetupOf(scenario).PagePoisoning, SetupOf(scenario).PoisonValue)
    {
        Setup = SetupOf(scenario);
        Design = design;
        Setup.Aerator.Validate(Zone.MaxOrder);
        Aerator = design.MakeAerator(Zones, Setup.Aerator);
        Worker = new AeratorWorker(Aerator);
        Shutdown = design.MakeShutdown(Aerator);
        Queue = new Virtqueue("hinting_vq", Setup.QueueSize);
        Driver = design.MakeDriver(Queue, Setup.Features, Math.Min(HintingDriver.HintsMax, Setup.Aerator.Capacity));
        Host = design.MakeHost(Queue, Memory, Setup.Features);
        Device = new AeratorDevInfo(Driver, Driver.Capacity);
    }

    private static AerationSetup SetupOf(Scenario scenario) => scenario.Aeration ?? new AerationSetup();

    private static List<Zone> MakeZones(Scenario scenario, AerationDesign design)
    {
        ZoneLayout.Validate(scenario.Zones);
        return scenario.Zones.Select(design.MakeZone).ToList();
    }

    public AerationSetup Setup { get; }
    public AerationDesign Design { get; }
    public Aerator Aerator { get; }
    public AeratorWorker Worker { get; }
    public global::Aeration.AeratorShutdown Shutdown { get; }
    public Virtqueue Queue { get; }
    public HintingDriver Driver { get; }
    public HintingHost Host { get; }

    /// <summary>virtio_balloon's embedded a_dev_info.</summary>
    public AeratorDevInfo Device { get; }

    /// <summary>Whether a shutdown has returned since the last startup.</summary>
    public bool ShutDown { get; private set; }

    public override StepOutcome? Apply(Operation op)
    {
        Seq++;
        var before = (Host.Applied.Count, Aerator.Events.BoundaryAdvancedOnDelete);
        if (op is FreePages && Worker.State == WorkerState.Reacting && Live.Count > 0)
            NoteBuddyOfBatchFreed(op);
        StepOutcome? outcome = op switch
        {
            StartAerator => Startup(),
            BeginShutdown => StartShutdown(),
            StepWorker => RunWorker(),
            StepHost => RunHost(),
            WakeShutdown => WakeShutdownOnce(),
            _ => base.Apply(op),
        };
        if (op is AllocPages && Aerator.Events.BoundaryAdvancedOnDelete > before.BoundaryAdvancedOnDelete)
            Fact("boundary moved because its block was allocated");
        if (Aerator.Events.RequestedDuringPass > _requestsDuringPassSeen)
        {
            _requestsDuringPassSeen = Aerator.Events.RequestedDuringPass;
            Fact("zone re-requested during a pass");
        }
        var sync = SyncHintsAndBatch();
        if (outcome is not null && sync is not null && outcome.Violation is null)
            outcome = outcome with { Violation = sync };
        return outcome;
    }

    private StepOutcome Startup()
    {
        if (!Driver.MayStart(Setup.PagePoisoning, Setup.PoisonValue, Setup.ValidatePoison && Design.DriverValidatesPoison))
        {
            // The probe's virtballoon_validate is this harness's call: the rule counts here.
            if (Driver.MayStart(Setup.PagePoisoning, Setup.PoisonValue, validatePoison: false))
                Zone.Reach.Hit(GuardedRule.HintingRefusedForPoison);
            Fact("driver refused to start hinting (poisoning without PAGE_POISON)");
            return StepOutcome.Skipped("the driver does not start hinting: page poisoning without PAGE_POISON");
        }
        int rc = Aerator.Startup(Device);
        if (rc != 0)
        {
            Fact("aerator_startup refused a second device");
            return new StepOutcome($"aerator_startup returned {rc} (-EBUSY)", null);
        }
        ShutDown = false;
        return new StepOutcome("device published, every zone requested, static key on", null);
    }

    private StepOutcome StartShutdown()
    {
        if (Worker.State == WorkerState.Reacting)
            Fact("shutdown overlapped an in-flight hint");
        if (!Shutdown.Begin())
            return StepOutcome.Skipped(Shutdown.InProgress ? "shutdown already in progress" : "no device published");
        return ShutdownNote();
    }

    private StepOutcome WakeShutdownOnce()
    {
        if (!Shutdown.InProgress)
            return StepOutcome.Skipped("no shutdown in progress");
        Shutdown.Step();
        return ShutdownNote();
    }

    private StepOutcome ShutdownNote()
    {
        if (Shutdown.Returned)
        {
            ShutDown = true;
            return new StepOutcome("aerator_shutdown returned: device unpublished", null);
        }
        Fact("shutdown slept waiting for the refcount");
        return new StepOutcome($"aerator_shutdown sleeps: refcnt {Device.Refcnt.Read()}", null);
    }

    private StepOutcome RunWorker()
    {
        var step = Worker.Step();
        switch (step)
        {
            case WorkerStep.Submitted:
                if (Device.Batch.Count == Device.Capacity)
                    Fact("batch filled to capacity");
                if (Zones.Count > 1 && Device.Batch.Count > 0 && !ReferenceEquals(Device.Batch[0].Zone.Zone, Zone))
                    Fact(BatchAboveFirstZoneFact);
                return new StepOutcome($"batch of {Device.Batch.Count} submitted: {string.Join(", ", Device.Batch.Select(b => $"pfn {b.Pfn} order {b.Order}"))}", LowWatermarkKept());
            case WorkerStep.PassEnded:
                Fact("worker passed over the zones again");
                return new StepOutcome("pass ended, other references held: pass again", null);
            case WorkerStep.NoProgress:
                return StepOutcome.Skipped(Worker.State == WorkerState.Reacting ? "waiting for the host" : "no work pending");
            default:
                return new StepOutcome(step.ToString(), null);
        }
    }

    /// <summary>
    /// Low watermark kept: a fill never leaves the zone at or below its low watermark. The
    /// batch is memory the allocator cannot have while the host works; taking it below the
    /// watermark makes allocations fail (or reclaim run) that would succeed without hinting.
    /// Checked right after a fill, the only step that takes memory away for hinting.
    /// </summary>
    private Violation? LowWatermarkKept()
    {
        // Watermarks are per zone: the zone the batch was filled from (one zone per fill).
        var zone = Device.Batch.Count > 0 ? Device.Batch[0].Zone.Zone : Zone;
        if (zone.NrFreePages > zone.Watermark.Low)
            return null;
        int held;
        held = Device.Batch.Sum(b => 1 << b.Order);
        return new Violation("Low watermark kept", zone.Config.Name,
            $"NR_FREE_PAGES above the low watermark ({zone.Watermark.Low}) after a fill",
            $"NR_FREE_PAGES {zone.NrFreePages} with {held} pages out for hinting");
    }

    /// <summary>The fact counted when a batch is filled from a zone above the guest's first (a guest of several zones).</summary>
    public const string BatchAboveFirstZoneFact = "batch filled from a zone above the first";

    private StepOutcome RunHost()
    {
        int before = Host.Applied.Count;
        if (!Host.Step())
            return StepOutcome.Skipped("no buffer available");
        return new StepOutcome($"host dropped {Host.Applied.Count - before} ranges and returned the buffer", null);
    }

    private void NoteBuddyOfBatchFreed(Operation op)
    {
        var f = (FreePages)op;
        var (pfn, order) = Live[Index(f.Block, Live.Count)];
        foreach (var e in Device.Batch)
        {
            if ((pfn ^ (1 << order)) == e.Pfn && order == e.Order && ReferenceEquals(e.Zone.Zone, ZoneOf(pfn)))
            {
                Fact("batch out while a buddy of one of its blocks was freed");
                return;
            }
        }
    }

    /// <summary>
    /// For harnesses that run the worker and the host outside Apply (the concurrency tests): a
    /// step of its own in which the hints the host applied and the blocks that entered or left
    /// the batch are recorded, as Apply records them after every operation. The caller holds
    /// zone->lock.
    /// </summary>
    public Violation? RecordHostAndWorkerProgress()
    {
        Seq++;
        return SyncHintsAndBatch();
    }

    /// <summary>Tell the oracle about blocks that entered or left the batch, and record new hints.</summary>
    private Violation? SyncHintsAndBatch()
    {
        Violation? first = null;
        for (; _appliedSeen < Host.Applied.Count; _appliedSeen++)
        {
            var h = Host.Applied[_appliedSeen];
            if (RecordHinted(h.Pfn, h.Order))
                Fact("block hinted again without reuse (waste)");
        }
        HashSet<(int, int)> now;
        now = Device.Batch.Select(e => (e.Pfn, e.Order)).ToHashSet();
        // Returns first: within one step a drained block may merge and be taken again.
        foreach (var b in _batchKnown)
            if (!now.Contains(b))
                first ??= OracleOf(b.Item1).OnReturned(b.Item1, b.Item2);
        foreach (var b in now)
            if (!_batchKnown.Contains(b))
                first ??= OracleOf(b.Item1).OnHeld(b.Item1, b.Item2);
        _batchKnown.Clear();
        _batchKnown.UnionWith(now);
        return first;
    }

    /// <summary>
    /// The canonical state (exhaustive exploration): the guest's (GuestSystem: zones, handles,
    /// hint ledger, contents), then whether a shutdown has returned since the last startup
    /// (Refcount accounting reads it), then each part's own: aerator (flags, nr_free_aerated,
    /// boundaries while ACTIVE, device pointer, key, work), worker, shutdown, a_dev_info
    /// (refcnt, batch), driver, queue (relative to its indices) and host. Dropped: the set of
    /// batch blocks told to the oracle and the count of applied hints seen (both equal what
    /// they mirror, the batch and the host's ledger, after every step), the count of
    /// re-requests seen (a fact's), and the setup and design (configuration).
    /// </summary>
    public override void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        base.WriteCanonicalState(sink);
        sink.Add(ShutDown ? 1 : 0);
        Aerator.WriteCanonicalState(sink);
        Worker.WriteCanonicalState(sink);
        Shutdown.WriteCanonicalState(sink);
        Device.WriteCanonicalState(sink, Aerator.Zones);
        Driver.WriteCanonicalState(sink);
        Queue.WriteCanonicalState(sink);
        Host.WriteCanonicalState(sink);
    }

    /// <summary>
    /// Null (explorable) when every part is one whose state WriteCanonicalState writes: the
    /// allocator's zones, the aerator of v1 or of v1 with its fixes, v1's shutdown, driver and
    /// host, or a test's part derived from one of them that adds no state the form leaves out
    /// (CanonicalCoverage: a broken aerator that overrides one method, a broken host that writes
    /// its deferred work itself). A part with state of its own that it does not write is refused.
    /// </summary>
    public override string? CanonicalStateMissing =>
        base.CanonicalStateMissing ?? CanonicalCoverage.Missing(
            (Aerator, typeof(global::Aeration.Aerator), "aerator"),
            (Shutdown, typeof(global::Aeration.AeratorShutdown), "shutdown"),
            (Driver, typeof(HintingDriver), "driver"),
            (Host, typeof(HintingHost), "host"));

    /// <inheritdoc/>
    protected override IEnumerable<ulong> CanonicalContentConstants => [0UL, PoisonValue, Host.DropFill];

    protected override Violation? CheckDesignInvariants() => Specs.Aeration.AerationInvariants.CheckAll(this);

    private Specs.Incremental.AerationDelta? _delta;

    /// <summary>The aeration and guest invariants from what changed (Specs.Incremental.AerationDelta).</summary>
    protected override bool DesignChangesHold() =>
        _designHeld = ZoneDeltas is { } zones && _delta is { } delta && delta.Holds(this, zones, ChangedFrames, _inLiveBlock ??= InLiveBlock);

    private Func<int, bool>? _inLiveBlock;
    private bool _designHeld; // the last DesignChangesHold answered true: AerationDelta's copies are current

    protected override void DesignCheckVerified()
    {
        base.DesignCheckVerified();
        if (!_designHeld)
            (_delta ??= new Specs.Incremental.AerationDelta(Aerator)).Record(Aerator);
        _designHeld = false;
    }

    /// <summary>
    /// The settling bound for this zone: the setup's bound holds for zones of up to
    /// SettleBoundBlocks candidate blocks (free blocks of order >= MIN_ORDER fit in the zone
    /// that many times), the property tests' zones; a larger zone gets it in proportion, since
    /// a terminating worker needs steps in proportion to the blocks it may hint. (A fixed bound
    /// reported a 1M-frame v1-fixed zone as not terminating after 2,000 steps, mid-pass.)
    /// </summary>
    public int SettleBound
    {
        get
        {
            long blocks = Zones.Sum(z => (long)z.NrPages) >> Aerator.MinOrder;
            long scale = Math.Max(1, (blocks + SettleBoundBlocks - 1) / SettleBoundBlocks);
            return (int)Math.Min(int.MaxValue, Setup.SettleBound * scale);
        }
    }

    /// <summary>The zone size (in blocks of MIN_ORDER) that the setup's settling bound is sized for.</summary>
    public const int SettleBoundBlocks = 64;

    /// <summary>
    /// Settle: with nothing else happening, run the host, the worker and shutdown until nothing
    /// can run, within the setup's bound; then the progress invariant (every zone below HWM
    /// raw blocks at every order >= MIN_ORDER, the worker idle, shutdown returned).
    /// </summary>
    public override Violation? Finish(List<string> log)
    {
        int steps = 0;
        while (true)
        {
            Operation? next = Host.HasWork ? new StepHost()
                : Worker.CanStep ? new StepWorker()
                : Shutdown.InProgress && Device.Refcnt.Read() == 0 ? new WakeShutdown()
                : null;
            if (next is null)
                break;
            if (++steps > SettleBound)
                return Progress($"the system still had work after {SettleBound} settling steps (worker {Worker.State}, refcnt {Device.Refcnt.Read()}): it does not terminate");
            var outcome = Apply(next)!;
            log.Add($"(settle) {next} -> {outcome.Note}");
            var v = outcome.Violation ?? CheckInvariants();
            if (v != null)
                return v;
        }
        if (Shutdown.InProgress)
            return Progress($"aerator_shutdown never returns: refcnt stays at {Device.Refcnt.Read()} with the worker {Worker.State} and nothing left to drop it");
        if (Aerator.DevInfo is null || Worker.State == WorkerState.Crashed)
            return null;
        foreach (var az in Aerator.Zones)
        {
            for (int order = Aerator.MinOrder; order < Zone.MaxOrder; order++)
            {
                // Blocks on ISOLATE lists are being taken away from the allocator; they are not
                // candidates for hinting, so progress does not count them.
                var zone = az.Zone;
                int raw = RawAllocatableBlocks(zone, order);
                // A design that keeps the low watermark may leave blocks raw when taking one
                // would go below it; those do not count against its progress.
                bool hintable = !Aerator.KeepsLowWatermark || zone.NrFreePages - (1L << order) > zone.Watermark.Low;
                if (raw >= Aerator.Hwm && hintable)
                    return new Violation("Progress", zone.Config.Name,
                        $"fewer than HWM ({Aerator.Hwm}) raw blocks of order {order} on allocatable lists once the worker is idle",
                        $"{raw} raw blocks (nr_free {zone.NrFree(order)}, nr_free_aerated {az.NrFreeAerated[order]})"
                        + (az.Flags.Test(ZoneFlag.AerationRequested) ? ", the zone REQUESTED but no worker running" : " and no pass requested"),
                        order);
            }
        }
        return null;
    }

    private static int RawAllocatableBlocks(Zone zone, int order)
    {
        int raw = 0;
        for (int m = 0; m < MigrateTypes.PcpTypes; m++)
        {
            int head = zone.ListHead(order, (MigrateType)m);
            int steps = 0;
            for (int n = zone.Lists.Next(head); n != head && steps++ <= zone.NrPages; n = zone.Lists.Next(n))
                if ((zone.Flags(n) & PageFlags.Aerated) == 0)
                    raw++;
        }
        return raw;
    }

    private Violation Progress(string found) =>
        new("Progress", Zone.Config.Name, "the worker to go idle and shutdown to return once nothing else happens", found);
}
