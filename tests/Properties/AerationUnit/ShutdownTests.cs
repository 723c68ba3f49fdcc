using Aeration;
using BuddyModel;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>aerator_shutdown() (mm/aeration.c): static_key_slow_dec, msleep(20) while refcnt, unpublish.</summary>
public class ShutdownTests
{
    [Fact]
    public void Shutdown_turns_the_key_off_at_once_sleeps_while_refcnt_is_not_zero_and_unpublishes_at_zero()
    {
        var rig = new AerationRig(nrPages: 32, hwm: 1, capacity: 2);
        var z = rig.Zone;
        rig.Aerator.Startup(rig.Dev);
        rig.Worker.Step();
        rig.Worker.Step(); // batch out, refcnt 2

        Assert.True(rig.Shutdown.Begin());
        Assert.False(rig.Aerator.NotifyEnabled.Enabled);
        Assert.True(rig.Shutdown.InProgress);
        Assert.False(rig.Shutdown.Returned);
        Assert.Equal(1, rig.Shutdown.Sleeps);
        Assert.Same(rig.Dev, rig.Aerator.DevInfo);
        Assert.False(rig.Shutdown.Begin()); // already in progress

        Assert.False(rig.Shutdown.Step());
        Assert.Equal(2, rig.Shutdown.Sleeps);
        rig.Host.Step();
        Assert.Equal(WorkerStep.ZoneDone, rig.Worker.Step());
        Assert.Equal(1, rig.Refcnt);
        Assert.False(rig.Shutdown.Step());
        Assert.Equal(3, rig.Shutdown.Sleeps);
        Assert.Equal(WorkerStep.Finished, rig.Worker.Step());
        Assert.Equal(0, rig.Refcnt);

        // With the key off, a free that would have requested a pass does not.
        int pfn = z.Allocate(4, MigrateType.Movable);
        z.Free(pfn, 4);
        Assert.Equal(1, rig.Az.RawBlocks(4));
        Assert.False(rig.Requested);
        Assert.Equal(0, rig.Refcnt);

        Assert.True(rig.Shutdown.Step());
        Assert.True(rig.Shutdown.Returned);
        Assert.False(rig.Shutdown.InProgress);
        Assert.Equal(3, rig.Shutdown.Sleeps);
        Assert.Null(rig.Aerator.DevInfo);
        Assert.Empty(rig.Aerator.Oopses);
    }

    [Fact]
    public void Shutdown_with_no_device_published_refuses()
    {
        var rig = new AerationRig();
        Assert.False(rig.Shutdown.Begin());
        Assert.False(rig.Shutdown.InProgress);
        Assert.False(rig.Aerator.NotifyEnabled.Enabled);
    }

    [Fact]
    public void Notify_after_shutdown_unpublished_the_device_oopses_on_the_NULL_a_dev_info()
    {
        var rig = new AerationRig(hwm: 1).Quiet();
        Assert.True(rig.Shutdown.Begin()); // refcnt already 0: returns at the first check
        Assert.True(rig.Shutdown.Returned);
        Assert.Null(rig.Aerator.DevInfo);

        // A free path that passed static_key_false() before shutdown disabled the key.
        rig.Aerator.Notify(rig.Az);

        var oops = Assert.Single(rig.Aerator.Oopses);
        Assert.Contains("__aerator_notify", oops);
        Assert.Contains("a_dev_info", oops);
        Assert.Contains("NULL", oops);
        Assert.True(rig.Requested); // set_bit comes before the dereference
        Assert.Equal(0, rig.Refcnt);
        Assert.False(rig.Aerator.Work.Pending);
    }

    [Fact]
    public void Free_after_shutdown_is_screened_out_by_the_key_and_does_not_oops()
    {
        var rig = new AerationRig(hwm: 1).Quiet();
        rig.Shutdown.Begin();
        int pfn = rig.Zone.Allocate(4, MigrateType.Movable);
        rig.Zone.Free(pfn, 4);
        Assert.Equal(1, rig.Az.RawBlocks(4));
        Assert.False(rig.Requested);
        Assert.Empty(rig.Aerator.Oopses);
    }
}
