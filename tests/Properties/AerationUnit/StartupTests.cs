using Aeration;
using BuddyModel;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>aerator_startup() (mm/aeration.c, v1 5/6).</summary>
public class StartupTests
{
    [Fact]
    public void Startup_resets_and_publishes_the_device_requests_every_zone_without_a_HWM_check_and_enables_the_key()
    {
        // HWM 32 > the 8 raw boot blocks per zone: the initial request ignores HWM.
        var rig = new AerationRig(hwm: 32, zones: 2);
        rig.Dev.Refcnt.Set(7);
        rig.Dev.Batch.Add(new BatchEntry(rig.Az, 0, 4, MigrateType.Movable));
        Assert.Null(rig.Aerator.DevInfo);
        Assert.False(rig.Aerator.NotifyEnabled.Enabled);

        Assert.Equal(0, rig.Aerator.Startup(rig.Dev));

        Assert.Same(rig.Dev, rig.Aerator.DevInfo);
        Assert.Empty(rig.Dev.Batch);
        Assert.All(rig.Zones, z =>
        {
            var az = rig.Aerator.Of(z);
            Assert.True(az.Flags.Test(ZoneFlag.AerationRequested));
            Assert.False(az.Flags.Test(ZoneFlag.AerationActive));
        });
        Assert.Equal(2, rig.Refcnt);              // one reference per requested zone
        Assert.True(rig.Aerator.Work.Pending);    // the 0 -> 1 transition scheduled aerator_work
        Assert.Equal(1, rig.Queued);              // once
        Assert.True(rig.Aerator.NotifyEnabled.Enabled);
        Assert.Equal(WorkerState.Idle, rig.Worker.State);
        Assert.Empty(rig.Aerator.Oopses);
        Assert.False(rig.LockHeld);
    }

    [Fact]
    public void Second_startup_returns_EBUSY_and_changes_nothing()
    {
        var rig = new AerationRig(zones: 2);
        Assert.Equal(0, rig.Aerator.Startup(rig.Dev));
        Assert.Equal(WorkerStep.Started, rig.Worker.Step());
        var second = new AeratorDevInfo(rig.Driver, 2);
        second.Refcnt.Set(5);
        second.Batch.Add(new BatchEntry(rig.Az, 16, 4, MigrateType.Movable));
        int[] flagsBefore = rig.Zones.Select(z => rig.Aerator.Of(z).Flags.Raw).ToArray();

        Assert.Equal(-16, rig.Aerator.Startup(second)); // -EBUSY

        Assert.Same(rig.Dev, rig.Aerator.DevInfo);
        Assert.Equal(3, rig.Refcnt);
        Assert.Empty(rig.Dev.Batch);
        Assert.Equal(5, second.Refcnt.Read());
        Assert.Single(second.Batch);
        Assert.Equal(flagsBefore, rig.Zones.Select(z => rig.Aerator.Of(z).Flags.Raw).ToArray());
        Assert.False(rig.Aerator.Work.Pending);
        Assert.Equal(1, rig.Queued);
        // The key was enabled once only: one static_key_slow_dec turns it off.
        rig.Aerator.NotifyEnabled.SlowDec();
        Assert.False(rig.Aerator.NotifyEnabled.Enabled);
        Assert.Empty(rig.Aerator.Oopses);
    }
}
