using BuddyModel;
using Reporting;
using Xunit;

namespace Properties.ReportingUnit;

/// <summary>
/// page_reporting_process_zone and page_reporting_cycle: capacity, budget, watermarks,
/// MIGRATE_ISOLATE, the scatterlist filled from its end, the list rotation.
/// </summary>
public class CycleTests
{
    [Fact]
    public void A_cycle_isolates_32_blocks_fills_the_scatterlist_from_its_end_and_drops_the_lock_to_report()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10).Registered();
        Assert.Equal(Enumerable.Range(0, 64).Select(i => i * 16), rig.List(4)); // 5.10 boot frees go to the tail
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        var sg = rig.Device.Reports.Single();
        Assert.Equal(32, sg.Length);
        // The first block isolated (pfn 0) sits in sgl[31], the last (pfn 496) in sgl[0].
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (31 - i) * 16), sg.Select(e => e.Pfn));
        Assert.All(sg, e => Assert.Equal(4, e.Order));
        Assert.Equal(32, rig.Zone.NrFree(4));
        Assert.Equal(1024 - 32 * 16, rig.Zone.NrFreePages);
        Assert.Equal(512, rig.List(4)[0]);
        Assert.Equal(ReportingWorkerState.Reporting, rig.Worker.State);
        Assert.False(System.Threading.Monitor.IsEntered(rig.Zone.Lock));
        Assert.Equal(32, rig.Worker.InFlight.Count);
    }

    [Fact]
    public void The_budget_stops_a_list_after_ceil_nr_free_over_512_plus_one_reports_and_requests_another_pass()
    {
        // 100 order-4 blocks: budget = ceil(100 / 512) = 1, so two full reports, then REQUESTED.
        var rig = new ReportingRig(ReportingVersion.V5_10, nrPages: 1600).Registered();
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        Assert.Equal(ReportingStep.Rescheduled, rig.AckUntilPassEnds());
        Assert.Equal(2, rig.Device.Reports.Count);
        Assert.Equal(1, rig.Reporting.Events.BudgetExhausted);
        Assert.Equal(64, rig.List(4).Count(rig.Reported));
        Assert.Equal(ReportingState.Requested, rig.State);
        Assert.Equal(rig.Clock.Jiffies + 500, rig.Dev.Work!.DueAt);
        // The next pass reports the other 36 (one full report of 32 and a leftover of 4).
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        Assert.Equal(ReportingStep.Finished, rig.AckUntilPassEnds());
        Assert.Equal(new[] { 32, 32, 32, 4 }, rig.Device.Reports.Select(r => r.Length));
        Assert.All(rig.List(4), pfn => Assert.True(rig.Reported(pfn)));
    }

    [Fact]
    public void The_list_is_rotated_so_that_the_first_unreported_block_is_at_the_head()
    {
        // 5.7: drained blocks go back to the head (buddy_merge_likely is false at MAX_ORDER-1),
        // so reported blocks sit in front of unreported ones until a rotation moves them.
        var rig = new ReportingRig(ReportingVersion.V5_7, nrPages: 1600).Registered();
        var boot = rig.List(4);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (99 - i) * 16), boot); // 5.7 boot frees go to the head
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        Assert.Equal(ReportingStep.Rescheduled, rig.AckUntilPassEnds());
        var b = boot.ToArray(); // b[i]: the i-th block of the boot list
        var expected = b[64..].Concat(b[..32]).Concat(b[32..64]).ToList();
        Assert.Equal(expected, rig.List(4));
        Assert.All(b[64..], pfn => Assert.False(rig.Reported(pfn)));
        Assert.All(b[..64], pfn => Assert.True(rig.Reported(pfn)));
    }

    [Fact]
    public void A_zone_below_low_plus_32_blocks_of_the_reporting_order_is_skipped()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10);
        // Leave 8 order-4 blocks free: 128 pages, gate = low 10 + (32 << 2) = 138.
        for (int i = 0; i < 56; i++)
            rig.Zone.Allocate(4, MigrateType.Movable);
        Assert.Equal(128, rig.Zone.NrFreePages);
        Assert.Equal(138, rig.Reporting.ZoneGate(rig.Zone));
        rig.Registered();
        Assert.Equal(ReportingStep.Finished, rig.RunDue());
        Assert.Empty(rig.Device.Reports);
        Assert.Equal(1, rig.Reporting.Events.ZonesBelowGate);
        Assert.Equal(ReportingState.Idle, rig.State);
    }

    [Fact]
    public void Isolation_stops_at_the_min_watermark_and_the_leftover_is_reported()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10);
        // 9 free order-4 blocks: 144 > gate 138. __isolate_free_page needs free > min 8 + 16.
        for (int i = 0; i < 55; i++)
            rig.Zone.Allocate(4, MigrateType.Movable);
        rig.Registered();
        Assert.Equal(ReportingStep.Submitted, rig.RunDue());
        Assert.Equal(ReportingWorkerState.ReportingLeftover, rig.Worker.State);
        Assert.Equal(8, rig.Device.Reports.Single().Length);
        Assert.Equal(16, rig.Zone.NrFreePages);
        Assert.Single(rig.List(4));
        Assert.Equal(ReportingStep.Finished, rig.AckUntilPassEnds());
        Assert.Equal(8, rig.List(4).Count(rig.Reported));
        Assert.False(rig.Reported(rig.List(4)[0])); // the refused block is at the head, unreported
    }

    [Fact]
    public void Blocks_on_the_ISOLATE_list_are_never_reported()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10);
        rig.Zone.SetPageblockMigratetype(160, MigrateType.Isolate); // isolates the MAX_ORDER block 160..175
        Assert.Equal(new[] { 160 }, rig.List(4, MigrateType.Isolate));
        rig.Registered();
        rig.RunDue();
        Assert.Equal(ReportingStep.Finished, rig.AckUntilPassEnds());
        Assert.DoesNotContain(rig.Device.Reports.SelectMany(r => r), e => e.Pfn == 160);
        Assert.Equal(63, rig.Device.Reports.Sum(r => r.Length));
        Assert.False(rig.Reported(160));
        Assert.Equal(new[] { 160 }, rig.List(4, MigrateType.Isolate));
    }

    [Fact]
    public void Reporting_covers_every_order_from_the_reporting_order_and_every_migratetype()
    {
        var rig = new ReportingRig(ReportingVersion.V5_10);
        int p = rig.Zone.Allocate(1, MigrateType.Unmovable); // steals a block: halves at orders 3, 2, 1 on UNMOVABLE
        Assert.Equal(0, p);
        rig.Registered();
        rig.RunDue();
        // 2 + 30 blocks, then 32 more: the order-4 budget (ceil(63 / 512) = 1) is spent with one block left.
        Assert.Equal(ReportingStep.Rescheduled, rig.AckUntilPassEnds());
        rig.RunDue();
        Assert.Equal(ReportingStep.Finished, rig.AckUntilPassEnds());
        Assert.Equal(new[] { 32, 32, 1 }, rig.Device.Reports.Select(r => r.Length));
        var reported = rig.Device.Reports.SelectMany(r => r).ToList();
        Assert.Contains(new ScatterEntry(4, 2), reported);
        Assert.Contains(new ScatterEntry(8, 3), reported);
        Assert.DoesNotContain(reported, e => e.Order < 2); // the order-1 half at pfn 2 is below the reporting order
        Assert.Equal(63 + 2, reported.Count);
        Assert.True(rig.Reported(4) && rig.Reported(8));
        Assert.False(rig.Reported(2));
    }
}
