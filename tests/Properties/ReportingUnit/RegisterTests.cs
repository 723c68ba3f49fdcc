using BuddyModel;
using Reporting;
using Xunit;

namespace Properties.ReportingUnit;

/// <summary>
/// page_reporting_register's order selection and the page_reporting_order parameter by version,
/// and page_reporting_unregister (clear pointer, synchronize_rcu, cancel_delayed_work_sync).
/// Zones of MAX_ORDER 5 (orders 0..4) and pageblock_order 2.
/// </summary>
public class RegisterTests
{
    private static readonly ReportingVersion V2022 = new("reporting-2022", ReportingVersion.V5_14.Fixes | ReportingFixes.OrderValidated);

    private static uint OrderAfter(ReportingVersion v, int driverOrder, long? boot = null)
    {
        var rig = new ReportingRig(v, driverOrder: driverOrder);
        if (boot is long b)
            Assert.Equal(0, rig.Reporting.SetReportingOrderParameter(b));
        Assert.Equal(0, rig.Reporting.Register(rig.Dev));
        return rig.Reporting.ReportingOrder;
    }

    [Fact]
    public void Before_5_14_the_order_is_pageblock_order_and_there_is_no_parameter()
    {
        foreach (var v in new[] { ReportingVersion.V5_7, ReportingVersion.V5_10 })
        {
            var rig = new ReportingRig(v, driverOrder: 1);
            Assert.Equal(PageReporting.ENoEnt, rig.Reporting.SetReportingOrderParameter(1));
            rig.Registered();
            Assert.Equal(2u, rig.Reporting.ReportingOrder);
        }
    }

    [Fact]
    public void In_5_14_the_driver_order_overwrites_the_parameter_and_any_value_is_taken()
    {
        var v = ReportingVersion.V5_14;
        Assert.Equal(5u, new ReportingRig(v).Reporting.ReportingOrder); // MAX_ORDER until a driver registers
        Assert.Equal(2u, OrderAfter(v, driverOrder: 0));               // 0: pageblock_order
        Assert.Equal(1u, OrderAfter(v, driverOrder: 1));
        Assert.Equal(1u, OrderAfter(v, driverOrder: 1, boot: 3));      // the boot value is lost
        Assert.Equal(7u, OrderAfter(v, driverOrder: 7));               // not a free_area: nothing is ever reported
        var rig = new ReportingRig(v).Registered();
        Assert.Equal(0, rig.Reporting.SetReportingOrderParameter(40));
        Assert.Equal(40u, rig.Reporting.ReportingOrder);
        Assert.Equal(10 + (32L << 8), rig.Reporting.ZoneGate(rig.Zone)); // 32 << 40 with x86's 5-bit shift count
        Assert.Equal(0, rig.Reporting.SetReportingOrderParameter(27));
        Assert.Equal(10, rig.Reporting.ZoneGate(rig.Zone));              // 32 << 27 overflows 32 bits to 0
    }

    [Fact]
    public void From_2022_the_parameter_is_validated_unset_is_minus_one_and_a_boot_value_wins()
    {
        var rig = new ReportingRig(V2022);
        Assert.Equal(PageReporting.OrderUnset, rig.Reporting.ReportingOrder);
        Assert.Equal(PageReporting.EInval, rig.Reporting.SetReportingOrderParameter(5));
        Assert.Equal(PageReporting.EInval, rig.Reporting.SetReportingOrderParameter(-1));
        Assert.Equal(PageReporting.OrderUnset, rig.Reporting.ReportingOrder);
        Assert.Equal(3u, OrderAfter(V2022, driverOrder: 1, boot: 3));
        Assert.Equal(1u, OrderAfter(V2022, driverOrder: 1));
        Assert.Equal(2u, OrderAfter(V2022, driverOrder: 0));
        // Before the 2023 fix the bound admits MAX_ORDER itself: a free_area that does not exist.
        Assert.Equal(5u, OrderAfter(V2022, driverOrder: 5));
        Assert.Equal(2u, OrderAfter(V2022, driverOrder: 6));
    }

    [Fact]
    public void Mainline_bounds_the_driver_order_to_existing_orders_and_allows_order_zero()
    {
        var v = ReportingVersion.Mainline;
        Assert.Equal(2u, OrderAfter(v, driverOrder: 5));
        Assert.Equal(4u, OrderAfter(v, driverOrder: 4));
        Assert.Equal(0u, OrderAfter(v, driverOrder: 0));
        Assert.Equal(2u, OrderAfter(v, driverOrder: PageReportingDevInfo.OrderUnspecified));
        Assert.Equal(2u, OrderAfter(v.Without(ReportingFixes.OrderZeroAllowed), driverOrder: 0));
        Assert.Equal(5u, OrderAfter(v.Without(ReportingFixes.InclusiveMaxOrder), driverOrder: 5));
    }

