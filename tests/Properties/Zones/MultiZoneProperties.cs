using Checks;
using FsCheck.Fluent;
using Harness;
using Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Zones;

/// <summary>
/// v1-fixed and mainline reporting hold every invariant on guests of several zones (DMA32 +
/// Normal; DMA + DMA32 + a hole + Normal), and the runs reach what only several zones have: a
/// batch or a report from a zone above the first.
/// </summary>
public sealed class MultiZoneProperties(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    /// <summary>
    /// The property for one design: every invariant holds over the multi-zone scenarios, and
    /// the runs counted the fact that only a zone above the first can produce at least once.
    /// </summary>
    private void HoldsAndReachesAZoneAboveTheFirst(FsCheck.Gen<Scenario> scenarios, Func<Scenario, GuestSystem> make, string fact, string what)
    {
        int above = 0;
        RunReport Run(Scenario s)
        {
            GuestSystem? sys = null;
            var r = ScenarioRunner.Run(s, sc => sys = make(sc));
            above += sys?.Facts.GetValueOrDefault(fact) ?? 0;
            return r;
        }
        var result = PropertyCheck.Check(Arb.From(scenarios, ScenarioShrinker.Shrink), Run, maxTest: 400, Seed);
        output.WriteLine($"{PropertyCheck.Explain(result)}; {what} from a zone above the first: {above}");
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        Assert.True(above > 0, $"no {what} ever came from a zone above the first");
    }

    [Fact]
    public void V1_fixed_holds_on_guests_of_several_zones() =>
        HoldsAndReachesAZoneAboveTheFirst(AerationOperationGen.MultiZoneScenario(), sc => new AerationSystem(sc, AerationDesign.V1Fixed), AerationSystem.BatchAboveFirstZoneFact, "batch");

    [Fact]
    public void Reporting_holds_on_guests_of_several_zones() =>
        HoldsAndReachesAZoneAboveTheFirst(ReportingOperationGen.MultiZoneScenario(), sc => new PageReportingSystem(sc, ReportingVersion.Mainline), PageReportingSystem.ReportAboveFirstZoneFact, "report");

    [Fact]
    public void The_buddy_allocator_holds_on_guests_of_several_zones()
    {
        var scenarios =
            from layout in Gen.Elements(BuddyOperationGen.Layouts)
            from w in BuddyOperationGen.SwarmWeights
            from ops in Gen.ArrayOf(BuddyOperationGen.Operation(layout[0], w, layout.Length), 60)
            select new Scenario(layout[0], ops, null, null, ZoneLayouts.More(layout));
        var result = PropertyCheck.Check(Arb.From(scenarios, ScenarioShrinker.Shrink),
            ScenarioRunner.Run, maxTest: 300, Seed);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
    }
}
