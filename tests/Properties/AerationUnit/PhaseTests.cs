using Aeration;
using Aeration.Virtio;
using BuddyModel;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>
/// One scrub of aerator_scrub_zone() stopped at each phase: fill (aerator_fill /
/// get_aeration_page), react (the batch with the device, zone->lock dropped), drain
/// (put_aeration_page -&gt; __free_one_page(..., aerated = true)).
/// </summary>
public class PhaseTests
{
    private const MigrateType Mov = MigrateType.Movable;

    [Fact]
    public void Fill_takes_the_last_raw_block_of_the_highest_order_first_and_stops_at_capacity()
    {
        var rig = new AerationRig(nrPages: 128, hwm: 1, capacity: 2);
        Assert.Equal(112, rig.Zone.Allocate(2, Mov)); // leaves 120 (order 3) and 116 (order 2)
        Assert.Equal(new[] { 96, 80, 64, 48, 32, 16, 0 }, rig.Movable(4));
        rig.Aerator.Startup(rig.Dev);
        Assert.Equal(WorkerStep.Started, rig.Worker.Step());

        Assert.Equal(WorkerStep.Submitted, rig.Worker.Step());

        Assert.Equal(new[] { (0, 4, Mov), (16, 4, Mov) }, rig.Batch);
        Assert.Equal(PageFlags.Held, rig.Zone.Flags(0));
        Assert.Equal(PageFlags.Held, rig.Zone.Flags(16));
        Assert.Equal(new[] { 96, 80, 64, 48, 32 }, rig.Movable(4));
        Assert.Equal(new[] { 120 }, rig.Movable(3));
        Assert.Equal(new[] { 116 }, rig.Movable(2));
        Assert.Equal(128 - 4 - 32, rig.Zone.NrFreePages);
        // Budget used up: the zone stays REQUESTED and keeps its reference (plus the worker's).
        Assert.True(rig.Requested);
        Assert.Equal(2, rig.Refcnt);
        // The batch is out: react() waits with zone->lock dropped; boundaries not yet populated.
        Assert.Equal(WorkerState.Reacting, rig.Worker.State);
        Assert.Same(rig.Az, rig.Worker.Scrubbing);
        Assert.False(rig.LockHeld);
        Assert.False(rig.Active);
        Assert.Equal(new ulong[] { 0x4, 0x10004 }, rig.Hints(2));
        Assert.Equal(1, rig.Queue.Kicks);
        Assert.Equal(15, rig.Queue.NumFree);
        Assert.Equal(1, rig.Driver.Submitted);
        Assert.Equal(WorkerStep.NoProgress, rig.Worker.Step()); // no ack yet
    }

    [Fact]
    public void Fill_under_budget_walks_down_to_MIN_ORDER_then_clears_REQUESTED_and_drops_the_zone_reference()
    {
        var rig = new AerationRig(nrPages: 128, hwm: 1, capacity: 10);
        Assert.Equal(112, rig.Zone.Allocate(0, Mov)); // leaves 120 (3), 116 (2), 114 (1), 113 (0)
        rig.Aerator.Startup(rig.Dev);
        rig.Worker.Step();

        Assert.Equal(WorkerStep.Submitted, rig.Worker.Step());

        Assert.Equal(new[] { (0, 4, Mov), (16, 4, Mov), (32, 4, Mov), (48, 4, Mov), (64, 4, Mov), (80, 4, Mov), (96, 4, Mov), (120, 3, Mov), (116, 2, Mov) }, rig.Batch);
        Assert.Equal(new[] { 114 }, rig.Movable(1)); // below MIN_ORDER: left alone
        Assert.Equal(new[] { 113 }, rig.Movable(0));
        Assert.False(rig.Requested);
        Assert.Equal(1, rig.Refcnt); // the worker's own
        Assert.Equal(
            new ulong[] { 0x4, 0x10004, 0x20004, 0x30004, 0x40004, 0x50004, 0x60004, 0x78003, 0x74002 },
            rig.Hints(9));
    }

    /// <summary>
    /// 64 pages. Allocated: 0 (o2), 8 (o3), 16 (o3), 32 (o3), 48 (o4). Free before startup:
    /// 24 (o3, buddy 16 allocated) and 4 (o2, buddy 0 allocated). HWM 2, capacity 3.
    /// </summary>
    private static (AerationRig Rig, int A0, int A40) BuddyScenario()
    {
        var rig = new AerationRig(nrPages: 64, hwm: 2, capacity: 3);
        var z = rig.Zone;
        Assert.Equal(48, z.Allocate(4, Mov));
        Assert.Equal(32, z.Allocate(3, Mov));
        Assert.Equal(40, z.Allocate(3, Mov));
        Assert.Equal(16, z.Allocate(3, Mov));
        Assert.Equal(24, z.Allocate(3, Mov));
        Assert.Equal(0, z.Allocate(2, Mov));
        Assert.Equal(8, z.Allocate(3, Mov));
        Assert.Equal(4, z.Allocate(2, Mov));
        z.Free(24, 3);
        z.Free(4, 2);
        Assert.Equal(new[] { 24 }, rig.Movable(3));
        Assert.Equal(new[] { 4 }, rig.Movable(2));
        Assert.Equal(0, rig.Aerator.Startup(rig.Dev));
        return (rig, 0, 40);
    }

