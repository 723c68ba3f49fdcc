using Aeration;
using BuddyModel;
using Harness;
using Harness.Operations;

namespace Checks.Exhaust;

/// <summary>
/// The moves the exhaustive explorer tries in a state: every operation of the buddy family's
/// language, each block handle named by the block it picks in this state (so the moves of two
/// states that differ only in the order of their handles are the same moves, renamed).
/// </summary>
public sealed record ExhaustAlphabet
{
    /// <summary>The migratetypes an allocation asks for (default: the three per-cpu types).</summary>
    public IReadOnlyList<MigrateType> AllocTypes { get; init; } = [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable];

    /// <summary>Whether set_pageblock_migratetype moves are tried, ISOLATE included (to another type than the pageblock's).</summary>
    public bool PageblockTypes { get; init; } = true;

    /// <summary>Whether, of the set_pageblock_migratetype moves, the one to ISOLATE is tried (with PageblockTypes; off to match a generator that isolates only by the walk).</summary>
    public bool IsolateByPageblockType { get; init; } = true;

    /// <summary>Whether __isolate_free_page of every free block and __putback_isolated_page of every held one are tried.</summary>
    public bool HeldBlocks { get; init; } = true;

    /// <summary>Whether the isolation walk is tried: start_isolate_page_range of every pageblock range, undo of every isolated range, and the walk's next step while one is under way.</summary>
    public bool Walks { get; init; }

    /// <summary>
    /// Whether an aeration system's own moves are tried (StartAerator, BeginShutdown,
    /// StepWorker, StepHost, WakeShutdown). Each is offered only where it may do something:
    /// startup while no device is published, shutdown while one is and none is in progress,
    /// the worker unless it is idle with no work pending or crashed, the host while it has a
    /// buffer, a wake-up while a shutdown is in progress. Everywhere else the step is a no-op
    /// (AerationSystem.Apply skips it, or aerator_startup answers -EBUSY) and would reach
    /// the same state, so leaving it out loses no state.
    /// </summary>
    public bool AerationMoves { get; init; } = true;

    /// <summary>Whether, of the aeration moves, aerator_shutdown and its wake-up are tried (with AerationMoves).</summary>
    public bool AerationShutdown { get; init; } = true;

    /// <summary>
    /// At most this many live blocks: allocations are offered only while fewer are live (null:
    /// no bound). A bound on the environment, not on the design: the merged design reports only
    /// from a zone with more than PAGE_REPORTING_CAPACITY blocks of the reporting order free
    /// (the watermark gate), so its smallest meaningful zone has some 40 frames, whose
    /// allocation states alone are too many without it.
    /// </summary>
    public int? MaxLive { get; init; }

    /// <summary>
    /// Whether a reporting system's own moves are tried (RegisterReporting, UnregisterReporting,
    /// StepUnregister, StepWorker, StepHost, AdvanceClock), each only where it may change
    /// something: register while no device is published and no unregister is under way (the
    /// harness skips it otherwise), unregister while one is published and none began since the
    /// last register, its next step while it has not returned, the worker when it can make
    /// progress (ReportingWorker.CanStep: its work is due, or report() may return), the host
    /// while a buffer waits, time while the work is pending and not yet due (the canonical
    /// form keeps only jiffies until due, so time that passes with nothing pending, or after
    /// the work fell due, reaches the same state).
    /// </summary>
    public bool ReportingMoves { get; init; } = true;

    /// <summary>
    /// The jiffies an AdvanceClock move lets pass (with ReportingMoves). The default, one
    /// PAGE_REPORTING_DELAY, makes pending work due from any point, so jiffies until due is
    /// the delay or 0 in every state; a smaller value adds the states in between.
    /// </summary>
    public IReadOnlyList<int> ClockJiffies { get; init; } = [Reporting.PageReporting.Delay];

    /// <summary>Whether FreezeGuest (while not frozen) and RestoreGuest (while frozen) are tried (with ReportingMoves).</summary>
    public bool ReportingFreeze { get; init; } = true;

    /// <summary>
    /// The values SetReportingOrder writes (with ReportingMoves, on versions with the parameter,
    /// 5.14+); null: 0 to MAX_ORDER, one past the last order (which 5.14 takes unchecked). Each
    /// is offered unless the parameter was written and holds that value already (a write
    /// refused with -EINVAL is offered: the step is one whose effect is nothing, and the
    /// explorer merges its state).
    /// </summary>
    public IReadOnlyList<int>? ReportingOrders { get; init; }

    /// <summary>Whether SetReportingOrder moves are tried at all (with ReportingMoves).</summary>
    public bool ReportingOrderParameter { get; init; } = true;

    /// <summary>
    /// The moves the scenario generators draw for a system of this kind: every operation of the
    /// language (held blocks and pageblock types included, no walk), and for the merged design
    /// the generator's clock steps (ReportingOperationGen.ClockSteps).
    /// </summary>
    public static ExhaustAlphabet OfGenerators(BuddySystem system) =>
        system is PageReportingSystem ? new ExhaustAlphabet { ClockJiffies = ReportingOperationGen.ClockSteps } : new ExhaustAlphabet();

