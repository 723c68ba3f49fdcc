using BuddyModel;
using Xunit;
using static Properties.Unit.UnitZoneState;

namespace Properties.Unit;

/// <summary>
/// Hand-worked scenarios of mm/page_alloc.c (5.2) and mm/page_isolation.c, each asserting the
/// exact state a kernel developer would predict: nr_free per order, which free_list a block is
/// on and where in it, PageBuddy/page_order of the heads, pageblock migratetypes and
/// NR_FREE_PAGES.
/// </summary>
public class KernelScenarioTests
{
    /// <summary>One order-10 block: 1024 pages, MAX_ORDER 11, pageblock_order 9 (two pageblocks).</summary>
    private static Zone Zone1024(int? minWatermark = null) =>
        new(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = minWatermark });

    private static void AssertFreeBlock(Zone zone, int pfn, int order, MigrateType list)
    {
        Assert.True(zone.PageBuddy(pfn), $"expected a free head at {zone.Describe(pfn)}");
        Assert.Equal(order, zone.PageOrder(pfn));
        Assert.Equal(list, zone.BlockMigratetype(pfn));
        Assert.Contains(pfn, ListPfns(zone, order, list));
    }

    private static void AssertAllocated(Zone zone, int pfn, int order, MigrateType mt)
    {
        Assert.False(zone.PageBuddy(pfn));
        Assert.True((zone.Flags(pfn) & PageFlags.Allocated) != 0, $"expected an allocated head at {zone.Describe(pfn)}");
        Assert.Equal(order, zone.PageOrder(pfn));
        Assert.Equal(mt, zone.BlockMigratetype(pfn));
    }

    private static void AssertListsEmpty(Zone zone, MigrateType mt)
    {
        for (int order = 0; order < zone.MaxOrder; order++)
            Assert.Empty(ListPfns(zone, order, mt));
    }

    // ---------------------------------------------------------------- boot

    [Theory]
    [InlineData(4096, 11, 9)]
    [InlineData(1024, 11, 9)]
    [InlineData(64, 4, 2)]
    [InlineData(1024, 6, 3)]
    public void Fresh_zone_holds_NrPages_over_MAX_ORDER_NR_PAGES_blocks_of_the_top_order(int nrPages, int maxOrder, int pageblockOrder)
    {
        var zone = new Zone(new ZoneConfig { NrPages = nrPages, MaxOrder = maxOrder, PageblockOrder = pageblockOrder });
        int top = maxOrder - 1;
        int blocks = nrPages >> top;

        Assert.Equal(nrPages, zone.NrFreePages);
        Assert.Equal(0, zone.NrIsolatePageblock);
        var expected = new int[maxOrder];
        expected[top] = blocks;
        Assert.Equal(expected, NrFreePerOrder(zone));

        // memmap_init_zone marks every pageblock MOVABLE, and memblock frees each top-order block at
        // the head of free_list[MOVABLE] in ascending pfn order, so the list reads highest pfn first.
        var list = ListPfns(zone, top, MigrateType.Movable);
        Assert.Equal(Enumerable.Range(0, blocks).Select(i => i << top).Reverse().ToArray(), list);
        Assert.Equal(list, ListPfnsBackwards(zone, top, MigrateType.Movable));
        foreach (int pfn in list)
            AssertFreeBlock(zone, pfn, top, MigrateType.Movable);
        for (int pfn = 0; pfn < nrPages; pfn += 1 << pageblockOrder)
            Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(pfn));
        AssertListsEmpty(zone, MigrateType.Unmovable);
        AssertListsEmpty(zone, MigrateType.Reclaimable);
        AssertListsEmpty(zone, MigrateType.Isolate);
    }

    // ---------------------------------------------------------------- allocation / expand()

    [Fact]
    public void Allocating_order_0_from_one_order_10_block_leaves_one_free_half_at_each_lower_order()
    {
        var zone = Zone1024();

        int pfn = zone.Allocate(0, MigrateType.Movable);

        Assert.Equal(0, pfn);
        AssertAllocated(zone, 0, 0, MigrateType.Movable);
        Assert.Equal(1023, zone.NrFreePages);
        for (int order = 0; order <= 9; order++)
        {
            // expand() puts the upper half of each split at the head of free_list[MOVABLE].
            Assert.Equal(new[] { 1 << order }, ListPfns(zone, order, MigrateType.Movable));
            Assert.Equal(zone.Lists.Next(zone.ListHead(order, MigrateType.Movable)), 1 << order);
            AssertFreeBlock(zone, 1 << order, order, MigrateType.Movable);
        }
        Assert.Equal(Counts(zone, (0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1), (9, 1)), NrFreePerOrder(zone));
        Assert.Empty(ListPfns(zone, 10, MigrateType.Movable));
        Assert.False(zone.PageBuddy(3)); // a tail page of the order-1 free block at 2
    }

    [Fact]
    public void Allocation_takes_the_smallest_order_that_has_a_block_and_takes_it_from_the_list_head()
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable);   // 0; halves at 1, 2, 4, ..., 512

        Assert.Equal(1, zone.Allocate(0, MigrateType.Movable));    // the order-0 half
        Assert.Equal(4, zone.Allocate(2, MigrateType.Movable));    // the order-2 half, no split
        Assert.Equal(2, zone.Allocate(0, MigrateType.Movable));    // order 0 empty: split the order-1 block at 2

        Assert.Equal(new[] { 3 }, ListPfns(zone, 0, MigrateType.Movable));
        Assert.Empty(ListPfns(zone, 1, MigrateType.Movable));
        Assert.Empty(ListPfns(zone, 2, MigrateType.Movable));
        Assert.Equal(1024 - 1 - 1 - 4 - 1, zone.NrFreePages);
    }

    [Fact]
    public void Allocation_fails_when_no_block_of_the_order_is_free()
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(10, MigrateType.Movable));
        string before = Snapshot(zone);

        Assert.Equal(-1, zone.Allocate(0, MigrateType.Movable));
        Assert.Equal(-1, zone.Allocate(0, MigrateType.Unmovable));
        Assert.Equal(0, zone.NrFreePages);
        Assert.Equal(before, Snapshot(zone));
    }

    // ---------------------------------------------------------------- __free_one_page(): merging

    [Fact]
    public void Freeing_two_buddies_gives_one_block_at_the_next_order()
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(0, MigrateType.Movable));
        Assert.Equal(1, zone.Allocate(0, MigrateType.Movable));
        Assert.Equal(2, zone.Allocate(0, MigrateType.Movable)); // splits 2/o1: 3 is a free order-0 block
        Assert.Equal(1021, zone.NrFreePages);

        zone.Free(0, 0); // buddy 1 is allocated: stays order 0
        AssertFreeBlock(zone, 0, 0, MigrateType.Movable);
        Assert.Equal(2, zone.NrFree(0));
        Assert.Equal(0, zone.NrFree(1));

        zone.Free(1, 0); // buddy 0 is free at order 0: they merge; the order-1 buddy (2) is allocated
        AssertFreeBlock(zone, 0, 1, MigrateType.Movable);
        Assert.False(zone.PageBuddy(1));
        Assert.Equal(1, zone.NrFree(0)); // only 3 left at order 0
        Assert.Equal(new[] { 3 }, ListPfns(zone, 0, MigrateType.Movable));
        Assert.Equal(1, zone.NrFree(1));
        Assert.Equal(new[] { 0 }, ListPfns(zone, 1, MigrateType.Movable));
        Assert.Equal(1023, zone.NrFreePages);
    }

    [Fact]
    public void Freeing_the_last_allocated_page_merges_all_the_way_back_to_one_order_10_block()
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable);

        zone.Free(0, 0);

        Assert.Equal(1024, zone.NrFreePages);
        Assert.Equal(Counts(zone, (10, 1)), NrFreePerOrder(zone));
        AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
        for (int order = 0; order <= 9; order++)
            Assert.False(zone.PageBuddy(1 << order));
    }

    [Fact]
    public void Merging_stops_at_the_top_order_even_when_the_next_block_is_free()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 2048, MaxOrder = 11, PageblockOrder = 9 });
        int pfn = zone.Allocate(10, MigrateType.Movable); // 1024, the list head

        zone.Free(pfn, 10);

        Assert.Equal(Counts(zone, (10, 2)), NrFreePerOrder(zone));
        AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
        AssertFreeBlock(zone, 1024, 10, MigrateType.Movable);
    }

    // ---------------------------------------------------------------- buddy_merge_likely()

    [Fact]
    public void Buddy_merge_likely_a_freed_block_whose_order_plus_1_buddy_is_free_goes_to_the_tail()
    {
        var zone = Zone1024();
        for (int i = 0; i < 5; i++)
            Assert.Equal(i, zone.Allocate(0, MigrateType.Movable)); // 0..4 allocated; free 5/o0, 6/o1, 8/o3 ...
        Assert.Equal(new[] { 5 }, ListPfns(zone, 0, MigrateType.Movable));
        zone.Free(3, 0);
        zone.Free(2, 0); // merges with 3: 2/o1; the order-2 buddy (4) is allocated, so at the head
        Assert.Equal(new[] { 2, 6 }, ListPfns(zone, 1, MigrateType.Movable));

        // 0's buddy 1 is allocated, so 0 stays order 0; but the order-1 buddy of {0,1} is 2/o1, free:
        // the block is likely to merge soon, so it goes to the tail of free_list[MOVABLE].
        zone.Free(0, 0);

        Assert.Equal(new[] { 5, 0 }, ListPfns(zone, 0, MigrateType.Movable));
        Assert.Equal(new[] { 5, 0 }, ListPfnsBackwards(zone, 0, MigrateType.Movable));
        Assert.Equal(0, zone.Lists.Prev(zone.ListHead(0, MigrateType.Movable)));
        Assert.Equal(5, zone.Lists.Next(zone.ListHead(0, MigrateType.Movable)));
    }

    [Fact]
    public void Buddy_merge_unlikely_a_freed_block_whose_order_plus_1_buddy_is_not_free_goes_to_the_head()
    {
        var zone = Zone1024();
        for (int i = 0; i < 5; i++)
            zone.Allocate(0, MigrateType.Movable); // 0..4 allocated; 5 free at order 0

        // 3's buddy 2 is allocated; the order-1 buddy of {2,3} is {0,1}, allocated: hot, at the head.
        zone.Free(3, 0);

        Assert.Equal(new[] { 3, 5 }, ListPfns(zone, 0, MigrateType.Movable));
        Assert.Equal(3, zone.Lists.Next(zone.ListHead(0, MigrateType.Movable)));
        AssertFreeBlock(zone, 3, 0, MigrateType.Movable);
    }

    // ---------------------------------------------------------------- __rmqueue_fallback()

    [Fact]
    public void Unmovable_allocation_with_only_movable_blocks_steals_the_largest_and_claims_its_pageblocks()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 2048, MaxOrder = 11, PageblockOrder = 9 });

        int pfn = zone.Allocate(0, MigrateType.Unmovable);

        // The order-10 block at the head of free_list[MOVABLE] (1024) spans two pageblocks:
        // change_pageblock_range() makes both UNMOVABLE, and expand() splits on the UNMOVABLE lists.
        Assert.Equal(1024, pfn);
        AssertAllocated(zone, 1024, 0, MigrateType.Unmovable);
        Assert.Equal(MigrateType.Unmovable, zone.GetPageblockMigratetype(1024));
        Assert.Equal(MigrateType.Unmovable, zone.GetPageblockMigratetype(1536));
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(0));
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(512));
        for (int order = 0; order <= 9; order++)
            Assert.Equal(new[] { 1024 + (1 << order) }, ListPfns(zone, order, MigrateType.Unmovable));
        Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Movable));
        for (int order = 0; order <= 9; order++)
            Assert.Empty(ListPfns(zone, order, MigrateType.Movable));
        Assert.Equal(2047, zone.NrFreePages);
    }

    [Fact]
    public void Unmovable_falls_back_to_Reclaimable_before_Movable()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 2048, MaxOrder = 11, PageblockOrder = 9 });
        zone.SetPageblockMigratetype(0, MigrateType.Reclaimable); // moves 0/o10 to free_list[RECLAIMABLE]
        Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Reclaimable));

        int pfn = zone.Allocate(0, MigrateType.Unmovable);

        Assert.Equal(0, pfn); // fallbacks[UNMOVABLE] = { RECLAIMABLE, MOVABLE }
        Assert.Equal(new[] { 1024 }, ListPfns(zone, 10, MigrateType.Movable));
        Assert.Equal(MigrateType.Unmovable, zone.GetPageblockMigratetype(0));
        Assert.Equal(MigrateType.Unmovable, zone.GetPageblockMigratetype(512));
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(1024));
    }

    [Fact]
    public void Unmovable_steal_below_pageblock_order_claims_the_pageblock_when_at_least_half_is_free()
    {
        // One pageblock of 8 pages (pageblock_order 3 = MAX_ORDER-1).
        var zone = new Zone(new ZoneConfig { NrPages = 8, MaxOrder = 4, PageblockOrder = 3 });
        Assert.Equal(0, zone.Allocate(0, MigrateType.Movable)); // free: 1/o0, 2/o1, 4/o2 on MOVABLE

        int pfn = zone.Allocate(0, MigrateType.Unmovable);

        // Largest fallback is 4/o2; can_steal (UNMOVABLE); move_freepages_block moves 7 free pages,
        // 1 movable page: free 7 >= 8/2, so set_pageblock_migratetype(UNMOVABLE).
        Assert.Equal(1, pfn); // all free blocks now on UNMOVABLE lists; the order-0 one is taken
        Assert.Equal(MigrateType.Unmovable, zone.GetPageblockMigratetype(0));
        AssertAllocated(zone, 1, 0, MigrateType.Unmovable);
        AssertFreeBlock(zone, 2, 1, MigrateType.Unmovable);
        AssertFreeBlock(zone, 4, 2, MigrateType.Unmovable);
        AssertListsEmpty(zone, MigrateType.Movable);
        Assert.Equal(Counts(zone, (1, 1), (2, 1)), NrFreePerOrder(zone));
        Assert.Equal(6, zone.NrFreePages);
    }

    [Fact]
    public void Unmovable_steal_below_pageblock_order_moves_the_free_pages_but_leaves_the_pageblock_when_too_few_are_free()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 8, MaxOrder = 4, PageblockOrder = 3 });
        for (int i = 0; i < 5; i++)
            Assert.Equal(i, zone.Allocate(0, MigrateType.Movable)); // free: 5/o0, 6/o1

        int pfn = zone.Allocate(0, MigrateType.Unmovable);

        // move_freepages_block: 3 free, 5 movable, alike = 8 - (3 + 5) = 0; 3 < 4: no claim, but the
        // free blocks were moved to the UNMOVABLE lists (the kernel returns without single_page).
        Assert.Equal(5, pfn);
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(0));
        AssertFreeBlock(zone, 6, 1, MigrateType.Unmovable);
        AssertListsEmpty(zone, MigrateType.Movable);
        Assert.Equal(Counts(zone, (1, 1)), NrFreePerOrder(zone));
        Assert.Equal(2, zone.NrFreePages);
    }

    [Fact]
    public void Movable_allocation_that_cannot_steal_takes_the_smallest_block_of_another_type()
    {
        // pageblock_order 5: a MOVABLE request may steal only from order >= 5/2 = 2.
        var zone = new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 6, PageblockOrder = 5 });
        zone.SetPageblockMigratetype(0, MigrateType.Unmovable);
        Assert.Equal(32, zone.Allocate(5, MigrateType.Movable)); // the MOVABLE lists are now empty
        Assert.Equal(0, zone.Allocate(4, MigrateType.Unmovable));
        Assert.Equal(16, zone.Allocate(3, MigrateType.Unmovable));
        Assert.Equal(24, zone.Allocate(2, MigrateType.Unmovable));
        Assert.Equal(28, zone.Allocate(0, MigrateType.Unmovable)); // free: 29/o0, 30/o1 on UNMOVABLE
        AssertListsEmpty(zone, MigrateType.Movable);

        int pfn = zone.Allocate(0, MigrateType.Movable);

        // The largest fallback (30/o1) cannot be stolen and is above the request: find_smallest picks
        // 29/o0, which is moved alone (single_page) and handed out; 30/o1 is left unsplit.
        Assert.Equal(29, pfn);
        AssertAllocated(zone, 29, 0, MigrateType.Movable);
        AssertFreeBlock(zone, 30, 1, MigrateType.Unmovable);
        Assert.Equal(MigrateType.Unmovable, zone.GetPageblockMigratetype(0));
        Assert.Equal(Counts(zone, (1, 1)), NrFreePerOrder(zone));
        Assert.Equal(2, zone.NrFreePages);
    }

    // ---------------------------------------------------------------- pageblock isolation
    //
    // SetPageblockMigratetype to or from ISOLATE works on the whole MAX_ORDER-aligned range that
    // holds the pfn, pageblock by pageblock in ascending pfn order, with 5.2's
    // set_migratetype_isolate() / unset_migratetype_isolate(): move_freepages_block() moves every
    // free block headed in the pageblock (whatever its order) and nothing is split.

    /// <summary>Two order-10 blocks (two MAX_ORDER ranges): 2048 pages, pageblock_order 9.</summary>
    private static Zone Zone2048() =>
        new(new ZoneConfig { NrPages = 2048, MaxOrder = 11, PageblockOrder = 9 });

    private static void AssertPageblocks(Zone zone, int fromPfn, int toPfn, MigrateType mt)
    {
        for (int pfn = fromPfn; pfn < toPfn; pfn += zone.Config.PageblockNrPages)
            Assert.True(mt == zone.GetPageblockMigratetype(pfn), $"pageblock at {pfn}: expected {mt}, got {zone.GetPageblockMigratetype(pfn)}");
    }

    /// <summary>
    /// A zone whose test can split a free block in place: the two halves go on the list the block
    /// was on, so nr_free changes but NR_FREE_PAGES does not. It builds the state 5.2 reaches when
    /// the pageblocks of a range are isolated one at a time with frees in between (pageblock 0
    /// isolated, 512/o9 freed while pageblock 1 is MOVABLE, 0/o9 freed into pageblock 0: no merge
    /// across the isolate boundary; then pageblock 1 isolated), which the model's whole-range
    /// isolation cannot reach through its public operations.
    /// </summary>
    private sealed class SplittableZone(ZoneConfig config) : Zone(config)
    {
        public void SplitFreeBlockInPlace(int pfn, int order)
        {
            Assert.True(PageBuddy(pfn) && PageOrder(pfn) == order, $"expected a free order-{order} head at {Describe(pfn)}");
            var list = BlockMigratetype(pfn);
            DelPageFromFreeArea(pfn, order);
            AddToFreeArea(pfn + (1 << (order - 1)), order - 1, list);
            AddToFreeArea(pfn, order - 1, list);
        }

        public void SplitDownTo(int pfn, int order, int targetOrder)
        {
            if (order == targetOrder)
                return;
            SplitFreeBlockInPlace(pfn, order);
            SplitDownTo(pfn, order - 1, targetOrder);
            SplitDownTo(pfn + (1 << (order - 1)), order - 1, targetOrder);
        }
    }

    [Fact]
    public void Isolating_a_pageblock_isolates_its_whole_MAX_ORDER_range_and_moves_every_free_block_to_the_Isolate_list()
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable); // 0 allocated; halves 1..256 in pageblock 0, 512/o9 in pageblock 1
        var nrFreeBefore = NrFreePerOrder(zone);
        Assert.Equal(Counts(zone, (0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1), (9, 1)), nrFreeBefore);

        zone.SetPageblockMigratetype(0, MigrateType.Isolate);

        AssertPageblocks(zone, 0, 1024, MigrateType.Isolate);  // pageblock 1 too: same MAX_ORDER range
        Assert.Equal(2, zone.NrIsolatePageblock);
        Assert.Equal(0, zone.NrFreePages);                     // all 1023 free pages left NR_FREE_PAGES
        Assert.Equal(nrFreeBefore, NrFreePerOrder(zone));      // nr_free counts every list, ISOLATE included
        for (int order = 0; order <= 9; order++)
        {
            Assert.Equal(new[] { 1 << order }, ListPfns(zone, order, MigrateType.Isolate));
            AssertFreeBlock(zone, 1 << order, order, MigrateType.Isolate);
        }
        AssertListsEmpty(zone, MigrateType.Movable);
        AssertAllocated(zone, 0, 0, MigrateType.Movable);
        Assert.False(zone.ZoneWatermarkOk(0, 0));
    }

    [Fact]
    public void Isolating_any_pageblock_of_a_free_MAX_ORDER_block_moves_the_whole_block_to_the_Isolate_list_and_undoing_restores_it()
    {
        // pageblock_order 7: the free order-10 block covers 8 pageblocks. 5.2 does not split it:
        // move_freepages_block() of pageblock 0 moves the whole block, the other 7 have no free head.
        foreach (int pfn in new[] { 0, 384, 1023 })
        {
            var zone = new Zone(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 7 });

            zone.SetPageblockMigratetype(pfn, MigrateType.Isolate);

            AssertFreeBlock(zone, 0, 10, MigrateType.Isolate);
            Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Isolate));
            Assert.Equal(Counts(zone, (10, 1)), NrFreePerOrder(zone));
            Assert.Equal(0, zone.NrFreePages);                 // dropped by the whole block, 1024
            Assert.Equal(8, zone.NrIsolatePageblock);
            AssertPageblocks(zone, 0, 1024, MigrateType.Isolate);
            AssertListsEmpty(zone, MigrateType.Movable);

            zone.SetPageblockMigratetype(512, MigrateType.Movable); // any pfn of the range undoes all of it

            AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
            Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Movable));
            Assert.Equal(Counts(zone, (10, 1)), NrFreePerOrder(zone));
            Assert.Equal(1024, zone.NrFreePages);
            Assert.Equal(0, zone.NrIsolatePageblock);
            AssertPageblocks(zone, 0, 1024, MigrateType.Movable);
            AssertListsEmpty(zone, MigrateType.Isolate);
        }
    }

    [Fact]
    public void Isolating_the_second_pageblock_of_an_order_10_block_isolates_the_whole_aligned_range_and_no_other()
    {
        var zone = Zone2048(); // free_list[MOVABLE] of order 10: [1024, 0]

        zone.SetPageblockMigratetype(512, MigrateType.Isolate);

        AssertPageblocks(zone, 0, 1024, MigrateType.Isolate);     // pageblock 0 as well as 512
        AssertPageblocks(zone, 1024, 2048, MigrateType.Movable);  // the next range is untouched
        Assert.Equal(2, zone.NrIsolatePageblock);
        AssertFreeBlock(zone, 0, 10, MigrateType.Isolate);        // not split: 0/o9 is not left behind
        AssertFreeBlock(zone, 1024, 10, MigrateType.Movable);
        Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Isolate));
        Assert.Equal(new[] { 1024 }, ListPfns(zone, 10, MigrateType.Movable));
        Assert.Equal(Counts(zone, (10, 2)), NrFreePerOrder(zone));
        Assert.Equal(1024, zone.NrFreePages);

        zone.SetPageblockMigratetype(1536, MigrateType.Isolate);  // the second range, from its second pageblock

        AssertPageblocks(zone, 0, 2048, MigrateType.Isolate);
        Assert.Equal(4, zone.NrIsolatePageblock);
        Assert.Equal(new[] { 1024, 0 }, ListPfns(zone, 10, MigrateType.Isolate));
        Assert.Equal(0, zone.NrFreePages);

        zone.SetPageblockMigratetype(0, MigrateType.Movable);     // undoes the first range only

        AssertPageblocks(zone, 0, 1024, MigrateType.Movable);
        AssertPageblocks(zone, 1024, 2048, MigrateType.Isolate);
        Assert.Equal(2, zone.NrIsolatePageblock);
        AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
        AssertFreeBlock(zone, 1024, 10, MigrateType.Isolate);
        Assert.Equal(Counts(zone, (10, 2)), NrFreePerOrder(zone));
        Assert.Equal(1024, zone.NrFreePages);
    }

    [Fact]
    public void Freeing_into_an_isolated_range_stays_on_the_Isolate_list_merges_across_its_pageblocks_and_is_not_counted()
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(0, MigrateType.Movable));   // halves 1..256 free, 512/o9 free
        Assert.Equal(512, zone.Allocate(9, MigrateType.Movable)); // pageblock 1 allocated whole
        zone.SetPageblockMigratetype(0, MigrateType.Isolate);     // halves 1..256 to ISOLATE
        Assert.Equal(0, zone.NrFreePages);

        zone.Free(512, 9); // buddy 0 is not a free order-9 head: stays alone, on ISOLATE

        AssertFreeBlock(zone, 512, 9, MigrateType.Isolate);
        Assert.Equal(new[] { 512 }, ListPfns(zone, 9, MigrateType.Isolate));
        Assert.Equal(Counts(zone, (0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1), (9, 1)), NrFreePerOrder(zone));
        Assert.Equal(0, zone.NrFreePages);

        zone.Free(0, 0); // merges up through pageblock 0, then with 512/o9: both pageblocks are ISOLATE

        AssertFreeBlock(zone, 0, 10, MigrateType.Isolate);
        Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Isolate));
        Assert.Equal(Counts(zone, (10, 1)), NrFreePerOrder(zone));
        Assert.Equal(0, zone.NrFreePages);
        AssertListsEmpty(zone, MigrateType.Movable);
        Assert.False(zone.PageBuddy(512));
        Assert.Equal(2, zone.NrIsolatePageblock);
    }

    [Fact]
    public void Undoing_isolation_moves_the_merged_MAX_ORDER_block_back_and_restores_NrFreePages()
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable);
        zone.SetPageblockMigratetype(0, MigrateType.Isolate);
        zone.Free(0, 0); // 0/o10 on ISOLATE
        AssertFreeBlock(zone, 0, 10, MigrateType.Isolate);

        zone.SetPageblockMigratetype(0, MigrateType.Movable);

        // 0/o10 is MAX_ORDER-1: unset_migratetype_isolate() moves it back rather than freeing it again.
        Assert.Equal(0, zone.NrIsolatePageblock);
        AssertPageblocks(zone, 0, 1024, MigrateType.Movable);
        Assert.Equal(1024, zone.NrFreePages);
        Assert.Equal(Counts(zone, (10, 1)), NrFreePerOrder(zone));
        AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
        AssertListsEmpty(zone, MigrateType.Isolate);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(8)]
    [InlineData(7)]
    public void Undoing_isolation_of_a_range_of_free_pageblock_order_blocks_frees_them_again_so_they_merge_into_one_MAX_ORDER_block(int pageblockOrder)
    {
        var zone = new SplittableZone(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = pageblockOrder });
        int nrPageblocks = 1024 >> pageblockOrder;
        zone.SetPageblockMigratetype(0, MigrateType.Isolate);
        zone.SplitDownTo(0, 10, pageblockOrder); // one free pageblock-order block per isolated pageblock
        var heads = Enumerable.Range(0, nrPageblocks).Select(i => i << pageblockOrder).ToArray();
        Assert.Equal(heads, ListPfns(zone, pageblockOrder, MigrateType.Isolate).Order().ToArray());
        Assert.Equal(Counts(zone, (pageblockOrder, nrPageblocks)), NrFreePerOrder(zone));
        Assert.Equal(0, zone.NrFreePages);
        Assert.Equal(nrPageblocks, zone.NrIsolatePageblock);

        zone.SetPageblockMigratetype(0, MigrateType.Movable);

        // Pageblock by pageblock: an even pageblock's buddy is still ISOLATE, so its block is moved
        // back; an odd pageblock's buddy is MOVABLE by then, so its block is taken off
        // (__isolate_free_page) and freed again (__free_pages), merging as far as the next
        // still-isolated pageblock, and on the last pageblock all the way to MAX_ORDER-1.
        // Moving the blocks back alone would leave nrPageblocks blocks of pageblock_order.
        AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
        Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Movable));
        Assert.Equal(Counts(zone, (10, 1)), NrFreePerOrder(zone));
        Assert.Equal(1024, zone.NrFreePages);
        Assert.Equal(0, zone.NrIsolatePageblock);
        AssertPageblocks(zone, 0, 1024, MigrateType.Movable);
        AssertListsEmpty(zone, MigrateType.Isolate);
        foreach (int head in heads.Skip(1))
            Assert.False(zone.PageBuddy(head));
    }

    [Fact]
    public void A_block_freed_next_to_an_isolated_range_merges_only_within_its_own_range_on_its_own_list_and_is_counted()
    {
        // Inside one range every pageblock is isolated or none is, so an isolate boundary falls
        // on a MAX_ORDER boundary, where __free_one_page never merges.
        var zone = Zone2048();
        zone.SetPageblockMigratetype(1024, MigrateType.Isolate);  // 1024/o10 to ISOLATE
        Assert.Equal(0, zone.Allocate(9, MigrateType.Movable));   // from 0/o10: 512/o9 free MOVABLE
        Assert.Equal(512, zone.Allocate(9, MigrateType.Movable));
        Assert.Equal(0, zone.NrFreePages);

        zone.Free(512, 9); // right next to the isolated range; its buddy 0 is allocated

        AssertFreeBlock(zone, 512, 9, MigrateType.Movable);
        AssertFreeBlock(zone, 1024, 10, MigrateType.Isolate);
        Assert.Equal(Counts(zone, (9, 1), (10, 1)), NrFreePerOrder(zone));
        Assert.Equal(512, zone.NrFreePages);

        zone.Free(0, 9);

        AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
        AssertFreeBlock(zone, 1024, 10, MigrateType.Isolate);
        Assert.Equal(new[] { 0 }, ListPfns(zone, 10, MigrateType.Movable));
        Assert.Equal(new[] { 1024 }, ListPfns(zone, 10, MigrateType.Isolate));
        Assert.Equal(Counts(zone, (10, 2)), NrFreePerOrder(zone));
        Assert.Equal(1024, zone.NrFreePages);
        AssertPageblocks(zone, 0, 1024, MigrateType.Movable);
        AssertPageblocks(zone, 1024, 2048, MigrateType.Isolate);

        zone.SetPageblockMigratetype(1024, MigrateType.Movable);

        Assert.Equal(new[] { 1024, 0 }, ListPfns(zone, 10, MigrateType.Movable)); // move_to_free_area: to the head
        Assert.Equal(Counts(zone, (10, 2)), NrFreePerOrder(zone));
        Assert.Equal(2048, zone.NrFreePages);
        Assert.Equal(0, zone.NrIsolatePageblock);
        AssertListsEmpty(zone, MigrateType.Isolate);
    }

    // ---------------------------------------------------------------- __isolate_free_page / __putback_isolated_page

    [Theory]
    [InlineData(510, true)]  // 1023 > 510 + 512
    [InlineData(511, false)] // 1023 > 511 + 512 is false: refused
    public void Isolate_free_page_obeys_the_min_watermark_raised_by_the_block_size(int minWatermark, bool expected)
    {
        var zone = Zone1024(minWatermark);
        zone.Allocate(0, MigrateType.Movable); // NrFreePages 1023, 512/o9 free
        string before = Snapshot(zone);

        bool ok = zone.IsolateFreePage(512, 9);

        Assert.Equal(expected, ok);
        if (expected)
        {
            Assert.Equal(1023 - 512, zone.NrFreePages);
            Assert.Equal(PageFlags.Held, zone.Flags(512));
            Assert.Equal(9, zone.PageOrder(512));
            Assert.Empty(ListPfns(zone, 9, MigrateType.Movable));
            Assert.Equal(0, zone.NrFree(9));
        }
        else
        {
            Assert.Equal(before, Snapshot(zone));
        }
    }

    [Fact]
    public void Isolate_free_page_is_refused_below_the_min_watermark_and_putback_merges_everything_back()
    {
        var zone = Zone1024(minWatermark: 64);
        zone.Allocate(0, MigrateType.Movable);             // 1023 free

        Assert.True(zone.IsolateFreePage(512, 9));         // 1023 > 64 + 512
        Assert.True(zone.IsolateFreePage(256, 8));         // 511 > 64 + 256
        Assert.True(zone.IsolateFreePage(128, 7));         // 255 > 64 + 128
        Assert.Equal(127, zone.NrFreePages);
        string before = Snapshot(zone);
        Assert.False(zone.IsolateFreePage(64, 6));         // 127 > 64 + 64 is false
        Assert.Equal(before, Snapshot(zone));
        AssertFreeBlock(zone, 64, 6, MigrateType.Movable);
        Assert.True(zone.IsolateFreePage(32, 5));          // 127 > 64 + 32
        Assert.Equal(95, zone.NrFreePages);

        zone.Free(0, 0); // merges 0..31 into 0/o5; its buddy 32 is held
        AssertFreeBlock(zone, 0, 5, MigrateType.Movable);
        Assert.Equal(96, zone.NrFreePages);

        zone.PutbackIsolatedPage(32, 5); // merges with 0/o5, then 64/o6: 0/o7; 128 is held
        AssertFreeBlock(zone, 0, 7, MigrateType.Movable);
        Assert.False(zone.PageBuddy(32));
        Assert.False(zone.PageBuddy(64));
        Assert.Equal(128, zone.NrFreePages);
        Assert.Equal(Counts(zone, (7, 1)), NrFreePerOrder(zone));

        zone.PutbackIsolatedPage(128, 7);
        zone.PutbackIsolatedPage(256, 8);
        zone.PutbackIsolatedPage(512, 9);

        AssertFreeBlock(zone, 0, 10, MigrateType.Movable);
        Assert.Equal(Counts(zone, (10, 1)), NrFreePerOrder(zone));
        Assert.Equal(1024, zone.NrFreePages);
        Assert.Equal(PageFlags.None, zone.Flags(512) & PageFlags.Held);
    }

    [Fact]
    public void Isolate_free_page_of_at_least_half_a_pageblock_turns_its_pageblock_Movable()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 2048, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = 0 });
        zone.SetPageblockMigratetype(0, MigrateType.Unmovable);  // 0/o10 to free_list[UNMOVABLE], pageblock 0 UNMOVABLE
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(512));

        Assert.True(zone.IsolateFreePage(0, 10));

        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(0));
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(512));
        Assert.Equal(1024, zone.NrFreePages);
    }

    // ---------------------------------------------------------------- zone_watermark_ok()

    [Fact]
    public void Zone_watermark_ok_for_order_0_needs_strictly_more_free_pages_than_the_mark()
    {
        var zone = Zone1024();
        Assert.True(zone.ZoneWatermarkOk(0, 1023));
        Assert.False(zone.ZoneWatermarkOk(0, 1024));
        zone.Allocate(0, MigrateType.Movable);
        Assert.True(zone.ZoneWatermarkOk(0, 1022));
        Assert.False(zone.ZoneWatermarkOk(0, 1023));
    }

    [Fact]
    public void Zone_watermark_ok_for_a_higher_order_discounts_the_request_and_needs_a_block_of_that_order()
    {
        var zone = Zone1024();
        Assert.True(zone.ZoneWatermarkOk(10, 0));   // 1024 - 1023 = 1 > 0
        Assert.False(zone.ZoneWatermarkOk(10, 1));

        zone.Allocate(0, MigrateType.Movable);      // 1023 free, largest block 512/o9
        Assert.False(zone.ZoneWatermarkOk(10, 0));  // 1023 - 1023 = 0
        Assert.True(zone.ZoneWatermarkOk(9, 511));  // 1023 - 511 = 512 > 511, and 512/o9 is free
        Assert.False(zone.ZoneWatermarkOk(9, 512));
    }

    [Fact]
    public void Zone_watermark_ok_fails_a_higher_order_on_a_fragmented_zone_with_plenty_of_free_pages()
    {
        var zone = Zone1024();
        var pfns = new List<int>();
        for (int i = 0; i < 1024; i++)
            pfns.Add(zone.Allocate(0, MigrateType.Movable));
        Assert.Equal(Enumerable.Range(0, 1024), pfns.Order());
        Assert.Equal(-1, zone.Allocate(0, MigrateType.Movable));
        for (int pfn = 0; pfn < 1024; pfn += 2)
            zone.Free(pfn, 0); // no merges: every buddy is allocated

        Assert.Equal(512, zone.NrFreePages);
        Assert.Equal(Counts(zone, (0, 512)), NrFreePerOrder(zone));
        Assert.True(zone.ZoneWatermarkOk(0, 511));
        Assert.False(zone.ZoneWatermarkOk(0, 512));
        Assert.False(zone.ZoneWatermarkOk(1, 0)); // 511 pages to spare, but no order-1 block
    }

    [Fact]
    public void Zone_watermark_ok_ignores_blocks_on_the_Isolate_list_for_higher_orders()
    {
        var zone = Zone2048();
        zone.SetPageblockMigratetype(0, MigrateType.Isolate);     // 0/o10 ISOLATE, 1024/o10 MOVABLE
        Assert.Equal(1024, zone.NrFreePages);
        Assert.True(zone.ZoneWatermarkOk(10, 0));                 // 1024 - 1023 = 1 > 0, 1024/o10 usable
        Assert.False(zone.ZoneWatermarkOk(10, 1));
        Assert.Equal(1024, zone.Allocate(10, MigrateType.Movable));

        Assert.Equal(0, zone.NrFreePages);
        Assert.Equal(1, zone.NrFree(10));                         // 0/o10 on the ISOLATE list
        AssertFreeBlock(zone, 0, 10, MigrateType.Isolate);
        Assert.False(zone.ZoneWatermarkOk(10, -1024));            // enough "pages" but no usable block
        Assert.False(zone.ZoneWatermarkOk(9, -1024));             // orders 9..10: only the ISOLATE block
        Assert.True(zone.ZoneWatermarkOk(0, -1));                 // order 0 looks at the count alone
        Assert.False(zone.ZoneWatermarkOk(0, 0));
    }

    [Theory]
    [InlineData(1024, 64, 80, 96)]            // 4 MiB: min_free_kbytes = sqrt(4096 * 16) = 256 KiB
    [InlineData(1 << 18, 1024, 1286, 1548)]   // 1 GiB: min_free_kbytes 4096 KiB; tmp = max(256, 262144 * 10 / 10000)
    [InlineData(64, 32, 40, 48)]              // tiny zone: min_free_kbytes clamped up to 128 KiB
    public void Watermarks_follow_setup_per_zone_wmarks(int nrPages, long min, long low, long high)
    {
        var config = new ZoneConfig { NrPages = nrPages, MaxOrder = 4, PageblockOrder = 2 };
        Assert.Equal(new Watermarks(min, low, high), Watermarks.For(config));
        Assert.Equal(new Watermarks(min, low, high), new Zone(config).Watermark);
    }

    // ---------------------------------------------------------------- CONFIG_SHUFFLE_PAGE_ALLOCATOR

    private static string RunShuffleSequence(int? seed)
    {
        var zone = new Zone(new ZoneConfig { NrPages = 128, MaxOrder = 4, PageblockOrder = 2, ShuffleSeed = seed });
        var taken = new List<int>();
        for (int i = 0; i < 6; i++)
            taken.Add(zone.Allocate(3, MigrateType.Movable));
        foreach (int pfn in new[] { taken[3], taken[0], taken[5], taken[1], taken[4], taken[2] })
            zone.Free(pfn, 3);
        int a = zone.Allocate(0, MigrateType.Movable);
        int b = zone.Allocate(1, MigrateType.Movable);
        zone.Free(a, 0);
        zone.Free(b, 1);
        return string.Join(",", taken) + "\n" + Snapshot(zone);
    }

    [Fact]
    public void Shuffle_the_same_seed_gives_the_same_list_order()
    {
        string first = RunShuffleSequence(42);
        string second = RunShuffleSequence(42);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Shuffle_different_seeds_give_different_list_orders_and_every_block_is_still_listed()
    {
        var results = Enumerable.Range(1, 6).Select(s => RunShuffleSequence(s)).ToArray();
        Assert.True(results.Distinct().Count() > 1, "six seeds all gave the same list order");

        var zone = new Zone(new ZoneConfig { NrPages = 128, MaxOrder = 4, PageblockOrder = 2, ShuffleSeed = 7 });
        var list = ListPfns(zone, 3, MigrateType.Movable);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i * 8), list.Order());
        Assert.Equal(list, ListPfnsBackwards(zone, 3, MigrateType.Movable));
        Assert.Equal(128, zone.NrFreePages);
    }

    [Fact]
    public void Shuffle_off_boot_list_is_highest_pfn_first_and_shuffle_on_departs_from_it()
    {
        var plain = new Zone(new ZoneConfig { NrPages = 128, MaxOrder = 4, PageblockOrder = 2 });
        var descending = Enumerable.Range(0, 16).Select(i => i * 8).Reverse().ToArray();
        Assert.Equal(descending, ListPfns(plain, 3, MigrateType.Movable));

        bool anyDiffers = Enumerable.Range(1, 6).Any(seed =>
        {
            var shuffled = new Zone(new ZoneConfig { NrPages = 128, MaxOrder = 4, PageblockOrder = 2, ShuffleSeed = seed });
            return !ListPfns(shuffled, 3, MigrateType.Movable).SequenceEqual(descending);
        });
        Assert.True(anyDiffers);
    }
}
