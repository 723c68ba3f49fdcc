using BuddyModel;
using Specs.Buddy;
using Xunit;

namespace Properties.Unit;

/// <summary>
/// start_isolate_page_range / undo_isolate_page_range as a walk of zone->lock holds, and
/// split_free_page, in each era: what each hold does, where the walk lets other code in, and
/// how a refusal is undone. Zone: 64 pages, MAX_ORDER 4 (blocks of 8), pageblocks of 4, so a
/// boot block of order 3 spans two pageblocks.
/// </summary>
public sealed class IsolationWalkTests
{
    private static readonly ZoneConfig Config = new() { Name = "Walk", NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 2 };

    private static Zone Boot(KernelEra era) => new(Config, era);

    private static void Strict(Zone zone) => Assert.Null(BuddyInvariants.CheckAll(zone));

    [Fact]
    public void Up_to_5_10_the_range_is_widened_to_MAX_ORDER_and_isolated_one_pageblock_per_hold()
    {
        var zone = Boot(KernelEra.V5_2);
        var walk = PageIsolationWalk.Start(zone, 4, 8);
        Assert.Equal((0, 8), (walk.StartPfn, walk.EndPfn));

        Assert.Equal("set_migratetype_isolate(pfn 0)", walk.Step());
        // The order-3 block headed in pageblock 0 moved to ISOLATE whole: pageblock 1, not yet
        // isolated, is hidden with it until the next hold. The walk's range is in transition.
        Assert.Equal(MigrateType.Isolate, zone.BlockMigratetype(0));
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(4));
        Assert.Same(walk, zone.IsolationWalkAt(4));
        Assert.Null(zone.IsolationWalkAt(8));
        Assert.Equal(56, zone.NrFreePages);
        Strict(zone);