    /// <summary>
    /// This alphabet widened so that it offers every kind of move the operations use: the walk
    /// if one of them walks, the migratetypes they allocate, the clock steps they take. Used to
    /// explore the configuration of a given counterexample, whose every step must be a move.
    /// </summary>
    public ExhaustAlphabet Covering(IEnumerable<Operation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var ops = operations.ToArray();
        return this with
        {
            Walks = Walks || ops.Any(o => o is StartIsolatePageRange or UndoIsolatePageRange or IsolationStep),
            AllocTypes = [.. AllocTypes.Concat(ops.OfType<AllocPages>().Select(a => a.Mt)).Distinct()],
            ClockJiffies = [.. ClockJiffies.Concat(ops.OfType<AdvanceClock>().Select(c => c.Jiffies)).Distinct()],
            PageblockTypes = PageblockTypes || ops.Any(o => o is SetPageblockMigratetype),
            HeldBlocks = HeldBlocks || ops.Any(o => o is IsolateFreePage or PutbackIsolatedPage),
            IsolateByPageblockType = IsolateByPageblockType || ops.Any(o => o is SetPageblockMigratetype { Mt: MigrateType.Isolate }),
        };
    }

    /// <summary>The moves in this state, in a fixed order (so that exploration is deterministic).</summary>
    public IEnumerable<Operation> Moves(BuddySystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        for (int z = 0; z < system.Zones.Count; z++)
        {
            var zone = system.Zones[z];
            if (MaxLive is int max && system.Live.Count >= max)
                break;
            for (int order = 0; order < zone.MaxOrder; order++)
                foreach (var mt in AllocTypes)
                    yield return new AllocPages(order, mt, z);
        }
        for (int i = 0; i < system.Live.Count; i++)
            yield return new FreePages(i);
        if (PageblockTypes)
            for (int z = 0; z < system.Zones.Count; z++)
            {
                var zone = system.Zones[z];
                int pageblocks = zone.NrPages >> zone.PageblockOrder;
                for (int pb = 0; pb < pageblocks; pb++)
                {
                    var current = zone.GetPageblockMigratetype(zone.StartPfn + (pb << zone.PageblockOrder));
                    for (int mt = 0; mt < MigrateTypes.Count; mt++)
                        if ((MigrateType)mt != current && (IsolateByPageblockType || (MigrateType)mt != MigrateType.Isolate))
                            yield return new SetPageblockMigratetype(pb, (MigrateType)mt, z);
                }
            }
        if (HeldBlocks)
        {
            for (int z = 0; z < system.Zones.Count; z++)
            {
                int free = BuddySystem.FreeBlocks(system.Zones[z]);
                for (int k = 0; k < free; k++)
                    yield return new IsolateFreePage(k, z);
            }
            for (int i = 0; i < system.Isolated.Count; i++)
                yield return new PutbackIsolatedPage(i);
        }
        if (AerationMoves && system is AerationSystem a)
        {
            if (a.Aerator.DevInfo is null)
                yield return new StartAerator();
            if (AerationShutdown && a.Aerator.DevInfo is not null && !a.Shutdown.InProgress)
                yield return new BeginShutdown();
            if (a.Worker.State switch { WorkerState.Idle => a.Aerator.Work.Pending, WorkerState.Crashed => false, _ => true })
                yield return new StepWorker();
            if (a.Host.HasWork)
                yield return new StepHost();
            if (AerationShutdown && a.Shutdown.InProgress)
                yield return new WakeShutdown();
        }
        if (ReportingMoves && system is PageReportingSystem rs)
            foreach (var m in ReportingMovesOf(rs))
                yield return m;
        if (Walks)
        {
            if (system.Walk is not null)
            {
                yield return new IsolationStep();
                yield break;
            }
            for (int z = 0; z < system.Zones.Count; z++)
            {
                var zone = system.Zones[z];
                int pageblocks = zone.NrPages >> zone.PageblockOrder;
                for (int pb = 0; pb < pageblocks; pb++)
                    for (int n = 1; pb + n <= pageblocks; n++)
                        yield return new StartIsolatePageRange(pb, n, z);
            }
            for (int r = 0; r < system.IsolatedRanges.Count; r++)
                yield return new UndoIsolatePageRange(r);
        }
    }

    private IEnumerable<Operation> ReportingMovesOf(PageReportingSystem r)
    {
        if (r.Reporting.DevInfo is null && !r.Unregistering)
            yield return new RegisterReporting();
        if (r.Reporting.DevInfo is not null && !r.UnregisterBegun)
            yield return new UnregisterReporting();
        if (r.Unregistering)
            yield return new StepUnregister();
        if (r.Worker.CanStep)
            yield return new StepWorker();
        if (r.Model.Host.HasWork)
            yield return new StepHost();
        if (r.Reporting.WorkOwner?.Work is { Pending: true } w && w.DueAt > r.Model.Clock.Jiffies)
            foreach (int j in ClockJiffies)
                yield return new AdvanceClock(j);
        if (ReportingFreeze)
            yield return r.Frozen ? new RestoreGuest() : new FreezeGuest();
        if (ReportingOrderParameter && r.Version.Has(Reporting.ReportingFixes.ReportingOrderParam))
        {
            var values = ReportingOrders ?? Enumerable.Range(0, r.Zone.MaxOrder + 1).ToArray();
            foreach (int v in values)
                if (!(r.OrderParameterWritten && r.Reporting.ReportingOrder == (uint)v))
                    yield return new SetReportingOrder(v);
        }
    }
}
