using BuddyModel;
using Reporting;
using Xunit;

namespace Properties.ReportingUnit;

/// <summary>page_reporting_drain, and the allocator changes of the 5.7 and 5.10 eras.</summary>
public class DrainAndEraTests
{
    /// <summary>
    /// Eight order-3 blocks allocated at pfn 0, 8, .., 56 and every second one freed again:
    /// four free order-3 blocks (8, 24, 40, 56) whose buddies are allocated.
    /// </summary>
    private static ReportingRig WithOrder3Blocks()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10);
        var got = Enumerable.Range(0, 8).Select(_ => rig.Zone.Allocate(3, MigrateType.Movable)).ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * 8), got);
        foreach (int pfn in new[] { 8, 24, 40, 56 })
            rig.Zone.Free(pfn, 3);
        return rig.Registered();
    }

    [Fact]
    public void On_success_drain_marks_only_the_blocks_that_did_not_merge()
    {
        var rig = WithOrder3Blocks();
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        var sg = rig.Device.Reports.Single();
        Assert.Equal(new[] { 8, 24, 40, 56 }, sg.Where(e => e.Order == 3).Select(e => e.Pfn).Order());
        // While the report is out, the buddy of block 8 is freed: it stays an order-3 block (8 is held).
        rig.Zone.Free(0, 3);
        Assert.True(rig.Zone.PageBuddy(0) && rig.Zone.PageOrder(0) == 3);
        rig.Device.Ack();
        rig.Worker.Step();
        // Putting 8 back merged it with 0 into an order-4 block at 0: not marked.
        Assert.True(rig.Zone.PageBuddy(0) && rig.Zone.PageOrder(0) == 4);
        Assert.False(rig.Reported(0));
        Assert.False(rig.Zone.PageBuddy(8));
        Assert.Equal(1, rig.Reporting.Events.MergedOnDrain);
        Assert.True(rig.Reported(24) && rig.Reported(40) && rig.Reported(56));
        Assert.Equal(31, rig.Reporting.Events.MarkedReported);
    }

    [Fact]
    public void On_error_drain_puts_every_block_back_unmarked_and_the_pass_stops()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        rig.Device.Ack(err: -5);
        Assert.Equal(ReportingStep.Finished, rig.Worker.Step());
        Assert.Single(rig.Device.Reports);
        Assert.Equal(64, rig.Zone.NrFree(4));
        Assert.Equal(1024, rig.Zone.NrFreePages);
        Assert.All(rig.List(4), pfn => Assert.False(rig.Reported(pfn)));
        Assert.Equal(0, rig.Reporting.Events.MarkedReported);
        Assert.Equal(ReportingState.Idle, rig.State);
    }

    [Fact]
    public void A_report_that_cannot_be_submitted_drains_unmarked()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        rig.Device.StartError = -28;
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        Assert.True(rig.Worker.CanStep);
        Assert.Equal(ReportingStep.Finished, rig.Worker.Step());
        Assert.Empty(rig.Device.Reports);
        Assert.All(rig.List(4), pfn => Assert.False(rig.Reported(pfn)));
        Assert.Equal(1024, rig.Zone.NrFreePages);
    }

    /// <summary>Order-2 list [4, 12] with 0 and 8 allocated; takes 12 off and puts it back.</summary>
    private static List<int> PutbackOf12(KernelEra era)
    {
        var zone = new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 }, era);
        int first = zone.Lists.Next(zone.ListHead(4, MigrateType.Movable));
        Assert.Equal(0, zone.Allocate(2, MigrateType.Movable) - first);
        Assert.Equal(4, zone.Allocate(2, MigrateType.Movable) - first);
        Assert.Equal(8, zone.Allocate(2, MigrateType.Movable) - first);
        zone.Free(first + 4, 2);
        var before = ListOf(zone, 2);
        Assert.Equal(new[] { first + 4, first + 12 }, before);
        Assert.True(zone.IsolateFreePage(first + 12, 2));
        zone.PutbackIsolatedPage(first + 12, 2);
        return ListOf(zone, 2).Select(p => p - first).ToList();
    }

    private static List<int> ListOf(Zone zone, int order)
    {
        var l = new List<int>();
        int head = zone.ListHead(order, MigrateType.Movable);
        for (int n = zone.Lists.Next(head); n != head; n = zone.Lists.Next(n))
            l.Add(n);
        return l;
    }

    [Fact]
    public void Putback_in_5_7_goes_to_the_head_when_no_merge_is_likely_and_in_5_10_to_the_tail()
    {
        Assert.Equal(new[] { 12, 4 }, PutbackOf12(KernelEra.V5_7));
        Assert.Equal(new[] { 4, 12 }, PutbackOf12(KernelEra.V5_10));
        Assert.Equal(FreeFlags.SkipNotify, new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2 }, KernelEra.V5_7).PutbackFlags);
        Assert.Equal(FreeFlags.None, new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2 }).PutbackFlags);
    }

    [Fact]
    public void Putback_in_5_7_goes_to_the_tail_when_buddy_merge_likely()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 }, KernelEra.V5_7);
        // Two order-4 blocks b and c, each allocated as four order-2 blocks.
        var got = Enumerable.Range(0, 8).Select(_ => zone.Allocate(2, MigrateType.Movable)).ToList();
        int b = got[0], c = got[4];
        Assert.Equal(new[] { b, b + 4, b + 8, b + 12, c, c + 4, c + 8, c + 12 }, got);
        zone.Free(c + 4, 2);   // buddy c and order-3 buddy c+8 allocated: head
        zone.Free(b + 12, 2);
        zone.Free(b + 8, 2);   // merges with b+12 into an order-3 block at b+8
        zone.Free(b + 4, 2);   // buddy b allocated, order-3 buddy b+8 free: merge likely, tail
        Assert.Equal(new[] { c + 4, b + 4 }, ListOf(zone, 2));
        Assert.True(zone.IsolateFreePage(b + 4, 2));
        zone.PutbackIsolatedPage(b + 4, 2);
        Assert.Equal(new[] { c + 4, b + 4 }, ListOf(zone, 2)); // tail again, by buddy_merge_likely
        Assert.True(zone.IsolateFreePage(c + 4, 2));
        zone.PutbackIsolatedPage(c + 4, 2);
        Assert.Equal(new[] { c + 4, b + 4 }, ListOf(zone, 2)); // head, no merge likely
    }

    [Fact]
    public void Boot_lists_are_descending_before_5_10_and_ascending_from_5_10()
    {
        var cfg = new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2 };
        Assert.Equal(new[] { 48, 32, 16, 0 }, ListOf(new Zone(cfg), 4));
        Assert.Equal(new[] { 48, 32, 16, 0 }, ListOf(new Zone(cfg, KernelEra.V5_7), 4));
        Assert.Equal(new[] { 0, 16, 32, 48 }, ListOf(new Zone(cfg, KernelEra.V5_10), 4));
    }

    [Theory]
    [InlineData(KernelEra.V5_7)]
    [InlineData(KernelEra.V5_10)]
    public void PG_reported_survives_a_move_and_is_lost_on_allocation_isolation_and_merge(KernelEra era)
    {
        var zone = new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 }, era);
        var blocks = ListOf(zone, 4);
        foreach (int p in blocks)
            zone.SetPageFlag(p, PageFlags.Reported);
        // move_to_free_list (a pageblock-range migratetype change) keeps the flag.
        zone.SetPageblockMigratetype(blocks[0], MigrateType.Unmovable);
        zone.SetPageblockMigratetype(blocks[0] + 4, MigrateType.Unmovable);
        zone.SetPageblockMigratetype(blocks[0] + 8, MigrateType.Unmovable);
        zone.SetPageblockMigratetype(blocks[0] + 12, MigrateType.Unmovable);
        // (the pageblock-by-pageblock change moves the free block with the pageblock it starts)
        Assert.Equal(PageFlags.Buddy | PageFlags.Reported, zone.Flags(blocks[0]));
        Assert.Equal(MigrateType.Unmovable, zone.BlockMigratetype(blocks[0]));
        // Allocation: the flag goes with del_page_from_free_list; expand's halves never get it.
        int a = zone.Allocate(0, MigrateType.Movable);
        Assert.Equal(PageFlags.Allocated, zone.Flags(a));
        Assert.All(new[] { a + 1, a + 2, a + 4, a + 8 }, h => Assert.Equal(PageFlags.Buddy, zone.Flags(h)));
        // Isolation clears it as well.
        int iso = ListOf(zone, 4).First(p => zone.BlockMigratetype(p) == MigrateType.Movable);
        Assert.True(zone.IsolateFreePage(iso, 4));
        Assert.Equal(PageFlags.Held, zone.Flags(iso));
        zone.PutbackIsolatedPage(iso, 4);
        Assert.Equal(PageFlags.Buddy, zone.Flags(iso));
        // Merge: a freed block merging with a reported buddy leaves no flag on the merged head.
        zone.SetPageFlag(a + 1, PageFlags.Reported);
        zone.Free(a, 0);
        Assert.True(zone.PageBuddy(a) && zone.PageOrder(a) == 4);
        Assert.Equal(PageFlags.Buddy, zone.Flags(a));
        Assert.Equal(PageFlags.None, zone.Flags(a + 1));
    }

    [Fact]
    public void In_5_2_the_allocator_leaves_a_hinting_flag_to_the_design()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 });
        int p = ListOf(zone, 4)[0];
        zone.SetPageFlag(p, PageFlags.Reported);
        Assert.Equal(p, zone.Allocate(4, MigrateType.Movable));
        Assert.Equal(PageFlags.Allocated | PageFlags.Reported, zone.Flags(p));
    }

    [Theory]
    [InlineData(KernelEra.V5_7, true)]
    [InlineData(KernelEra.V5_10, false)]
    public void Move_to_free_list_goes_to_the_head_in_5_7_and_to_the_tail_in_5_10(KernelEra era, bool toHead)
    {
        var zone = new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 }, era);
        int b = zone.Allocate(2, MigrateType.Movable);           // halves b+8 (order 3), b+4 (order 2)
        Assert.Equal(b + 4, zone.Allocate(2, MigrateType.Movable));
        Assert.Equal(b + 8, zone.Allocate(2, MigrateType.Movable)); // half b+12 (order 2)
        zone.Free(b + 4, 2);                                      // buddy b allocated: stays order 2
        Assert.Equal(new[] { b + 4, b + 12 }, ListOf(zone, 2));
        // Each pageblock holds one order-2 block; retyping a pageblock moves its free block.
        zone.SetPageblockMigratetype(b + 12, MigrateType.Unmovable);
        zone.SetPageblockMigratetype(b + 4, MigrateType.Unmovable);
        var unmovable = new List<int>();
        int head = zone.ListHead(2, MigrateType.Unmovable);
        for (int n = zone.Lists.Next(head); n != head; n = zone.Lists.Next(n))
            unmovable.Add(n);
        Assert.Equal(toHead ? new[] { b + 4, b + 12 } : new[] { b + 12, b + 4 }, unmovable);
    }
}
