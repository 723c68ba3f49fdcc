using BuddyModel;
using FsCheck;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;

namespace Checks;

/// <summary>
/// Generators of buddy-allocator scenarios on small zones. Swarm testing: each scenario enables
/// a random subset of the operation kinds (some never free, some never isolate), so that every
/// region of the state space is reached, not just the average mix.
/// </summary>
public static class BuddyOperationGen
{
    /// <summary>Small zones that reach every order, merging above pageblock_order, and isolation.</summary>
    public static readonly ZoneConfig[] SmallZones =
    [
        new() { Name = "Tiny", NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 2 },
        new() { Name = "Small", NrPages = 256, MaxOrder = 6, PageblockOrder = 3, MinWatermarkPages = 4 },
        new() { Name = "Wide", NrPages = 512, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 8 },
        new() { Name = "Shuffled", NrPages = 256, MaxOrder = 6, PageblockOrder = 3, MinWatermarkPages = 4, ShuffleSeed = 7 },
    ];

    /// <summary>
    /// The zones `check` draws from: SmallZones and Deep, whose pageblock is as large as its
    /// largest block (pageblock_order 6): a movable request may not steal below order 3
    /// (can_steal_fallback), so __rmqueue_fallback's "take the smallest" path is reached, which
    /// pageblock_order 2 or 3 cannot (orders below pageblock_order / 2 are then only order 0,
    /// never above a request). Kept apart from SmallZones so that the property tests' pinned
    /// counterexamples, drawn from SmallZones, stay as they are.
    /// </summary>
    public static readonly ZoneConfig[] CheckZones =
    [
        .. SmallZones,
        new() { Name = "Deep", NrPages = 256, MaxOrder = 7, PageblockOrder = 6, MinWatermarkPages = 4 },
    ];

    /// <summary>Guests of several small zones (ZoneLayouts): DMA32 + Normal, and DMA + DMA32 + a hole + Normal.</summary>
    public static readonly ZoneConfig[][] Layouts =
    [
        ZoneLayouts.Stack(new ZoneConfig { MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 2 }, [64, 64], ["DMA32", "Normal"]),
        ZoneLayouts.Stack(new ZoneConfig { MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 }, [32, 64, 128], ["DMA", "DMA32", "Normal"], hole: 32),
    ];

    private static readonly MigrateType[] Allocatable = [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable];
    private static readonly MigrateType[] AnyType = [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable, MigrateType.Isolate];

    /// <summary>One operation for a zone, with weights chosen per scenario (swarm).</summary>
    public static Gen<Operation> Operation(ZoneConfig config, int[] weights, int zones = 1)
    {
        int maxOrder = config.MaxOrder;
        // Small orders are the common case; every order stays reachable.
        var order = Gen.Frequency(
            (6, Gen.Choose(0, Math.Min(2, maxOrder - 1))),
            (2, Gen.Choose(0, maxOrder - 1)));
        var alloc = from o in order from mt in Gen.Elements(Allocatable) select (Operation)new AllocPages(o, mt);
        var free = Gen.Choose(0, 63).Select(b => (Operation)new FreePages(b));
        var setMt = from pb in Gen.Choose(0, 63) from mt in Gen.Elements(AnyType) select (Operation)new SetPageblockMigratetype(pb, mt);
        var isolate = Gen.Choose(0, 63).Select(b => (Operation)new IsolateFreePage(b));
        var putback = Gen.Choose(0, 63).Select(b => (Operation)new PutbackIsolatedPage(b));
        var choices = new List<(int, Gen<Operation>)>();
        Gen<Operation>[] kinds = zones > 1 ? HintingOperationGen.ZonedKinds(order, zones) : [alloc, free, setMt, isolate, putback];
        for (int i = 0; i < kinds.Length; i++)
            if (weights[i] > 0)
                choices.Add((weights[i], kinds[i]));
        return Gen.Frequency(choices.ToArray());
    }

    /// <summary>Swarm weights: allocation always on; every other kind on or off per scenario.</summary>
    public static Gen<int[]> SwarmWeights =>
        from free in Gen.Elements(0, 4, 6)
        from setMt in Gen.Elements(0, 0, 1, 2)
        from isolate in Gen.Elements(0, 1, 2)
        from putback in Gen.Elements(0, 1, 2)
        select new[] { 5, free, setMt, isolate, putback };

    /// <summary>
    /// A scenario: a small zone (of singles, by default SmallZones; or, a fraction, ZoneLayouts, a guest of Layouts) and up to size
    /// operations. With walks, the isolation walk's operations (HintingOperationGen.IsolationWalkKinds)
    /// join the mix; without, the scenarios are those of the generator before the walk existed.
    /// </summary>
    public static Gen<Scenario> Scenario(ZoneConfig[]? zones = null, bool walks = false, ZoneConfig[]? singles = null) =>
        HintingOperationGen.WithOperations(
            from layout in zones is null ? ZoneLayouts.Mixed(singles ?? SmallZones, Layouts) : Gen.Elements(zones).Select(z => new[] { z })
            from weights in SwarmWeights
            select (Layout: layout, Weights: weights),
            h => Operation(h.Layout[0], h.Weights, h.Layout.Length), h => h.Layout.Length, walks)
        .Select(x => new Scenario(x.Head.Layout[0], x.Ops, null, null, ZoneLayouts.More(x.Head.Layout)));

    /// <summary>Scenarios with the shrinker that keeps every shrunk list runnable.</summary>
    public static Arbitrary<Scenario> Arbitrary(ZoneConfig[]? zones = null, bool walks = false) =>
        Arb.From(Scenario(zones, walks), ScenarioShrinker.Shrink);
}
