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

    /// <summary>The moves in this state, in a fixed order (so that exploration is deterministic).</summary>
    public IEnumerable<Operation> Moves(BuddySystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        for (int z = 0; z < system.Zones.Count; z++)
        {
            var zone = system.Zones[z];
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
                        if ((MigrateType)mt != current)
                            yield return new SetPageblockMigratetype(pb, (MigrateType)mt, z);
                }
            }
        if (HeldBlocks)
        {
            for (int z = 0; z < system.Zones.Count; z++)
            {
                int free = FreeBlocks(system.Zones[z]);
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

    private static int FreeBlocks(Zone zone)
    {
        int n = 0;
        for (int pfn = zone.StartPfn; pfn < zone.EndPfn; pfn++)
            if (zone.PageBuddy(pfn))
            {
                n++;
                pfn += (1 << zone.PageOrder(pfn)) - 1;
            }
        return n;
    }
}
