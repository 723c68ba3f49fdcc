using BuddyModel;
using FsCheck;
using FsCheck.Fluent;
using Harness.Operations;

namespace Checks;

/// <summary>
/// The pieces the generators of the hinting designs (v1 aeration, the merged design) share: the
/// allocator's five operations with small orders favoured, the swarm's weighted choice among
/// operation kinds, and a scenario's list of operations. Each design's generator adds its own
/// kinds after the allocator's. (BuddyOperationGen weighs orders differently and keeps its own.)
/// </summary>
public static class HintingOperationGen
{
    private static readonly MigrateType[] Allocatable = [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable];
    private static readonly MigrateType[] AnyType = [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable, MigrateType.Isolate];

    /// <summary>
    /// alloc, free, set pageblock mt (ISOLATE included), isolate, putback, in that order; with
    /// zones &gt; 1 the operations that pick a zone pick one of them (a guest of several zones).
    /// </summary>
    public static Gen<Operation>[] AllocatorKinds(ZoneConfig config, int zones = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        var order = Gen.Frequency((6, Gen.Choose(0, Math.Min(2, config.MaxOrder - 1))), (3, Gen.Choose(0, config.MaxOrder - 1)));
        if (zones > 1)
            return ZonedKinds(order, zones);
        return
        [
            from o in order from mt in Gen.Elements(Allocatable) select (Operation)new AllocPages(o, mt),
            Gen.Choose(0, 63).Select(b => (Operation)new FreePages(b)),
            from pb in Gen.Choose(0, 63) from mt in Gen.Elements(AnyType) select (Operation)new SetPageblockMigratetype(pb, mt),
            Gen.Choose(0, 63).Select(b => (Operation)new IsolateFreePage(b)),
            Gen.Choose(0, 63).Select(b => (Operation)new PutbackIsolatedPage(b)),
        ];
    }

    /// <summary>
    /// The isolation walk's three operations: start_isolate_page_range on 1 to 4 pageblocks,
    /// undo_isolate_page_range, and the walk's step, in that order. Steps are meant to be
    /// weighed above the other two, so that walks go on while everything else interleaves.
    /// </summary>
    public static Gen<Operation>[] IsolationWalkKinds(int zones = 1) =>
    [
        zones > 1
            ? from pb in Gen.Choose(0, 63) from n in Gen.Choose(1, 4) from z in Gen.Choose(0, zones - 1) select (Operation)new StartIsolatePageRange(pb, n, z)
            : from pb in Gen.Choose(0, 63) from n in Gen.Choose(1, 4) select (Operation)new StartIsolatePageRange(pb, n),
        Gen.Choose(0, 3).Select(r => (Operation)new UndoIsolatePageRange(r)),
        Gen.Constant((Operation)new IsolationStep()),
    ];

    /// <summary>Swarm weights of the walk's kinds (start, undo, step): off in a quarter of the scenarios, else many steps per start.</summary>
    public static Gen<int[]> IsolationWalkWeights =>
        from w in Gen.Elements(0, 1, 1, 2)
        select new[] { w, w, w * 4 };

    /// <summary>
    /// A design's operation mixed with the walk's kinds: the walk's share is its weights' sum
    /// against a fixed 12 for everything else, so that a walk meets frees, allocations and
    /// workers between its steps.
    /// </summary>
    public static Gen<Operation> WithWalk(Gen<Operation> other, int[] walkWeights, int zones = 1)
    {
        ArgumentNullException.ThrowIfNull(walkWeights);
        var kinds = IsolationWalkKinds(zones);
        var choices = new List<(int, Gen<Operation>)> { (12, other) };
        for (int i = 0; i < kinds.Length; i++)
            if (walkWeights[i] > 0)
                choices.Add((walkWeights[i], kinds[i]));
        return Gen.Frequency(choices.ToArray());
    }

    /// <summary>
    /// A scenario's operations, drawn after its head (the guest, setup, weights and whatever else
    /// the design draws first): the design's mix of one(head); with walks, the isolation walk's
    /// weights are drawn first and its kinds join the mix (WithWalk). Without walks the draws are
    /// exactly those of before the walk existed, so seeds give the scenarios they gave.
    /// </summary>
    public static Gen<(T Head, Operation[] Ops)> WithOperations<T>(Gen<T> head, Func<T, Gen<Operation>> one, Func<T, int> zones, bool walks) =>
        walks
            ? from h in head
              from walk in IsolationWalkWeights
              from ops in Operations(WithWalk(one(h), walk, zones(h)))
              select (h, ops)
            : from h in head
              from ops in Operations(one(h))
              select (h, ops);

    /// <summary>The allocator's kinds for a guest of several zones: alloc, set pageblock mt and isolate name a zone.</summary>
    public static Gen<Operation>[] ZonedKinds(Gen<int> order, int zones)
    {
        ArgumentNullException.ThrowIfNull(order);
        var zone = Gen.Choose(0, zones - 1);
        return
        [
            from o in order from mt in Gen.Elements(Allocatable) from z in zone select (Operation)new AllocPages(o, mt, z),
            Gen.Choose(0, 63).Select(b => (Operation)new FreePages(b)),
            from pb in Gen.Choose(0, 63) from mt in Gen.Elements(AnyType) from z in zone select (Operation)new SetPageblockMigratetype(pb, mt, z),
            from b in Gen.Choose(0, 63) from z in zone select (Operation)new IsolateFreePage(b, z),
            Gen.Choose(0, 63).Select(b => (Operation)new PutbackIsolatedPage(b)),
        ];
    }

    /// <summary>One operation: kind i with weight w[i]; kinds of weight 0 never come up.</summary>
    public static Gen<Operation> Weighted(IReadOnlyList<Gen<Operation>> kinds, int[] w)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(w);
        var choices = new List<(int, Gen<Operation>)>();
        for (int i = 0; i < kinds.Count; i++)
            if (w[i] > 0)
                choices.Add((w[i], kinds[i]));
        return Gen.Frequency(choices.ToArray());
    }

    /// <summary>1 to size operations drawn from one.</summary>
    public static Gen<Operation[]> Operations(Gen<Operation> one) =>
        Gen.Sized(size => Gen.Choose(1, Math.Max(1, size)).SelectMany(n => Gen.ArrayOf(one, n)));
}
