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

    [Fact]
    public void V1_fixed_holds_on_guests_of_several_zones()
    {
        int above = 0;
        RunReport Run(Scenario s)
        {
            AerationSystem? sys = null;
            var r = ScenarioRunner.Run(s, sc => sys = new AerationSystem(sc, AerationDesign.V1Fixed));
            above += sys?.Facts.GetValueOrDefault(AerationSystem.BatchAboveFirstZoneFact) ?? 0;
            return r;
        }
        var result = PropertyCheck.Check(Arb.From(AerationOperationGen.MultiZoneScenario(), ScenarioShrinker.Shrink), Run, maxTest: 400, Seed);
        output.WriteLine($"{PropertyCheck.Explain(result)}; batches from a zone above the first: {above}");
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        Assert.True(above > 0, "no batch was ever filled from a zone above the first");
    }

    [Fact]
    public void Reporting_holds_on_guests_of_several_zones()
    {
        int above = 0;
        RunReport Run(Scenario s)
        {
            PageReportingSystem? sys = null;
            var r = ScenarioRunner.Run(s, sc => sys = new PageReportingSystem(sc, ReportingVersion.Mainline));
            above += sys?.Facts.GetValueOrDefault(PageReportingSystem.ReportAboveFirstZoneFact) ?? 0;
            return r;
        }
        var result = PropertyCheck.Check(Arb.From(ReportingOperationGen.MultiZoneScenario(), ScenarioShrinker.Shrink), Run, maxTest: 400, Seed);
        output.WriteLine($"{PropertyCheck.Explain(result)}; reports from a zone above the first: {above}");
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        Assert.True(above > 0, "no report ever came from a zone above the first");
    }

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