    [Fact]
    public void Drained_block_whose_buddy_was_freed_while_the_batch_was_out_merges_and_goes_in_raw_above_the_boundary()
    {
        // The phases by hand, stopping between drain and the next fill.
        var (rig, a0, a40) = BuddyScenario();
        var z = rig.Zone;
        lock (z.Lock)
            rig.Aerator.Fill(rig.Dev, rig.Az);
        Assert.Equal(new[] { (24, 3, Mov), (4, 2, Mov) }, rig.Batch);
        Assert.False(rig.Requested); // under budget: zone done, its reference dropped
        Assert.Equal(0, rig.Refcnt);
        rig.Driver.Submit(rig.Dev.Batch.ToList());

        z.Free(a0, 2);  // the buddy of batch block 4: stays order 2 (4 is held)
        z.Free(a40, 3); // another raw order-3 block
        Assert.Equal(new[] { 0 }, rig.Movable(2));
        Assert.Equal(new[] { 40 }, rig.Movable(3));
        Assert.False(rig.Requested); // one raw block per order: below HWM 2
        Assert.Equal(0, rig.Refcnt);

        Assert.True(rig.Host.Step());
        Assert.True(rig.Driver.Acknowledged());
        lock (z.Lock)
        {
            rig.Aerator.PopulateBoundaries(rig.Az);
            rig.Aerator.Drain(rig.Dev, rig.Az);
        }

        Assert.Empty(rig.Dev.Batch);
        // 24 did not merge (16 allocated): aerated, and the new boundary of order 3.
        Assert.Equal(PageFlags.Buddy | PageFlags.Aerated, z.Flags(24));
        Assert.Equal((z, 24), rig.BoundaryOf(3));
        // 4 merged with 0 into an order-3 block at 0 (8 allocated stops it): raw, placed at the
        // "tail", i.e. just above the boundary, below the raw block 40 that was freed to the head.
        Assert.Equal(PageFlags.Buddy, z.Flags(0));
        Assert.Equal(3, z.PageOrder(0));
        Assert.False(z.PageBuddy(4));
        Assert.Equal(new[] { 40, 0, 24 }, rig.Movable(3));
        Assert.Empty(rig.Movable(2));
        Assert.Equal(1, rig.Az.NrFreeAerated[3]); // only 24
        Assert.Equal(0, rig.Az.NrFreeAerated[2]);
        Assert.Equal(2, rig.Az.RawBlocks(3));
        // notify ran for the merged block's order: 2 raw order-3 blocks reach HWM, 0 -> 1.
        Assert.True(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
        Assert.Equal(64 - 8 - 8 - 8 - 16, z.NrFreePages); // 0..7, 24..31, 40..47 free
        Assert.Empty(rig.Aerator.Oopses);
    }

    [Fact]
    public void Worker_drains_the_merged_block_raw_and_rescrubs_it_in_the_same_pass()
    {
        var (rig, a0, a40) = BuddyScenario();
        var z = rig.Zone;
        Assert.Equal(WorkerStep.Started, rig.Worker.Step());
        Assert.Equal(2, rig.Refcnt);

        Assert.Equal(WorkerStep.Submitted, rig.Worker.Step());
        Assert.Equal(new[] { (24, 3, Mov), (4, 2, Mov) }, rig.Batch);
        Assert.False(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
        Assert.Equal(WorkerState.Reacting, rig.Worker.State);
        Assert.False(rig.LockHeld);

        z.Free(a0, 2);
        z.Free(a40, 3);
        Assert.Equal(1, rig.Refcnt);

        Assert.True(rig.Host.Step());
        Assert.Equal(new[] { new AppliedHint(24, 3), new AppliedHint(4, 2) }, rig.Host.Applied);
        Assert.All(Enumerable.Range(24, 8).Concat(Enumerable.Range(4, 4)), p => Assert.True(rig.Memory.Dropped(p)));
        Assert.False(rig.Memory.Dropped(0));

        // Drain, then (the merged block's notify re-requested the zone) fill again.
        Assert.Equal(WorkerStep.Submitted, rig.Worker.Step());

        Assert.Equal(1, rig.Aerator.Events.RequestedDuringPass);
        Assert.False(rig.Aerator.Work.Pending); // 1 -> 2 with the worker's reference: no reschedule
        Assert.Equal(1, rig.Queued);
        // The second batch starts with the merged raw block 0, the last raw block above boundary 24.
        Assert.Equal(new[] { (0, 3, Mov), (40, 3, Mov) }, rig.Batch);
        Assert.Equal(PageFlags.Held, z.Flags(0));
        Assert.Equal(new[] { 24 }, rig.Movable(3));
        Assert.Equal(PageFlags.Buddy | PageFlags.Aerated, z.Flags(24));
        Assert.Equal((z, 24), rig.BoundaryOf(3));
        Assert.Equal(1, rig.Az.NrFreeAerated[3]);
        Assert.True(rig.Active);
        Assert.False(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
        Assert.Equal(new ulong[] { 0x3, 0x28003 }, rig.Hints(2));

        Assert.True(rig.Host.Step());
        Assert.Equal(WorkerStep.ZoneDone, rig.Worker.Step());
        Assert.Equal(new[] { 40, 0, 24 }, rig.Movable(3));
        Assert.All(new[] { 40, 0, 24 }, p => Assert.Equal(PageFlags.Buddy | PageFlags.Aerated, z.Flags(p)));
        Assert.Equal(3, rig.Az.NrFreeAerated[3]);
        Assert.Equal((z, 40), rig.BoundaryOf(3));
        Assert.False(rig.Active);

        Assert.Equal(WorkerStep.Finished, rig.Worker.Step());
        Assert.Equal(0, rig.Refcnt);
        Assert.Equal(2, rig.Aerator.Events.BatchesReacted);
        Assert.Empty(rig.Aerator.Oopses);
    }
}
