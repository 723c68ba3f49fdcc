using Checks;
using Harness;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Aeration;

/// <summary>
/// The default aeration run must reach the situations where the design's bugs live; a property
/// that passes without reaching them proves little. Prints every fact with its count.
/// </summary>
public sealed class ReachabilityTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    public static readonly string[] Required =
    [
        "batch out while a buddy of one of its blocks was freed",
        "boundary moved because its block was allocated",
        "zone re-requested during a pass",
        "shutdown overlapped an in-flight hint",
    ];

    [Fact]
    public void The_default_run_reaches_every_reachability_fact()
    {
        var facts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long operations = 0;
        RunReport Run(Scenario s)
        {
            AerationSystem? system = null;
            var report = ScenarioRunner.Run(s, sc => system = new AerationSystem(sc, AerationDesign.V1Fixed));
            operations += report.Log.Count;
            foreach (var (name, count) in system!.Facts)
                facts[name] = facts.GetValueOrDefault(name) + count;
            return report;
        }

        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(), Run, maxTest: 300, Seed);
        Assert.True(result.Passed, PropertyCheck.Explain(result));

        output.WriteLine($"{result.Tests} scenarios, {operations} steps");
        foreach (var (name, count) in facts)
            output.WriteLine($"{count,8}  {name}");
        foreach (var fact in Required)
            Assert.True(facts.GetValueOrDefault(fact) > 0, $"the default run never reached: {fact}");
    }
}