    [Fact]
    public void Order_zero_reports_order_zero_blocks()
    {
        var rig = new ReportingRig(ReportingVersion.Mainline, driverOrder: 0);
        int a = rig.Zone.Allocate(0, MigrateType.Movable); // halves at orders 3, 2, 1, 0
        rig.Registered();
        Assert.Equal(0u, rig.Reporting.ReportingOrder);
        Assert.Equal(10 + 32, rig.Reporting.ZoneGate(rig.Zone));
        rig.RunDue();
        rig.AckUntilPassEnds();
        Assert.Contains(rig.Device.Reports.SelectMany(r => r), e => e.Order == 0 && e.Pfn == (a ^ 1));
        Assert.True(rig.Reported(a ^ 1));
    }

    [Fact]
    public void Unregister_clears_the_pointer_waits_for_readers_and_cancels_the_pending_work()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        Assert.True(rig.Dev.Work!.Pending);
        rig.Reporting.Rcu.ReadLock(); // a notifier inside its read-side section
        var u = rig.Reporting.Unregister(rig.Dev);
        Assert.Null(rig.Reporting.DevInfo);
        Assert.False(u.Step());
        Assert.False(u.Cancelling);
        Assert.True(rig.Dev.Work.Pending);
        rig.Reporting.Rcu.ReadUnlock();
        Assert.True(u.Step());
        Assert.False(rig.Dev.Work.Pending);
        rig.Clock.Advance(10_000);
        Assert.Equal(ReportingStep.NoProgress, rig.Worker.Step());
        Assert.Empty(rig.Device.Reports);
        // The static branch stays on; a free finds no device.
        int p = rig.Zone.Allocate(2, MigrateType.Movable);
        rig.Zone.Free(p, 2);
        Assert.True(rig.Reporting.Enabled.Enabled);
        Assert.Equal(1, rig.Reporting.Events.Notified);
        Assert.False(rig.Dev.Work.Pending);
        // The cancelled request leaves the atomic at REQUESTED (register resets it to IDLE).
        Assert.Equal(ReportingState.Requested, rig.State);
    }

    [Fact]
    public void Unregister_during_a_report_waits_for_the_worker_and_the_worker_cannot_requeue()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        int p = rig.Zone.Allocate(2, MigrateType.Movable);
        rig.Zone.Free(p, 2); // REQUESTED during the pass
        var u = rig.Reporting.Unregister(rig.Dev);
        Assert.False(u.Step());
        Assert.True(u.Cancelling);
        Assert.Equal(ReportingStep.Finished, rig.AckUntilPassEnds()); // the re-schedule fails while cancelling
        Assert.False(rig.Dev.Work!.Pending);
        Assert.True(u.Step());
        Assert.All(rig.List(4), pfn => Assert.True(rig.Zone.PageBuddy(pfn)));
        Assert.Equal(1024, rig.Zone.NrFreePages);
    }

    [Fact]
    public void Unregister_of_a_device_that_is_not_published_returns_at_once()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        var other = new PageReportingDevInfo(new TestDevice());
        Assert.True(rig.Reporting.Unregister(other).Done);
        Assert.Same(rig.Dev, rig.Reporting.DevInfo);
    }

    [Fact]
    public void The_catalogue_names_four_versions_with_growing_fix_sets()
    {
        Assert.Equal(new[] { "reporting-5.7", "reporting-5.10", "reporting-5.14", "reporting" }, ReportingVersion.All.Select(v => v.Name));
        Assert.Equal(KernelEra.V5_7, ReportingVersion.Named("reporting-5.7").Era);
        Assert.Equal(KernelEra.V5_10, ReportingVersion.Named("reporting-5.10").Era);
        Assert.Equal(KernelEra.V5_7, ReportingVersion.Mainline.Without(ReportingFixes.PutbackToTail).Era);
        Assert.Equal(ReportingFixes.All, ReportingVersion.Mainline.Fixes);
        Assert.False(ReportingVersion.V5_14.Has(ReportingFixes.OrderValidated));
        Assert.Throws<ArgumentException>(() => ReportingVersion.Named("reporting-4.19"));
        Assert.Throws<ArgumentException>(() => new PageReporting([new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 5, PageblockOrder = 2 })], ReportingVersion.V5_10, new Kernel.VirtualClock()));
    }
}
