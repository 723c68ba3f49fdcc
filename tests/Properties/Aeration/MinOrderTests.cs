using Checks;
using Harness;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Aeration;

/// <summary>
/// AERATOR_MIN_ORDER other than pageblock_order (AerationOperationGen.SetupsWithMinOrders, the
/// setups `check` draws): v1-fixed keeps every invariant with it, and a bug that confuses the
/// two constants is invisible with v1's MIN_ORDER and caught with another.
/// </summary>
public sealed class MinOrderTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    private static RunReport Run(AerationDesign design, Scenario s) => ScenarioRunner.Run(s, sc => new AerationSystem(sc, design));

    [Fact]
    public void V1_fixed_keeps_every_invariant_with_other_min_orders()
    {
        int other = 0;
        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(AerationOperationGen.Zones, AerationOperationGen.SetupsWithMinOrders()), s =>
        {
            if (s.Aeration!.Aerator.MinOrder is int m && m != s.Config.PageblockOrder)
                other++;
            return Run(AerationDesign.V1Fixed, s);
        }, maxTest: 500, Seed);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        output.WriteLine($"{other} of {result.Tests} scenarios with MIN_ORDER other than pageblock_order");
        Assert.True(other >= result.Tests / 5, $"only {other} of {result.Tests} scenarios had another MIN_ORDER");
    }

    [Fact]
    public void A_notify_that_screens_by_pageblock_order_passes_with_v1s_min_order_and_is_caught_with_another()
    {
        var design = BrokenAerators.Design(nameof(NotifyScreensByPageblockOrder));
        var blind = PropertyCheck.Check(AerationOperationGen.Arbitrary(AerationOperationGen.Zones), s => Run(design, s), maxTest: 500, Seed);
        Assert.True(blind.Passed, "with MIN_ORDER = pageblock_order the two screens are the same, yet: " + PropertyCheck.Explain(blind));

        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(AerationOperationGen.Zones, AerationOperationGen.SetupsWithMinOrders()), s => Run(design, s), maxTest: 2000, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed, "not caught with other MIN_ORDERs");
        Assert.Equal("Progress", result.ShrunkReport!.Violation!.Invariant);
        Assert.True(result.Shrunk!.Operations.Count <= 16, result.Shrunk.ToString());
        Assert.True(result.Shrunk.Aeration!.Aerator.MinOrder < result.Shrunk.Config.PageblockOrder, $"shrunk to MIN_ORDER {result.Shrunk.Aeration.Aerator.MinOrder}");
        Assert.Equal(result.ShrunkReport.FailureMessage, Run(design, result.Shrunk).FailureMessage);
    }
}
