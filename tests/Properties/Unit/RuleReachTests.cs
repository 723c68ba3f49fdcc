using BuddyModel;
using Properties.AerationUnit;
using Properties.ReportingUnit;
using Reporting;
using Xunit;

namespace Properties.Unit;

/// <summary>
/// The guarded-rule counters count a rule only where its branch is taken with effect: a merge
/// refused names why, a screen counts only when it alone stopped a notification, a suppressed
/// notification only when it would have passed its screens; boot counts nothing, and a system's
/// zones share one counter.
/// </summary>
public sealed class RuleReachTests
{
    private static Zone Tiny() => new(new ZoneConfig { Name = "Tiny", NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 2 });

    [Fact]
    public void Boot_counts_nothing()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 256, MaxOrder = 6, PageblockOrder = 2 }, KernelEra.V5_10);
        Assert.All(GuardedRules.All, i => Assert.Equal(0, zone.Reach[i.Rule]));
    }

    [Fact]
    public void A_refused_merge_names_why_the_buddy_is_no_buddy()
    {
        var zone = Tiny();
        int a = zone.Allocate(1, MigrateType.Movable); // the first block of the list, split: a+2 (order 1) stays free
        Assert.Equal(a + 2, zone.Allocate(0, MigrateType.Movable));
        Assert.Equal(a + 3, zone.Allocate(0, MigrateType.Movable));
        zone.Free(a + 2, 0); // buddy a+3 allocated
        Assert.Equal(1, zone.Reach[GuardedRule.MergeBuddyNotFree]);
        zone.Free(a, 1); // buddy a+2 is free at order 0, not 1
        Assert.Equal(1, zone.Reach[GuardedRule.MergeBuddyOtherOrder]);
        Assert.True(zone.IsolateFreePage(a + 2, 0));
        zone.Free(a + 3, 0); // buddy a+2 is held off the lists
        Assert.Equal(1, zone.Reach[GuardedRule.MergeBuddyHeld]);
        Assert.Equal(0, zone.Reach[GuardedRule.MergeBuddyOutsideZone]);
    }

    [Fact]
    public void An_aerator_screen_counts_only_when_it_alone_stopped_the_notification()
    {
        var rig = new AerationRig(hwm: 1);
        var reach = rig.Zone.Reach;
        rig.Aerator.NotifyFreeFor(rig.Zone, 0); // key off and order below MIN_ORDER: neither alone
        Assert.Equal(0, reach[GuardedRule.AeratorNotifyKeyOff]);
        Assert.Equal(0, reach[GuardedRule.AeratorNotifyOrderBelowMin]);
        rig.Aerator.NotifyFreeFor(rig.Zone, 4); // only the key stops it: raw order-4 blocks >= HWM, not requested
        Assert.Equal(1, reach[GuardedRule.AeratorNotifyKeyOff]);
        Assert.Equal(0, rig.Aerator.Startup(rig.Dev)); // key on, the zone REQUESTED
        rig.Aerator.NotifyFreeFor(rig.Zone, 4);
        Assert.Equal(1, reach[GuardedRule.AeratorNotifyAlreadyRequested]);
        rig.Aerator.NotifyFreeFor(rig.Zone, 0); // order below MIN_ORDER, but REQUESTED would stop it too
        Assert.Equal(0, reach[GuardedRule.AeratorNotifyOrderBelowMin]);
        Assert.Equal(-16, rig.Aerator.Startup(rig.Dev));
        Assert.Equal(1, reach[GuardedRule.AeratorStartupBusy]);
    }

    [Fact]
    public void A_skipped_notification_counts_only_when_it_would_have_passed_its_screens()
    {
        var rig = new ReportingRig(ReportingVersion.Mainline, driverOrder: PageReportingDevInfo.OrderUnspecified);
        var reach = rig.Zone.Reach;
        rig.Reporting.FreeOnePageDone(rig.Zone, 0, 4, MigrateType.Movable, FreeFlags.SkipNotify, merged: false);
        Assert.Equal(0, reach[GuardedRule.PutbackSkipsNotify]); // static branch off: no notification to skip
        rig.Registered();
        Assert.Equal(2u, rig.Reporting.ReportingOrder); // pageblock_order: the driver has no preference
        rig.Reporting.FreeOnePageDone(rig.Zone, 0, 1, MigrateType.Movable, FreeFlags.SkipNotify, merged: false);
        Assert.Equal(0, reach[GuardedRule.PutbackSkipsNotify]); // below the reporting order: nothing to skip
        rig.Reporting.FreeOnePageDone(rig.Zone, 0, 4, MigrateType.Movable, FreeFlags.SkipNotify, merged: false);
        Assert.Equal(1, reach[GuardedRule.PutbackSkipsNotify]);
    }

    [Fact]
    public void A_system_of_several_zones_shares_one_counter()
    {
        var rig = new AerationRig(zones: 2);
        Assert.Same(rig.Zones[0].Reach, rig.Zones[1].Reach);
        Assert.Same(rig.Aerator.Reach, rig.Zones[1].Reach);
    }
}
