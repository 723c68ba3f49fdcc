using Checks;
using Harness;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Aeration;

/// <summary>
/// Generated sequences of allocator operations, aerator phases, device completions, startup and
/// shutdown against the v1 design; every invariant after every step, progress at the end.
/// </summary>
public sealed class AerationProperties(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    internal static RunReport RunV1(Scenario s) => ScenarioRunner.Run(s, sc => new AerationSystem(sc, AerationDesign.V1));

    internal static RunReport RunFixed(Scenario s) => ScenarioRunner.Run(s, sc => new AerationSystem(sc, AerationDesign.V1Fixed));

    [Fact]
    public void Every_invariant_holds_after_every_step_of_the_fixed_v1_design()
    {
        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(), RunFixed, maxTest: 1000, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.True(result.Passed, PropertyCheck.Explain(result));
    }
}
