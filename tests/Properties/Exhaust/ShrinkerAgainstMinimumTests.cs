using BuddyModel;
using Checks;
using Checks.Exhaust;
using Harness;
using Properties.Buddy;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Exhaust;

/// <summary>
/// The shrinker measured against the minimum: for every deliberately broken allocator, the
/// breadth-first explorer finds the shortest counterexample on the configuration the shrinker
/// ended on (the same zone, the full buddy alphabet), and the shrinker's is as short.
/// </summary>
[Trait("Category", "BrokenModel")]
public sealed class ShrinkerAgainstMinimumTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var row in BrokenAllocatorTests.Caught)
            data.Add((string)row[0]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void The_shrunk_counterexample_of_a_broken_allocator_is_as_short_as_the_breadth_first_minimum(string variant)
    {
        Func<Scenario, BuddySystem> make = s => new BuddySystem(BrokenAllocatorTests.Make(variant, s.Config));
        var shrunk = PropertyCheck.Check(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones), s => ScenarioRunner.Run(s, make), maxTest: 400, Seed).Shrunk!;
        var config = new ExhaustConfig(variant, new Scenario(shrunk.Config, []), new ExhaustAlphabet(), MaxDepth: shrunk.Operations.Count, MaxStates: 3_000_000);
        var bfs = new StateExplorer(config, make).Run();
        output.WriteLine($"{variant}: shrinker {shrunk.Operations.Count} operations, breadth-first {bfs.Counterexample?.Operations.Count.ToString() ?? "none"} ({bfs.States:N0} states, {bfs.Transitions:N0} transitions, {bfs.Elapsed.TotalSeconds:F1} s)\n{bfs.Counterexample}");
        Assert.False(bfs.Passed, $"the explorer found no violation within the shrinker's length: {bfs.StoppedBecause}");
        Assert.Equal(bfs.Counterexample!.Operations.Count, shrunk.Operations.Count);
        Assert.Equal(bfs.CounterexampleReport!.Violation?.Invariant, ScenarioRunner.Run(shrunk, make).Violation?.Invariant);
    }
}
