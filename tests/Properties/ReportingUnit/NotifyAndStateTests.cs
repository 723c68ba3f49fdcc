using BuddyModel;
using Reporting;
using Xunit;

namespace Properties.ReportingUnit;

/// <summary>
/// page_reporting_notify_free (static branch, order screen), __page_reporting_request (the
/// IDLE/REQUESTED/ACTIVE atomic), the delayed work and the end-of-pass transition.
/// </summary>
public class NotifyAndStateTests
{
    [Fact]
    public void Before_register_the_static_branch_is_off_and_a_free_notifies_nothing()
    {
        var rig = new ReportingRig(ReportingVersion.V5_7);
        int pfn = rig.Zone.Allocate(4, MigrateType.Movable);
        rig.Zone.Free(pfn, 4);
        Assert.False(rig.Reporting.Enabled.Enabled);
        Assert.Equal(0, rig.Reporting.Events.Notified);
        Assert.Null(rig.Dev.Work);
    }

    [Fact]
    public void Register_requests_the_first_pass_due_PAGE_REPORTING_DELAY_later_and_enables_the_branch()
    {
        var rig = new ReportingRig(ReportingVersion.V5_7);
        rig.Clock.Advance(7);
        Assert.Equal(0, rig.Reporting.Register(rig.Dev));
        Assert.True(rig.Reporting.Enabled.Enabled);
        Assert.Same(rig.Dev, rig.Reporting.DevInfo);
        Assert.Equal(ReportingState.Requested, rig.State);
        Assert.True(rig.Dev.Work!.Pending);
        Assert.Equal(507, rig.Dev.Work.DueAt); // 7 + 2 * HZ (HZ = 250)
        Assert.Equal(500, PageReporting.Delay);
        Assert.Equal(PageReporting.EBusy, rig.Reporting.Register(new PageReportingDevInfo(new TestDevice())));
    }

    [Fact]
    public void The_work_does_not_run_before_its_due_jiffy()
    {
        var rig = new ReportingRig(ReportingVersion.V5_7).Registered();
        rig.Clock.Advance(499);
        Assert.False(rig.Worker.CanStep);
        Assert.Equal(ReportingStep.NoProgress, rig.Worker.Step());
        Assert.Equal(ReportingState.Requested, rig.State);
        rig.Clock.Advance(1);
        Assert.Equal(ReportingStep.Submitted, rig.Worker.Step());
        Assert.Equal(ReportingState.Active, rig.State);
    }

    [Fact]
    public void Notify_screens_orders_below_the_reporting_order_and_skip_notify_frees()
    {
        var rig = new ReportingRig(ReportingVersion.V5_7).Registered();
        Assert.Equal(2u, rig.Reporting.ReportingOrder); // PAGE_REPORTING_MIN_ORDER = pageblock_order
        // Two order-1 blocks side by side; freeing one leaves an order-1 free block (no merge).
        int a = rig.Zone.Allocate(1, MigrateType.Movable);
        int b = rig.Zone.Allocate(1, MigrateType.Movable);
        Assert.Equal(a ^ 2, b);
        rig.Zone.Free(a, 1);
        Assert.Equal(0, rig.Reporting.Events.Notified);
        // Freeing the buddy merges up to order 4: notified at the final order.
        rig.Zone.Free(b, 1);
        Assert.Equal(1, rig.Reporting.Events.Notified);
        // Already REQUESTED: no second schedule.
        Assert.Equal(1, rig.Reporting.Events.Scheduled);
        // __putback_isolated_page frees with FPI_SKIP_REPORT_NOTIFY.
        int c = rig.List(4)[0];
        Assert.True(rig.Zone.IsolateFreePage(c, 4));
        rig.Zone.PutbackIsolatedPage(c, 4);
        Assert.Equal(1, rig.Reporting.Events.Notified);
    }

    [Fact]
    public void A_request_when_idle_schedules_the_work_500_jiffies_from_the_request()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        rig.RunDue();
        Assert.Equal(ReportingStep.Finished, rig.AckUntilPassEnds());
        Assert.Equal(ReportingState.Idle, rig.State);
        Assert.False(rig.Dev.Work!.Pending);
        rig.Clock.Advance(1234);
        long now = rig.Clock.Jiffies;
        int pfn = rig.Zone.Allocate(2, MigrateType.Movable);
        rig.Zone.Free(pfn, 2);
        Assert.Equal(ReportingState.Requested, rig.State);
        Assert.Equal(now + 500, rig.Dev.Work.DueAt);
        Assert.Equal(2, rig.Reporting.Events.Scheduled);
    }

    [Fact]
    public void A_whole_pass_over_a_boot_zone_reports_every_block_in_two_reports_and_goes_idle()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        Assert.Equal(ReportingStep.Finished, rig.AckUntilPassEnds());
        Assert.Equal(2, rig.Device.Reports.Count);
        Assert.All(rig.Device.Reports, r => Assert.Equal(32, r.Length));
        Assert.Equal(64, rig.Zone.NrFree(4));
        Assert.All(rig.List(4), pfn => Assert.True(rig.Reported(pfn)));
        Assert.Equal(64, rig.Reporting.Events.MarkedReported);
        Assert.Equal(ReportingState.Idle, rig.State);
        Assert.False(rig.Dev.Work!.Pending);
        Assert.Equal(ReportingWorkerState.Idle, rig.Worker.State);
        // Nothing pending: time passing runs nothing.
        rig.Clock.Advance(10_000);
        Assert.Equal(ReportingStep.NoProgress, rig.Worker.Step());
    }

    [Fact]
    public void A_notify_while_ACTIVE_does_not_schedule_but_leads_to_another_pass()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        Assert.Equal(ReportingState.Active, rig.State);
        long now = rig.Clock.Jiffies;
        int pfn = rig.Zone.Allocate(2, MigrateType.Movable); // from an unreported order-4 block
        rig.Zone.Free(pfn, 2);                              // merges back: notify at order 4
        Assert.Equal(ReportingState.Requested, rig.State);
        Assert.False(rig.Dev.Work!.Pending);                // ACTIVE -> REQUESTED schedules nothing
        Assert.Equal(1, rig.Reporting.Events.Scheduled);
        Assert.Equal(ReportingStep.Rescheduled, rig.AckUntilPassEnds());
        Assert.Equal(ReportingState.Requested, rig.State);  // the cmpxchg ACTIVE -> IDLE failed
        Assert.True(rig.Dev.Work.Pending);
        Assert.Equal(now + 500, rig.Dev.Work.DueAt);
        // The second pass finds every block reported and goes idle without a report.
        int reports = rig.Device.Reports.Count;
        Assert.Equal(ReportingStep.Finished, rig.RunDue());
        Assert.Equal(reports, rig.Device.Reports.Count);
        Assert.Equal(ReportingState.Idle, rig.State);
    }

    [Fact]
    public void Undoing_an_isolation_frees_the_block_back_without_a_notification_from_5_7()
    {
        var rig = new ReportingRig(ReportingVersion.V5_7).Registered();
        rig.Zone.SetPageblockMigratetype(0, MigrateType.Isolate);
        rig.Zone.SetPageblockMigratetype(0, MigrateType.Movable); // unset_migratetype_isolate: __putback_isolated_page
        Assert.True(rig.Zone.PageBuddy(0) && rig.Zone.PageOrder(0) == 4);
        Assert.Equal(1024, rig.Zone.NrFreePages);
        Assert.Equal(0, rig.Reporting.Events.Notified);
    }
}
