using Aeration;
using BuddyModel;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>
/// aerator_notify_free() (memory_aeration.h, v1 5/6) and __aerator_notify() (mm/aeration.c):
/// static key, order &gt;= AERATOR_MIN_ORDER, zone not REQUESTED, at least HWM raw blocks of the
/// order; then REQUESTED and refcnt++, the 0 -&gt; 1 transition scheduling aerator_work.
/// The zones start fully aerated and idle (Quiet), MIN_ORDER = pageblock_order = 2.
/// </summary>
public class NotifyTests
{
    private static void AssertNothingRequested(AerationRig rig)
    {
        Assert.False(rig.Requested);
        Assert.Equal(0, rig.Refcnt);
        Assert.False(rig.Aerator.Work.Pending);
        Assert.Empty(rig.Aerator.Oopses);
    }

    [Fact]
    public void Quiet_zone_after_a_whole_cycle_has_every_boot_block_aerated_and_nothing_requested()
    {
        var rig = new AerationRig().Quiet();
        Assert.Equal(8, rig.Zone.NrFree(4));
        Assert.Equal(8, rig.Az.NrFreeAerated[4]);
        Assert.Equal(0, rig.Az.RawBlocks(4));
        Assert.All(rig.Movable(4), pfn => Assert.Equal(PageFlags.Buddy | PageFlags.Aerated, rig.Zone.Flags(pfn)));
        Assert.Equal(1, rig.Queued); // only startup's request queued the work
        AssertNothingRequested(rig);
    }

    [Fact]
    public void Notify_with_the_static_key_off_does_nothing_even_with_raw_blocks()
    {
        var rig = new AerationRig(hwm: 1).Quiet();
        rig.Zone.Allocate(0, MigrateType.Movable); // expand() leaves one raw block at orders 3, 2, 1, 0
        Assert.Equal(1, rig.Az.RawBlocks(3));
        rig.Aerator.NotifyEnabled.SlowDec();

        rig.Aerator.NotifyFreeFor(rig.Zone, 3);
        AssertNothingRequested(rig);

        rig.Aerator.NotifyEnabled.SlowInc();
        rig.Aerator.NotifyFreeFor(rig.Zone, 3);
        Assert.True(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
    }

    [Fact]
    public void Notify_below_MIN_ORDER_does_nothing_even_with_raw_blocks_of_that_order()
    {
        var rig = new AerationRig(hwm: 1).Quiet();
        int head = rig.Zone.Allocate(0, MigrateType.Movable);
        Assert.Equal(1, rig.Az.RawBlocks(0));
        Assert.Equal(1, rig.Az.RawBlocks(1));

        rig.Aerator.NotifyFreeFor(rig.Zone, 0);
        rig.Aerator.NotifyFreeFor(rig.Zone, 1);
        AssertNothingRequested(rig);

        // The free path: an order-0 free whose buddy is allocated ends at order 0 and is screened out.
        int buddy = rig.Zone.Allocate(0, MigrateType.Movable);
        Assert.Equal(head + 1, buddy);
        rig.Zone.Free(head, 0);
        Assert.True(rig.Zone.PageBuddy(head));
        Assert.Equal(0, rig.Zone.PageOrder(head));
        AssertNothingRequested(rig);

        rig.Aerator.NotifyFreeFor(rig.Zone, 2); // MIN_ORDER itself passes
        Assert.True(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
    }

    [Fact]
    public void Notify_on_a_zone_already_REQUESTED_takes_no_second_reference()
    {
        var rig = new AerationRig(hwm: 1).Quiet();
        rig.Zone.Allocate(0, MigrateType.Movable);
        rig.Aerator.NotifyFreeFor(rig.Zone, 3);
        Assert.True(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
        Assert.Equal(2, rig.Queued);

        rig.Aerator.NotifyFreeFor(rig.Zone, 2);
        rig.Aerator.NotifyFreeFor(rig.Zone, 3);
        Assert.True(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
        Assert.Equal(2, rig.Queued);
    }

    [Fact]
    public void Free_leaving_fewer_than_HWM_raw_blocks_does_nothing_and_the_HWMth_requests()
    {
        var rig = new AerationRig(hwm: 2).Quiet();
        int a = rig.Zone.Allocate(4, MigrateType.Movable);
        int b = rig.Zone.Allocate(4, MigrateType.Movable);
        Assert.Equal(6, rig.Az.NrFreeAerated[4]); // allocation cleared their marks

        rig.Zone.Free(a, 4);
        Assert.Equal(1, rig.Az.RawBlocks(4));
        AssertNothingRequested(rig);

        rig.Zone.Free(b, 4);
        Assert.Equal(2, rig.Az.RawBlocks(4));
        Assert.True(rig.Requested);
        Assert.False(rig.Active);
        Assert.Equal(1, rig.Refcnt);
        Assert.True(rig.Aerator.Work.Pending);
        Assert.Equal(2, rig.Queued);
    }

    [Fact]
    public void First_request_schedules_the_worker_and_a_request_of_another_zone_does_not_reschedule()
    {
        var rig = new AerationRig(hwm: 1, zones: 2).Quiet();
        var (z0, z1) = (rig.Zones[0], rig.Zones[1]);
        int a = z0.Allocate(4, MigrateType.Movable);
        int b = z1.Allocate(4, MigrateType.Movable);

        z0.Free(a, 4); // refcnt 0 -> 1
        Assert.True(rig.Aerator.Of(z0).Flags.Test(ZoneFlag.AerationRequested));
        Assert.Equal(1, rig.Refcnt);
        Assert.True(rig.Aerator.Work.Pending);
        Assert.Equal(2, rig.Queued);

        Assert.Equal(WorkerStep.Started, rig.Worker.Step()); // the workqueue runs aerator_cycle
        Assert.False(rig.Aerator.Work.Pending);
        Assert.Equal(2, rig.Refcnt);

        z1.Free(b, 4); // refcnt 2 -> 3: no schedule_delayed_work
        Assert.True(rig.Aerator.Of(z1).Flags.Test(ZoneFlag.AerationRequested));
        Assert.Equal(3, rig.Refcnt);
        Assert.False(rig.Aerator.Work.Pending);
        Assert.Equal(2, rig.Queued);
        Assert.Equal(1, rig.Aerator.Events.RequestedDuringPass);
    }
}
