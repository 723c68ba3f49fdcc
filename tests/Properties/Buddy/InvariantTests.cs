using System.Diagnostics;
using BuddyModel;
using Specs;
using Specs.Buddy;
using Specs.Oracle;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Buddy;

/// <summary>
/// The buddy invariants (DOMAIN 6.1-6.4) and the differential oracle: each holds on the
/// reference allocator, and each catches the corruption it is about in a deliberately broken one.
/// </summary>
public sealed class InvariantTests(ITestOutputHelper output)
{
    private static readonly ZoneConfig Small = new() { NrPages = 256, MaxOrder = 6, PageblockOrder = 3, MinWatermarkPages = 2 };

    public static TheoryData<string> Names => new()
    {
        "Exclusive location",
        "Counters match contents",
        "Maximal merging",
        "Block shape",
    };

    private static Invariant<Zone> Create(string name) => name switch
    {
        "Exclusive location" => new ExclusiveLocation(),
        "Counters match contents" => new CountersMatchContents(),
        "Maximal merging" => new MaximalMerging(),
        "Block shape" => new BlockShape(),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    [Fact]
    public void All_lists_the_invariants_in_order()
    {
        var names = new List<string>();
        foreach (var invariant in BuddyInvariants.All)
            names.Add(invariant.Name);
        Assert.Equal(["Exclusive location", "Counters match contents", "Maximal merging", "Block shape"], names);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Holds_on_a_fresh_zone(string name)
    {
        Assert.Null(Create(name).Check(new Zone(Small)));
        Assert.Null(Create(name).Check(new Zone(Small with { ShuffleSeed = 7 })));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Holds_after_allocations_frees_and_isolation(string name)
    {
        var invariant = Create(name);
        foreach (int seed in new[] { 1, 2, 3, 4, 5, 6 })
        {
            var zone = new Zone(Small with { ShuffleSeed = seed % 3 == 0 ? 11 + seed : null });
            var oracle = new ReferenceModel(zone.NrPages);
            var driver = new Driver(zone, oracle, new Random(seed));
            for (int step = 0; step < 3000; step++)
            {
                string op = driver.Step();
                var violation = invariant.Check(zone) ?? driver.OracleViolation;
                Assert.True(violation is null, $"seed {seed}, step {step} ({op}): {violation}");
            }
        }
    }

    [Fact]
    public void Holds_while_neighbouring_pageblocks_are_isolated_and_unisolated()
    {
        var zone = new Zone(Small);
        zone.SetPageblockMigratetype(0, MigrateType.Isolate);
        Assert.Null(BuddyInvariants.CheckAll(zone));
        zone.SetPageblockMigratetype(8, MigrateType.Isolate);
        Assert.Null(BuddyInvariants.CheckAll(zone));
        zone.SetPageblockMigratetype(0, MigrateType.Movable);
        Assert.Null(BuddyInvariants.CheckAll(zone));
        zone.SetPageblockMigratetype(8, MigrateType.Movable);
        Assert.Null(BuddyInvariants.CheckAll(zone));
        Assert.True(zone.PageBuddy(0) && zone.PageOrder(0) == 5);
    }

    [Fact]
    public void Holds_when_one_pageblock_of_a_merged_isolated_pair_is_unisolated()
    {
        foreach (int first in new[] { 224, 232 })
        {
            var zone = new Zone(Small);
            int pfn = zone.Allocate(0, MigrateType.Movable);
            Assert.Equal(224, pfn);
            zone.SetPageblockMigratetype(224, MigrateType.Isolate);
            zone.SetPageblockMigratetype(232, MigrateType.Isolate);
            zone.Free(pfn, 0); // may merge across both isolated pageblocks on the Isolate list
            Assert.Null(BuddyInvariants.CheckAll(zone));
            zone.SetPageblockMigratetype(first, MigrateType.Movable);
            Assert.Null(BuddyInvariants.CheckAll(zone));
        }
    }

    [Fact]
    public void Holds_when_a_pageblock_is_isolated_under_a_held_block()
    {
        var zone = new Zone(Small);
        int head = zone.Lists.Next(zone.ListHead(5, MigrateType.Movable));
        Assert.True(zone.IsolateFreePage(head, 5));
        zone.SetPageblockMigratetype(head + 8, MigrateType.Isolate); // held pages: nothing to move
        Assert.Null(BuddyInvariants.CheckAll(zone));
        zone.PutbackIsolatedPage(head, 5);
        Assert.Null(BuddyInvariants.CheckAll(zone));
    }

    // ---- Exclusive location ----

    [Fact]
    public void Exclusive_location_fails_when_expand_drops_a_half()
    {
        var zone = new DroppingExpandZone(Small);
        int pfn = zone.Allocate(0, MigrateType.Movable);
        var violation = AssertFails<ExclusiveLocation>(zone, "Exclusive location");
        Assert.Equal(pfn + 16, violation.Pfn); // the upper order-4 half of the split order-5 block
        Assert.Contains("disappeared", violation.Found);
    }

    [Fact]
    public void Exclusive_location_fails_for_a_free_head_on_no_list()
    {
        var zone = new Zone(Small);
        int pfn = zone.Allocate(0, MigrateType.Movable);
        zone.Lists.Del(pfn + 1); // the order-0 buddy, PageBuddy, now unlinked
        var violation = AssertFails<ExclusiveLocation>(zone, "Exclusive location");
        Assert.Equal(pfn + 1, violation.Pfn);
        Assert.Contains("on no free list", violation.Found);
    }

    [Fact]
    public void Exclusive_location_fails_for_a_list_head_inside_another_list()
    {
        var zone = new Zone(Small);
        // Splice the (empty) order-1 Unmovable head into the order-5 Movable list.
        zone.Lists.Add(zone.ListHead(1, MigrateType.Unmovable), zone.ListHead(5, MigrateType.Movable));
        var violation = AssertFails<ExclusiveLocation>(zone, "Exclusive location");
        Assert.Contains("list head of free_area[5].free_list[Movable]", violation.Found);
    }

    [Fact]
    public void Exclusive_location_fails_for_a_block_on_two_lists()
    {
        var zone = new Zone(Small);
        int first = zone.Lists.Next(zone.ListHead(5, MigrateType.Movable));
        zone.Lists.Add(first, zone.ListHead(0, MigrateType.Unmovable));
        var violation = AssertFails<ExclusiveLocation>(zone, "Exclusive location");
        Assert.Equal(first, violation.Pfn);
    }

    // ---- Counters match contents ----

    [Fact]
    public void Counters_fail_when_del_page_from_free_area_forgets_nr_free()
    {
        var zone = new ForgetfulNrFreeZone(Small);
        zone.Allocate(0, MigrateType.Movable);
        var violation = AssertFails<CountersMatchContents>(zone, "Counters match contents");
        Assert.Equal(5, violation.Order); // the order-5 block taken for the split
        Assert.Contains("nr_free = 8", violation.Found);
    }

    [Fact]
    public void Counters_fail_for_a_block_on_another_migratetypes_list()
    {
        var zone = new MisfilingZone(Small);
        int pfn = zone.Allocate(0, MigrateType.Movable);
        var violation = AssertFails<CountersMatchContents>(zone, "Counters match contents");
        Assert.Equal(pfn + 1, violation.Pfn); // the order-0 buddy, recorded Movable, filed on Unmovable
        Assert.Equal("Unmovable", violation.Migratetype);
    }

    // ---- Maximal merging ----

    [Fact]
    public void Maximal_merging_fails_when_page_is_buddy_never_merges_above_order_1()
    {
        var zone = new NoHighMergeZone(Small);
        var pfns = new int[4];
        for (int i = 0; i < 4; i++)
            pfns[i] = zone.Allocate(0, MigrateType.Movable);
        Array.Sort(pfns);
        Assert.Equal(pfns[0] + 3, pfns[3]); // one aligned order-2 run
        foreach (int pfn in pfns)
            zone.Free(pfn, 0);
        var violation = AssertFails<MaximalMerging>(zone, "Maximal merging");
        Assert.Equal(pfns[0], violation.Pfn);
        Assert.Equal(1, violation.Order);
    }

    // ---- Block shape ----

    [Fact]
    public void Block_shape_fails_when_isolation_moves_nothing()
    {
        var zone = new LazyIsolateZone(Small);
        zone.SetPageblockMigratetype(0, MigrateType.Isolate);
        var violation = AssertFails<BlockShape>(zone, "Block shape");
        Assert.Equal(0, violation.Pfn);
        Assert.Equal(zone.PageOrder(0), violation.Order);
        Assert.Equal("Movable", violation.Migratetype);
        Assert.Contains("Isolate", violation.Found);
    }

    [Fact]
    public void Block_shape_fails_for_an_aerated_allocated_head()
    {
        var zone = new Zone(Small);
        int head = zone.Lists.Next(zone.ListHead(5, MigrateType.Movable));
        zone.SetPageFlag(head, PageFlags.Aerated);
        int pfn = zone.Allocate(0, MigrateType.Movable); // the flag is the design's to clear; nobody does
        Assert.Equal(head, pfn);
        var violation = AssertFails<BlockShape>(zone, "Block shape");
        Assert.Equal(pfn, violation.Pfn);
        Assert.Contains("allocated", violation.Found);
    }

    [Fact]
    public void Block_shape_fails_for_a_reported_tail_page()
    {
        var zone = new Zone(Small);
        int pfn = zone.Allocate(0, MigrateType.Movable);
        zone.SetPageFlag(pfn + 1, PageFlags.Reported); // the free order-0 buddy
        zone.Free(pfn, 0); // merges: pfn + 1 becomes a tail page
        var violation = AssertFails<BlockShape>(zone, "Block shape");
        Assert.Equal(pfn + 1, violation.Pfn);
        Assert.Contains("tail page", violation.Found);
    }

    // ---- Differential oracle ----

    [Fact]
    public void Oracle_accepts_a_correct_sequence()
    {
        var zone = new Zone(Small);
        var oracle = new ReferenceModel(zone.NrPages);
        int a = zone.Allocate(2, MigrateType.Unmovable);
        Assert.Null(oracle.OnAllocated(zone, a, 2, MigrateType.Unmovable));
        int b = zone.Allocate(0, MigrateType.Movable);
        Assert.Null(oracle.OnAllocated(zone, b, 0, MigrateType.Movable));
        Assert.Null(oracle.Compare(zone));
        int head = zone.Lists.Next(zone.ListHead(3, MigrateType.Unmovable));
        Assert.True(zone.IsolateFreePage(head, 3));
        Assert.Null(oracle.OnHeld(head, 3));
        Assert.Null(oracle.Compare(zone));
        zone.Free(a, 2);
        Assert.Null(oracle.OnFreed(a, 2));
        zone.PutbackIsolatedPage(head, 3);
        Assert.Null(oracle.OnReturned(head, 3));
        zone.Free(b, 0);
        Assert.Null(oracle.OnFreed(b, 0));
        Assert.Null(oracle.Compare(zone));
        Assert.Empty(oracle.Allocated);
        Assert.Empty(oracle.Held);
    }

    [Fact]
    public void Oracle_accepts_long_random_runs_including_allocation_failures()
    {
        foreach (int seed in new[] { 4, 5, 6, 7 })
        {
            var zone = new Zone(Small);
            var driver = new Driver(zone, new ReferenceModel(zone.NrPages), new Random(seed));
            for (int step = 0; step < 2000; step++)
            {
                string op = driver.Step();
                var violation = driver.OracleViolation ?? driver.Oracle.Compare(zone);
                Assert.True(violation is null, $"seed {seed}, step {step} ({op}): {violation}");
            }
            Assert.True(driver.Failures > 0, "the run should exhaust the small zone at least once");
        }
    }

    [Fact]
    public void Oracle_rejects_handing_out_an_allocated_block_again()
    {
        var zone = new Zone(Small);
        var oracle = new ReferenceModel(zone.NrPages);
        int pfn = zone.Allocate(1, MigrateType.Movable);
        Assert.Null(oracle.OnAllocated(zone, pfn, 1, MigrateType.Movable));
        var violation = oracle.OnAllocated(zone, pfn, 1, MigrateType.Movable);
        Assert.NotNull(violation);
        output.WriteLine(violation.ToString());
        Assert.Equal("Differential oracle", violation.Invariant);
        Assert.Equal(pfn, violation.Pfn);
        Assert.Contains("allocated", violation.Found);
    }

    [Fact]
    public void Oracle_rejects_a_failure_while_a_block_is_free()
    {
        var zone = new Zone(Small);
        var violation = new ReferenceModel(zone.NrPages).OnAllocationFailed(zone, 5);
        Assert.NotNull(violation);
        output.WriteLine(violation.ToString());
        Assert.Equal(0, violation.Pfn);
    }

    [Fact]
    public void Oracle_rejects_freeing_at_the_wrong_order()
    {
        var zone = new Zone(Small);
        var oracle = new ReferenceModel(zone.NrPages);
        int pfn = zone.Allocate(2, MigrateType.Movable);
        Assert.Null(oracle.OnAllocated(zone, pfn, 2, MigrateType.Movable));
        var violation = oracle.OnFreed(pfn, 1);
        Assert.NotNull(violation);
        output.WriteLine(violation.ToString());
        Assert.Equal(pfn, violation.Pfn);
    }

    [Fact]
    public void Oracle_compare_names_the_first_vanished_pfn()
    {
        var zone = new DroppingExpandZone(Small);
        var oracle = new ReferenceModel(zone.NrPages);
        int pfn = zone.Allocate(0, MigrateType.Movable);
        Assert.Null(oracle.OnAllocated(zone, pfn, 0, MigrateType.Movable));
        var violation = oracle.Compare(zone);
        Assert.NotNull(violation);
        output.WriteLine(violation.ToString());
        Assert.Equal("Differential oracle", violation.Invariant);
        Assert.Equal(pfn + 16, violation.Pfn);
    }

    // ---- Cost on the default 1 GiB zone (measured, not asserted) ----

    [Fact]
    public void Checks_on_a_1_GiB_zone_after_100k_operations()
    {
        var zone = new Zone(new ZoneConfig());
        var driver = new Driver(zone, new ReferenceModel(zone.NrPages), new Random(2024), maxOrder: 6, isolationPercent: 1);
        for (int step = 0; step < 100_000; step++)
        {
            string op = driver.Step();
            Assert.True(driver.OracleViolation is null, $"step {step} ({op}): {driver.OracleViolation}");
        }
        Assert.Null(BuddyInvariants.CheckAll(zone));
        Assert.Null(driver.Oracle.Compare(zone));

        for (int i = 0; i < 20; i++)
        {
            BuddyInvariants.CheckAll(zone);
            driver.Oracle.Compare(zone);
        }
        const int runs = 200;
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            BuddyInvariants.CheckAll(zone);
            driver.Oracle.Compare(zone);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        output.WriteLine($"CheckAll + Compare on {zone.NrPages} pages, {driver.Live} live allocations, " +
            $"{Enumerable.Range(0, zone.MaxOrder).Sum(zone.NrFree)} free blocks: " +
            $"mean {total.Elapsed.TotalMilliseconds / runs:F3} ms, best {best:F3} ms");
        foreach (var invariant in BuddyInvariants.All)
            output.WriteLine($"  {invariant.Name}: best {Best(() => invariant.Check(zone)):F3} ms");
        output.WriteLine($"  Differential oracle Compare: best {Best(() => driver.Oracle.Compare(zone)):F3} ms");
    }

    private static double Best(Func<Violation?> check)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 100; i++)
        {
            long start = Stopwatch.GetTimestamp();
            check();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return best;
    }

    private Violation AssertFails<TInvariant>(Zone zone, string name)
        where TInvariant : Invariant<Zone>, new()
    {
        var violation = new TInvariant().Check(zone);
        Assert.NotNull(violation);
        output.WriteLine(violation.ToString());
        Assert.Equal(name, violation.Invariant);
        Assert.Equal(zone.Config.Name, violation.Zone);
        // The earlier invariants hold, so CheckAll reports this very violation.
        Assert.Equal(violation, BuddyInvariants.CheckAll(zone));
        return violation;
    }

    /// <summary>Random allocations, frees, isolate_free_page/putback and pageblock isolation, reported to an oracle.</summary>
    private sealed class Driver(Zone zone, ReferenceModel oracle, Random rng, int maxOrder = 3, int isolationPercent = 3)
    {
        private readonly List<(int Pfn, int Order)> _live = new();
        private readonly List<(int Pfn, int Order)> _held = new();

        public ReferenceModel Oracle => oracle;
        public Violation? OracleViolation { get; private set; }
        public int Failures { get; private set; }
        public int Live => _live.Count;

        public string Step()
        {
            int dice = rng.Next(100);
            if (dice < 55)
            {
                int order = Math.Min(rng.Next(maxOrder + 1), rng.Next(maxOrder + 1));
                var mt = (MigrateType)rng.Next(MigrateTypes.PcpTypes);
                int pfn = zone.Allocate(order, mt);
                if (pfn < 0)
                {
                    Failures++;
                    OracleViolation = oracle.OnAllocationFailed(zone, order);
                    return $"allocate order {order} {mt}: failed";
                }
                _live.Add((pfn, order));
                OracleViolation = oracle.OnAllocated(zone, pfn, order, mt);
                return $"allocate order {order} {mt}: pfn {pfn}";
            }
            if (dice < 90 && _live.Count > 0)
            {
                var (pfn, order) = Take(_live);
                zone.Free(pfn, order);
                OracleViolation = oracle.OnFreed(pfn, order);
                return $"free pfn {pfn} order {order}";
            }
            if (dice < 95 && _held.Count > 0 && rng.Next(2) == 0)
            {
                var (pfn, order) = Take(_held);
                zone.PutbackIsolatedPage(pfn, order);
                OracleViolation = oracle.OnReturned(pfn, order);
                return $"putback pfn {pfn} order {order}";
            }
            if (dice < 95)
            {
                int order = rng.Next(zone.MaxOrder);
                var mt = (MigrateType)rng.Next(MigrateTypes.Count);
                int head = zone.ListHead(order, mt);
                int pfn = zone.Lists.Next(head);
                if (pfn == head || !zone.IsolateFreePage(pfn, order))
                {
                    OracleViolation = null;
                    return $"isolate_free_page order {order} {mt}: nothing";
                }
                _held.Add((pfn, order));
                OracleViolation = oracle.OnHeld(pfn, order);
                return $"isolate_free_page pfn {pfn} order {order}";
            }
            OracleViolation = null;
            if (rng.Next(100) >= isolationPercent * 20)
                return "nothing";
            int block = rng.Next(zone.NrPages >> zone.PageblockOrder) << zone.PageblockOrder;
            var to = zone.GetPageblockMigratetype(block) == MigrateType.Isolate
                ? (MigrateType)rng.Next(MigrateTypes.PcpTypes)
                : MigrateType.Isolate;
            zone.SetPageblockMigratetype(block, to);
            return $"pageblock {block >> zone.PageblockOrder} -> {to}";
        }

        private (int Pfn, int Order) Take(List<(int Pfn, int Order)> blocks)
        {
            int i = rng.Next(blocks.Count);
            var block = blocks[i];
            blocks[i] = blocks[^1];
            blocks.RemoveAt(blocks.Count - 1);
            return block;
        }
    }

    // ---- Deliberately broken allocators ----

    /// <summary>expand() that loses the upper half of the block it splits: its pages vanish.</summary>
    private sealed class DroppingExpandZone(ZoneConfig config) : Zone(config)
    {
        protected override void Expand(int pfn, int low, int high, MigrateType mt)
        {
            if (high > low)
                base.Expand(pfn, low, high - 1, mt);
        }
    }

    /// <summary>del_page_from_free_area() that forgets to decrement nr_free.</summary>
    private sealed class ForgetfulNrFreeZone(ZoneConfig config) : Zone(config)
    {
        protected override void DelPageFromFreeArea(int pfn, int order)
        {
            base.DelPageFromFreeArea(pfn, order);
            NrFreeArray[order]++;
        }
    }

    /// <summary>add_to_free_area() that files order-0 Movable blocks on the Unmovable list.</summary>
    private sealed class MisfilingZone(ZoneConfig config) : Zone(config)
    {
        protected override void AddToFreeArea(int pfn, int order, MigrateType mt)
        {
            base.AddToFreeArea(pfn, order, mt);
            if (order == 0 && mt == MigrateType.Movable)
                Lists.Move(pfn, ListHead(0, MigrateType.Unmovable));
        }
    }

    /// <summary>page_is_buddy() that never sees a buddy at order 1 or above.</summary>
    private sealed class NoHighMergeZone(ZoneConfig config) : Zone(config)
    {
        protected override bool PageIsBuddy(int buddyPfn, int order) => order < 1 && base.PageIsBuddy(buddyPfn, order);
    }

    /// <summary>move_freepages_block() that moves nothing: isolated pages stay allocatable.</summary>
    private sealed class LazyIsolateZone(ZoneConfig config) : Zone(config)
    {
        protected override int MoveFreepagesBlock(int pfn, MigrateType mt, out int movablePages)
        {
            movablePages = 0;
            return 0;
        }
    }
}