        Assert.Equal("set_migratetype_isolate(pfn 4)", walk.Step());
        Assert.Equal("returned 0", walk.Step());
        Assert.True(walk.Done);
        Assert.Equal(0, walk.Result);
        Assert.Empty(zone.IsolationWalks);
        Assert.Equal(2, zone.NrIsolatePageblock);
        Assert.Equal(2, walk.Steps);
        Strict(zone);
    }

    [Fact]
    public void In_6_0_a_straddling_free_block_is_split_in_a_lock_hold_of_its_own_after_the_pageblock_is_isolated()
    {
        var zone = Boot(KernelEra.V6_0);
        var walk = PageIsolationWalk.Start(zone, 4, 8);
        Assert.Equal((4, 8), (walk.StartPfn, walk.EndPfn));

        Assert.Equal("set_migratetype_isolate(pfn 4)", walk.Step());
        // The window: pageblock 1 is isolated, but the block headed in pageblock 0 still lies
        // whole on the Movable list, where an allocation can take pageblock 1's pages.
        Assert.Equal(MigrateType.Isolate, zone.GetPageblockMigratetype(4));
        Assert.True(zone.PageBuddy(0));
        Assert.Equal(3, zone.PageOrder(0));
        Assert.Equal(MigrateType.Movable, zone.BlockMigratetype(0));
        Assert.Equal(64, zone.NrFreePages);

        Assert.Equal("split_free_page(pfn 0, order 3, offset 4) at the boundary of pageblock 1", walk.Step());
        Assert.Equal((2, MigrateType.Movable), (zone.PageOrder(0), zone.BlockMigratetype(0)));
        Assert.Equal((2, MigrateType.Isolate), (zone.PageOrder(4), zone.BlockMigratetype(4)));
        Assert.Equal(60, zone.NrFreePages);

        Assert.Equal("returned 0", walk.Step());
        Assert.Equal(2, walk.Steps);
        Strict(zone);
    }

    [Fact]
    public void From_6_10_set_migratetype_isolate_splits_the_straddling_block_in_the_same_hold()
    {
        var zone = Boot(KernelEra.V6_10);
        var walk = PageIsolationWalk.Start(zone, 4, 8);
        Assert.Equal("set_migratetype_isolate(pfn 4)", walk.Step());
        Assert.Equal((2, MigrateType.Movable), (zone.PageOrder(0), zone.BlockMigratetype(0)));
        Assert.Equal((2, MigrateType.Isolate), (zone.PageOrder(4), zone.BlockMigratetype(4)));
        Assert.Equal(60, zone.NrFreePages);
        Assert.Equal("returned 0", walk.Step());
        Strict(zone);
    }

    [Fact]
    public void Split_free_page_frees_aligned_pieces_by_their_own_pageblocks_and_rechecks_the_block()
    {
        var zone = Boot(KernelEra.V6_0);
        Assert.Equal(0, zone.SetMigratetypeIsolate(4, 4, 8)); // pageblock 1, inside the order-3 block at 0
        Assert.Equal(0, zone.SplitFreePage(0, 3, 0));        // offset 0: nothing to do
        Assert.Equal(3, zone.PageOrder(0));

        Assert.Equal(0, zone.SplitFreePage(0, 3, 4));
        Assert.Equal((2, MigrateType.Movable), (zone.PageOrder(0), zone.BlockMigratetype(0)));
        Assert.Equal((2, MigrateType.Isolate), (zone.PageOrder(4), zone.BlockMigratetype(4)));
        Assert.Equal(60, zone.NrFreePages);
        Strict(zone);

        // The unlocked scan saw an order-3 block; it is not there any more.
        Assert.Equal(-Zone.Enoent, zone.SplitFreePage(0, 3, 4));
        Assert.Equal(-Zone.Enoent, zone.SplitFreePage(8, 2, 2)); // pfn 8 heads an order-3 block
    }

    [Fact]
    public void Split_free_page_at_an_offset_that_is_no_power_of_two_keeps_every_frame()
    {
        // Offset 6 of the order-3 block at 8, pageblock 3 (pfns 12..15) isolated: the pieces
        // are 8/2 (Movable), then 12/1 and 14/1, which lie in one pageblock and merge to 12/2.
        var zone = Boot(KernelEra.V6_0);
        Assert.Equal(0, zone.SetMigratetypeIsolate(12, 12, 16));
        Assert.Equal(0, zone.SplitFreePage(8, 3, 6));
        Assert.Equal((2, MigrateType.Movable), (zone.PageOrder(8), zone.BlockMigratetype(8)));
        Assert.Equal((2, MigrateType.Isolate), (zone.PageOrder(12), zone.BlockMigratetype(12)));
        Assert.Equal(60, zone.NrFreePages);
        Strict(zone);
    }

    [Fact]
    public void Undo_unsets_one_pageblock_per_hold_and_skips_pageblocks_that_are_not_isolated()
    {
        var zone = Boot(KernelEra.V5_2);
        var start = PageIsolationWalk.Start(zone, 0, 8);
        while (!start.Done)
            start.Step();
        var undo = PageIsolationWalk.Undo(zone, 0, 8);
        Assert.Equal(IsolationDirection.Unisolating, undo.Direction);

        Assert.Equal("unset_migratetype_isolate(pfn 0, Movable)", undo.Step());
        // 5.2: the order-3 block (buddy not isolated) is taken off and freed again, whole, onto
        // Movable, while pageblock 1 is still isolated.
        Assert.Equal(MigrateType.Movable, zone.BlockMigratetype(0));
        Assert.Equal(MigrateType.Isolate, zone.GetPageblockMigratetype(4));
        Assert.Equal(64, zone.NrFreePages);

        Assert.Equal("unset_migratetype_isolate(pfn 4, Movable)", undo.Step());
        Assert.Equal("returned 0", undo.Step());
        Assert.Equal(0, zone.NrIsolatePageblock);
        Strict(zone);

        // Nothing isolated: an undo takes no hold at all.
        var again = PageIsolationWalk.Undo(zone, 0, 8);
        Assert.Equal("returned 0", again.Step());
        Assert.Equal(0, again.Steps);
    }

    [Fact]
    public void A_refused_pageblock_undoes_the_pageblocks_isolated_before_it_in_5_2()
    {
        var zone = Boot(KernelEra.V5_2);
        int pfn = AllocateIn(zone, 4, MigrateType.Unmovable);
        var walk = PageIsolationWalk.Start(zone, 0, 8);
        Assert.Equal("set_migratetype_isolate(pfn 0)", walk.Step());
        Assert.Equal($"set_migratetype_isolate(pfn 4) refused (-EBUSY): unmovable page at pfn {pfn}", walk.Step());
        Assert.Equal(IsolationDirection.Unisolating, walk.Direction);
        Assert.Equal("unset_migratetype_isolate(pfn 0, Movable); returned -16 (-EBUSY)", walk.Step() + "; " + walk.Step());
        Assert.Equal(-Zone.Ebusy, walk.Result);
        Assert.Equal(0, zone.NrIsolatePageblock);
        Strict(zone);
    }

    [Fact]
    public void In_6_0_the_first_and_last_pageblocks_go_first_and_a_refused_middle_one_undoes_both()
    {
        var zone = Boot(KernelEra.V6_0);
        int pfn = AllocateIn(zone, 20, MigrateType.Reclaimable); // pageblock 5, the middle of 16..27
        var walk = PageIsolationWalk.Start(zone, 16, 28);
        Assert.Equal("set_migratetype_isolate(pfn 16)", walk.Step());
        Assert.Equal("set_migratetype_isolate(pfn 24)", walk.Step());
        // The last pageblock (24..27) lies in the order-3 block at 24, which crosses the range end.
        Assert.Equal("split_free_page(pfn 24, order 3, offset 4) at the boundary of pageblock 6", walk.Step());
        Assert.Equal($"set_migratetype_isolate(pfn 20) refused (-EBUSY): unmovable page at pfn {pfn}", walk.Step());
        Assert.Equal("unset_migratetype_isolate(pfn 16, Movable)", walk.Step());
        Assert.Equal("unset_migratetype_isolate(pfn 24, Movable)", walk.Step());
        Assert.Equal("returned -16 (-EBUSY)", walk.Step());
        // The split piece went back through __putback_isolated_page and merged with its buddy.
        Assert.Equal((3, MigrateType.Movable), (zone.PageOrder(24), zone.BlockMigratetype(24)));
        Assert.Equal(0, zone.NrIsolatePageblock);
        Assert.Empty(zone.IsolationWalks);
        Strict(zone);
    }

    [Fact]
    public void A_pageblock_that_is_isolated_already_is_refused()
    {
        var zone = Boot(KernelEra.V6_10);
        zone.SetPageblockMigratetype(0, MigrateType.Isolate);
        Assert.Equal(-Zone.Ebusy, zone.SetMigratetypeIsolate(0, 0, 4));
        var walk = PageIsolationWalk.Start(zone, 0, 4);
        Assert.Equal("set_migratetype_isolate(pfn 0) refused (-EBUSY): the pageblock is isolated already; returned -16 (-EBUSY)", walk.Step());
    }

    [Fact]
    public void Has_unmovable_pages_skips_free_and_movable_blocks()
    {
        var zone = Boot(KernelEra.V5_2);
        Assert.Equal(-1, zone.HasUnmovablePages(0, 64));
        int movable = zone.Allocate(1, MigrateType.Movable);
        Assert.Equal(-1, zone.HasUnmovablePages(0, 64));
        int unmovable = zone.Allocate(0, MigrateType.Unmovable);
        Assert.Equal(unmovable, zone.HasUnmovablePages(0, 64));
        Assert.Equal(-1, zone.HasUnmovablePages(unmovable + 1, 64));
        Assert.NotEqual(movable, unmovable);
    }

    [Fact]
    public void From_6_10_a_freed_block_over_pageblocks_of_different_types_goes_to_each_pageblocks_list()
    {
        var zone = Boot(KernelEra.V6_10);
        int pfn = zone.Allocate(3, MigrateType.Movable);
        Assert.Equal(0, zone.SetMigratetypeIsolate(pfn + 4, pfn + 4, pfn + 8));
        zone.Free(pfn, 3);
        Assert.Equal((2, MigrateType.Movable), (zone.PageOrder(pfn), zone.BlockMigratetype(pfn)));
        Assert.Equal((2, MigrateType.Isolate), (zone.PageOrder(pfn + 4), zone.BlockMigratetype(pfn + 4)));
        Strict(zone);

        // Before 6.10 the block goes whole to its head's pageblock's list.
        var old = Boot(KernelEra.V6_0);
        pfn = old.Allocate(3, MigrateType.Movable);
        Assert.Equal(0, old.SetMigratetypeIsolate(pfn + 4, pfn + 4, pfn + 8));
        old.Free(pfn, 3);
        Assert.Equal((3, MigrateType.Movable), (old.PageOrder(pfn), old.BlockMigratetype(pfn)));
        Assert.NotNull(BuddyInvariants.CheckAll(old));
    }

    /// <summary>
    /// Put an order-0 block of mt at pfn, which must be the start of the upper half of its
    /// MAX_ORDER block, leaving every other page free: take every block, give back the one
    /// holding pfn, take its lower half as an order-2 MOVABLE block (expand leaves the upper
    /// half free), take pfn itself, then give back everything else.
    /// </summary>
    private static int AllocateIn(Zone zone, int pfn, MigrateType mt)
    {
        var all = new List<int>();
        for (int b; (b = zone.Allocate(3, MigrateType.Movable)) >= 0;)
            all.Add(b);
        int block = pfn & ~7;
        zone.Free(block, 3);
        int low = zone.Allocate(2, MigrateType.Movable);
        int got = zone.Allocate(0, mt);
        Assert.Equal((block, pfn), (low, got));
        zone.Free(low, 2);
        foreach (int b in all)
            if (b != block)
                zone.Free(b, 3);
        return got;
    }
}
