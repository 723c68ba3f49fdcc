using Checks;
using FsCheck;
using FsCheck.Fluent;
using BuddyModel;
using Harness;
using Harness.Operations;
using Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Properties.ReportingFindings;

/// <summary>
/// Reported blocks reused last (Specs.Reporting.ReportedReusedLast), a performance property:
/// 5.7 put reported blocks back where buddy_merge_likely said, mostly the head, so the next
/// allocations took memory the host had just dropped (a fault and a zeroed page each); 5.10
/// puts them at the tail (FPI_TO_TAIL). The property is relative, not absolute: mainline itself
/// can leave a raw block behind reported ones (a put-back that merges goes to the tail raw, a
/// block moved between lists goes to the tail), so the suite compares, over the same generated
/// scenarios, how often an allocation takes a reported block from the head of a list that also
/// holds an unreported one. Scenarios keep every block on its list (Movable allocations, no
/// migratetype change or isolation), the situation in which the tail placement is meant to work.
/// </summary>
public sealed class ReportedReuseTests(ITestOutputHelper output)
{
    private static Gen<Scenario> StayOnTheirLists(ZoneConfig zone) =>
        ReportingOperationGen.Scenario([zone]).Select(s => s with
        {
            Operations = s.Operations
                .Where(o => o is not (FreezeGuest or SetPageblockMigratetype or IsolateFreePage or PutbackIsolatedPage or SetReportingOrder or UnregisterReporting))
                .Select(o => o is AllocPages a ? a with { Mt = MigrateType.Movable } : o)
                .ToList(),
        });

    private static long ReportedFirst(IReadOnlyList<Scenario> scenarios, ReportingVersion v)
    {
        long hits = 0;
        foreach (var sc in scenarios)
        {
            PageReportingSystem? sys = null;
            var report = ScenarioRunner.Run(sc, s => sys = new PageReportingSystem(s, v));
            Assert.True(report.Passed || v != ReportingVersion.Mainline, report.FailureMessage);
            hits += sys!.Facts.TryGetValue(PageReportingSystem.ReportedFirstFact, out int n) ? n : 0;
        }
        return hits;
    }

    [Theory]
    [InlineData("Flat", 3)]
    [InlineData("Small", 2)]
    public void Putting_reported_blocks_back_at_the_head_makes_the_guest_reuse_them_first(string zoneName, int factor)
    {
        var zone = ReportingOperationGen.Zones.Single(z => z.Name == zoneName);
        var scenarios = StayOnTheirLists(zone).Sample(100, new Rnd(20190619UL, 11400714819323198485UL), 2000).ToList();
        int allocations = scenarios.Sum(s => s.Operations.Count(o => o is AllocPages));
        long head = ReportedFirst(scenarios, ReportingVersion.Mainline.Without(ReportingFixes.PutbackToTail));
        long tail = ReportedFirst(scenarios, ReportingVersion.Mainline);
        output.WriteLine($"{zoneName}: of {allocations} allocations, {head} took a reported block before an unreported one with the 5.7 placement, {tail} with FPI_TO_TAIL");
        Assert.True(head >= factor * Math.Max(1, tail),
            $"the 5.7 placement should make the guest reuse reported blocks first at least {factor}x as often as FPI_TO_TAIL: {head} against {tail} of {allocations} allocations");
    }

    /// <summary>
    /// The smallest scenario that shows it, shrunk: the 5.7 placement makes an allocation take a
    /// reported block before an unreported one of the same list, and FPI_TO_TAIL does not.
    /// </summary>
    [Fact]
    public void The_head_placement_shrinks_to_a_short_scenario_that_mainline_passes()
    {
        var zone = ReportingOperationGen.Zones.Single(z => z.Name == "Flat");
        var head = ReportingVersion.Mainline.Without(ReportingFixes.PutbackToTail);
        RunReport Differ(Scenario sc)
        {
            PageReportingSystem? a = null, b = null;
            var ra = ScenarioRunner.Run(sc, s => a = new PageReportingSystem(s, head));
            ScenarioRunner.Run(sc, s => b = new PageReportingSystem(s, ReportingVersion.Mainline));
            int hitsHead = a!.Facts.GetValueOrDefault(PageReportingSystem.ReportedFirstFact);
            int hitsTail = b!.Facts.GetValueOrDefault(PageReportingSystem.ReportedFirstFact);
            return hitsHead > hitsTail
                ? new RunReport(ra.Log, ra.Log.Count, new Specs.Violation(Specs.Reporting.ReportedReusedLast.Name, zone.Name,
                    "an allocation to take an unreported block while its list holds one (as FPI_TO_TAIL does here)",
                    $"{hitsHead} allocation(s) took a reported block first ({hitsTail} with FPI_TO_TAIL)"), null)
                : new RunReport(ra.Log, null, null, null);
        }
        var result = PropertyCheck.Check(Arb.From(StayOnTheirLists(zone), ScenarioShrinker.Shrink), Differ, maxTest: 2000, 20190619);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed, "no scenario shows the 5.7 placement reusing a reported block first");
        Assert.True(result.Shrunk!.Operations.Count <= 12, result.Shrunk.ToString());
        Assert.Equal(result.ShrunkReport!.FailureMessage, Differ(result.Shrunk).FailureMessage);
        Assert.Contains(result.Shrunk.Operations, op => op is AllocPages);
    }
}
