using BuddyModel;
using Checks;
using Harness;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Buddy;

/// <summary>
/// Generated alloc / free / pageblock-migratetype / isolate / putback sequences on small zones;
/// invariants 1 to 4 and the differential oracle are checked after every step.
/// </summary>
public sealed class BuddyProperties(ITestOutputHelper output)
{
    /// <summary>The fixed seed of the default run (PROPERTY_REPLAY overrides it).</summary>
    private const ulong Seed = 20190619;

    [Fact]
    public void Every_buddy_invariant_and_the_oracle_hold_after_every_step()
    {
        var result = PropertyCheck.Check(BuddyOperationGen.Arbitrary(), ScenarioRunner.Run, maxTest: 400, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        Assert.Equal(400, result.Tests);
    }

    [Fact]
    public void The_default_configuration_holds_on_a_large_zone_too()
    {
        var zones = new[] { new ZoneConfig { Name = "Large", NrPages = 4096, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = 16 } };
        var result = PropertyCheck.Check(BuddyOperationGen.Arbitrary(zones), ScenarioRunner.Run, maxTest: 60, Seed, endSize: 200);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
    }

    [Fact]
    public void The_same_seed_gives_the_same_run_byte_for_byte()
    {
        var first = new List<string>();
        var second = new List<string>();
        PropertyCheck.Check(BuddyOperationGen.Arbitrary(), sc => Narrated(sc, first), maxTest: 30, Seed);
        PropertyCheck.Check(BuddyOperationGen.Arbitrary(), sc => Narrated(sc, second), maxTest: 30, Seed);
        Assert.Equal(30, first.Count);
        Assert.Equal(first, second);
        var other = new List<string>();
        PropertyCheck.Check(BuddyOperationGen.Arbitrary(), sc => Narrated(sc, other), maxTest: 30, Seed + 1);
        Assert.NotEqual(first, other);
    }

    private static RunReport Narrated(Scenario sc, List<string> into)
    {
        var report = ScenarioRunner.Run(sc);
        into.Add(sc + "\n" + report.Narrate());
        return report;
    }
}
