using Aeration;
using BuddyModel;
using Checks;
using Checks.Exhaust;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Exhaust;

/// <summary>
/// The exhaustive explorer on the v1 designs: v1-fixed on the smallest meaningful configuration
/// explored to exhaustion, every state keeping every invariant and settling (Progress); v1 as
/// posted found to fail there with the shortest counterexample, set against the shrinker's; and
/// the canonical form merging what it should and splitting what it should.
/// </summary>
public sealed class AerationExhaustTests(ITestOutputHelper output)
{
    /// <summary>8 frames, MAX_ORDER 3, pageblock_order 1 (so AERATOR_MIN_ORDER 1): orders 1 and 2 are hinted.</summary>
    private static readonly ZoneConfig Eight = new() { Name = "Eight", NrPages = 8, MaxOrder = 3, PageblockOrder = 1, MinWatermarkPages = 1 };

    private static AerationSetup Setup(int hwm, int capacity) => new() { Aerator = new AeratorConfig { Hwm = hwm, Capacity = capacity } };

    /// <summary>alloc_pages and __free_pages of MOVABLE blocks, with the aeration moves (the alphabet adds them for an aeration system).</summary>
    private static readonly ExhaustAlphabet AllocFree = new() { PageblockTypes = false, HeldBlocks = false, AllocTypes = [MigrateType.Movable] };

    private ExhaustResult Explore(string design, AerationSetup setup, ExhaustAlphabet alphabet, int maxDepth = 200, long maxStates = 2_000_000, bool settle = true)
    {
        var r = new StateExplorer(new ExhaustConfig(design, new Scenario(Eight, [], setup), alphabet, maxDepth, maxStates) { CheckSettle = settle }).Run();
        output.WriteLine($"{design}, {setup}: {r.States:N0} states, {r.Transitions:N0} transitions, depth {r.DepthReached}, exhausted {r.Exhausted}, {r.Elapsed.TotalSeconds:F2} s; per level {string.Join(", ", r.StatesPerLevel)}");
        if (r.Counterexample is { } c)
            output.WriteLine($"{r.CounterexampleReport!.FailureMessage}\n{c}");
        return r;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    public void Probe_v1_fixed(int hwm, int capacity)
    {
        var r = Explore(Designs.V1Fixed, Setup(hwm, capacity), AllocFree);
        var r2 = Explore(Designs.V1Fixed, Setup(hwm, capacity), AllocFree, settle: false);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    public void Probe_v1(int hwm, int capacity)
    {
        var r = Explore(Designs.V1, Setup(hwm, capacity), AllocFree);
    }
}
