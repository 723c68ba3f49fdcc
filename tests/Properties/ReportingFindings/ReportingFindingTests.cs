using Checks;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;
using Reporting;
using Reporting.Virtio;
using Xunit;
using Xunit.Abstractions;

namespace Properties.ReportingFindings;

/// <summary>
/// The merged design's history, rediscovered by the generic invariants: for each row of
/// DOMAIN 8, mainline with that one fix taken out is checked with the ordinary generator (the
/// property counts only the invariant of the flaw at hand, so that the other flaws of an old
/// version do not hide it), the flaw IS found with the expected invariant and message, the
/// shrunk counterexample is short and replays, and mainline passes it. The named version that
/// had the flaw is checked on the same counterexample.
/// </summary>
public sealed class ReportingFindingTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    private static RunReport Run(Scenario s, ReportingVersion v) => ScenarioRunner.Run(s, sc => new PageReportingSystem(sc, v));

    private static Func<Scenario, RunReport> Only(string invariant, ReportingVersion v) => s =>
    {
        var r = Run(s, v);
        return r.Violation?.Invariant == invariant ? r : new RunReport(r.Log, null, null, null);
    };

    private PropertyCheck.Result Find(ReportingVersion broken, string invariant, int maxOps, FsCheck.Arbitrary<Scenario>? arb = null)
    {
        var result = PropertyCheck.Check(arb ?? ReportingOperationGen.Arbitrary(), Only(invariant, broken), maxTest: 3000, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed, $"{invariant} was not found under {broken}");
        Assert.Equal(invariant, result.ShrunkReport!.Violation!.Invariant);
        Assert.True(result.Shrunk!.Operations.Count <= maxOps, result.Shrunk.ToString());
        Assert.Equal(result.ShrunkReport.FailureMessage, Run(result.Shrunk, broken).FailureMessage);
        var fixedRun = Run(result.Shrunk, ReportingVersion.Mainline);
        Assert.True(fixedRun.Passed, $"mainline fails the counterexample: {fixedRun.FailureMessage}");
        return result;
    }

    private static ReportingVersion Without(ReportingFixes fix) => ReportingVersion.Mainline.Without(fix);

    /// <summary>
    /// 5.7 as merged: virtio-balloon reports while the guest poisons free pages and the device
    /// did not negotiate PAGE_POISON; the host discards, the page reads zero, and the allocator's
    /// poison check fails on reuse (fixed in 5.7 stable by virtballoon_validate).
    /// </summary>
    [Fact]
    public void Reporting_with_page_poisoning_and_no_PAGE_POISON_breaks_the_content_contract()
    {
        var r = Find(Without(ReportingFixes.PoisonValidate), "Content contract", 8);
        Assert.Contains("the poison value 0xaaaaaaaaaaaaaaaa", r.ShrunkReport!.Violation!.ToString());
        Assert.Contains("whose backing the host dropped", r.ShrunkReport.Violation.ToString());
        Assert.True(r.Shrunk!.Reporting!.Guest.PagePoisoning);
        Assert.False(r.Shrunk.Reporting.Offered.PagePoison);
        Assert.Equal("Content contract", Run(r.Shrunk, ReportingVersion.V5_7).Violation?.Invariant);
    }

    /// <summary>
    /// Before 2026 the reporting work ran on the ordinary system workqueue: a free during
    /// hibernation scheduled it after virtballoon_freeze deleted the virtqueues, and report()
    /// used the freed reporting_vq.
    /// </summary>
    [Fact]
    public void Reporting_work_during_freeze_uses_the_deleted_virtqueue()
    {
        var r = Find(Without(ReportingFixes.FreezableWork), "Reporting lifetime", 6);
        Assert.Contains("use after free: reporting_vq was deleted by virtballoon_freeze", r.ShrunkReport!.Violation!.ToString());
        Assert.Contains(r.Shrunk!.Operations, op => op is FreezeGuest);
        Assert.Equal("Reporting lifetime", Run(r.Shrunk, ReportingVersion.V5_14).Violation?.Invariant);
    }

    /// <summary>
    /// 5.14: page_reporting_order took any integer and used it at once: an order with no
    /// free_area reports nothing (and 32 &lt;&lt; order wraps in the gate). Validated in 2022.
    /// </summary>
    [Fact]
    public void An_unvalidated_page_reporting_order_names_no_free_area()
    {
        var noDriverOrder = Arb.From(ReportingOperationGen.Scenario(setups: ReportingOperationGen.Setups.Select(s => s with { DriverOrder = null })), ScenarioShrinker.Shrink);
        var r = Find(Without(ReportingFixes.OrderValidated), "Reporting order in range", 4, noDriverOrder);
        Assert.Contains("no free_area of that order exists", r.ShrunkReport!.Violation!.ToString());
        Assert.Contains(r.Shrunk!.Operations, op => op is SetReportingOrder);
        Assert.Equal("Reporting order in range", Run(r.Shrunk, ReportingVersion.V5_14).Violation?.Invariant);
    }

    /// <summary>
    /// Before 2026 prdev->order == 0 meant "no preference": a driver that asked for order 0 got
    /// pageblock_order, so tiny guests reported nothing small. (-1 means unspecified since.)
    /// </summary>
    [Fact]
    public void A_driver_order_of_0_is_never_honoured_before_2026()
    {
        var order0 = Arb.From(ReportingOperationGen.Scenario(setups: ReportingOperationGen.Setups.Select(s => s with { DriverOrder = 0 })), ScenarioShrinker.Shrink);
        var r = Find(Without(ReportingFixes.OrderZeroAllowed), "Reporting order in range", 2, order0);
        Assert.Contains("the driver's requested order 0 used", r.ShrunkReport!.Violation!.ToString());
        Assert.Equal("Reporting order in range", Run(r.Shrunk!, ReportingVersion.V5_14).Violation?.Invariant);
    }

    /// <summary>
    /// 2025 (virtio-ccw): with a dense queue layout the used-buffer notification was lost, so
    /// the worker waited in report() forever: the isolated blocks never came back and
    /// page_reporting_unregister would never return. Reported as a liveness failure (Progress)
    /// naming the blocks, not as a hang of the tool.
    /// </summary>
    [Fact]
    public void A_device_whose_acknowledgement_is_lost_holds_the_isolated_blocks_forever()
    {
        var dense = Arb.From(ReportingOperationGen.Scenario(setups: ReportingOperationGen.Setups.Select(s => s with { Host = s.Host with { DenseLayout = true } })), ScenarioShrinker.Shrink);
        var r = Find(Without(ReportingFixes.UsedNotifyDense), "Progress", 4, dense);
        Assert.Contains("the worker waits forever in report()", r.ShrunkReport!.Violation!.ToString());
        Assert.Contains("isolated block(s) never return (pfn", r.ShrunkReport.Violation.ToString());
    }

    /// <summary>
    /// 2023: the register bound let a driver name order MAX_ORDER, one past the last free_area
    /// (MAX_ORDER was exclusive then).
    /// </summary>
    [Fact]
    public void The_pre_2023_bound_lets_a_driver_name_a_free_area_that_does_not_exist()
    {
        var zones = ReportingOperationGen.Zones;
        var past = Arb.From(ReportingOperationGen.Scenario(setups: ReportingOperationGen.Setups.Select(s => s with { DriverOrder = zones[0].MaxOrder })), ScenarioShrinker.Shrink);
        var r = Find(Without(ReportingFixes.InclusiveMaxOrder), "Reporting order in range", 2, past);
        Assert.Contains("no free_area of that order exists", r.ShrunkReport!.Violation!.ToString());
    }

    /// <summary>Mainline keeps every invariant over the ordinary generator (the same seed as the findings).</summary>
    [Fact]
    public void Mainline_passes_the_generated_scenarios()
    {
        var result = PropertyCheck.Check(ReportingOperationGen.Arbitrary(), s => Run(s, ReportingVersion.Mainline), maxTest: 3000, Seed);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
    }
}
