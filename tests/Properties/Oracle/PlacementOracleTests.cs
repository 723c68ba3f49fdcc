using BuddyModel;
using Checks;
using Harness;
using Properties.Buddy;
using Reporting;
using Specs.Oracle;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Oracle;

/// <summary>
/// The placement oracle (Specs/Oracle/ReferenceLists) on its own: its boot lists are the
/// kernel's in every era, it follows a design's tail, and on the hinting designs it is not idle
/// (v1's boundary insertions and the merged design's rotations reach it) while it agrees with
/// the correct models.
/// </summary>
public sealed class PlacementOracleTests(ITestOutputHelper output)
{
    private static readonly ZoneConfig Small = new() { Name = "Small", NrPages = 256, MaxOrder = 6, PageblockOrder = 3, MinWatermarkPages = 4 };

    [Theory]
    [InlineData(KernelEra.V5_2, new[] { 224, 192, 160, 128, 96, 64, 32, 0 })]
    [InlineData(KernelEra.V5_7, new[] { 224, 192, 160, 128, 96, 64, 32, 0 })]
    [InlineData(KernelEra.V5_10, new[] { 0, 32, 64, 96, 128, 160, 192, 224 })]
    public void Boot_lists_descend_before_5_10_and_ascend_from_it_and_match_the_zone(KernelEra era, int[] expected)
    {
        var zone = new Zone(Small, era);
        var oracle = new ReferenceLists(zone);
        Assert.Equal(expected, oracle.List(5, MigrateType.Movable));
        Assert.Null(oracle.Compare(zone));
    }

    [Fact]
    public void A_shuffled_boot_draws_the_zones_bits_and_matches_it()
    {
        var zone = new Zone(Small with { ShuffleSeed = 7 });
        var oracle = new ReferenceLists(zone);
        Assert.NotEqual(new[] { 224, 192, 160, 128, 96, 64, 32, 0 }, oracle.List(5, MigrateType.Movable));
        Assert.Null(oracle.Compare(zone));
    }

    /// <summary>
    /// 5.10's __free_one_page tests FPI_TO_TAIL before is_shuffle_order, so the boot frees
    /// (FPI_TO_TAIL) draw no bit: the first plain free at the shuffle order takes the
    /// generator's first bit. (The zone once drew a bit for every boot block.)
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void In_5_10_a_free_to_the_tail_draws_no_shuffle_bit(int seed)
    {
        var zone = new Zone(Small with { ShuffleSeed = seed }, KernelEra.V5_10);
        Assert.Equal(new[] { 0, 32, 64, 96, 128, 160, 192, 224 }, new ReferenceLists(zone).List(5, MigrateType.Movable));
        int pfn = zone.Allocate(5, MigrateType.Movable); // the head: pfn 0
        zone.Free(pfn, 5);
        bool tail = new Random(seed).Next(2) == 1;
        int head = zone.ListHead(5, MigrateType.Movable);
        Assert.Equal(0, tail ? zone.Lists.Prev(head) : zone.Lists.Next(head));
    }

    /// <summary>A design whose "tail" is the last block of a list: a tail insertion goes in just before it.</summary>
    private sealed class TailBeforeLast : IFreePageHinting
    {
        public int GetTail(Zone zone, int order, MigrateType mt)
        {
            int head = zone.ListHead(order, mt);
            return zone.Lists.IsEmpty(head) ? head : zone.Lists.Prev(head);
        }

        public void DelFromFreeList(Zone zone, int pfn, int order, MigrateType mt) { }

        public void FreeOnePageDone(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags, bool merged) { }

        public void AddedByExpand(Zone zone, int pfn, int order, MigrateType mt) { }
    }

    [Fact]
    public void A_tail_insertion_goes_before_the_block_the_design_names_and_a_zone_that_ignores_it_is_caught()
    {
        var systems = new List<BuddySystem>();
        RunReport Run(Scenario s, bool broken) => ScenarioRunner.Run(s, c =>
        {
            var zone = broken ? new TailFreeGoesToHead(c) : new Zone(c);
            zone.Hinting = new TailBeforeLast();
            var system = new BuddySystem(zone);
            systems.Add(system);
            return system;
        });

        var right = PropertyCheck.Check(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones), s => Run(s, broken: false), maxTest: 200, seed: 20190619);
        Assert.True(right.Passed, PropertyCheck.Explain(right));
        int named = systems.Sum(s => s.Placements.Sum(p => p.DesignTailInsertions));
        output.WriteLine($"{systems.Count} runs, {named} tail insertions before the design's block");
        Assert.True(named > 0);

        var wrong = PropertyCheck.Check(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones), s => Run(s, broken: true), maxTest: 200, seed: 20190619);
        output.WriteLine(PropertyCheck.Explain(wrong));
        Assert.False(wrong.Passed);
        Assert.Equal(ReferenceLists.InvariantName, wrong.ShrunkReport!.Violation!.Invariant);
        Assert.True(wrong.Shrunk!.Operations.Count <= 6);
    }

    [Fact]
    public void On_v1_fixed_runs_the_oracle_places_blocks_at_the_boundary_and_agrees()
    {
        var systems = new List<AerationSystem>();
        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(), s =>
            ScenarioRunner.Run(s, sc => { var a = new AerationSystem(sc, AerationDesign.V1Fixed); systems.Add(a); return a; }), maxTest: 200, seed: 20190619);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        int atBoundary = systems.Sum(a => a.Placements.Sum(p => p.DesignTailInsertions));
        output.WriteLine($"{systems.Count} runs, {atBoundary} tail insertions before a boundary block");
        Assert.True(atBoundary > 0, "no run put a block in front of a v1 boundary: the oracle's design-tail path was never used");
    }

    /// <summary>On reporting-5.10 (the 5.10 allocator; mainline's 6.10 one is below, with the walk); its other findings do not count here.</summary>
    [Fact]
    public void On_reporting_runs_the_oracle_replays_rotations_and_agrees()
    {
        var systems = new List<PageReportingSystem>();
        // reporting-5.10 has findings of its own (the dense layout's lost used-buffer notification):
        // only the placement oracle's verdict counts here.
        var result = PropertyCheck.Check(ReportingOperationGen.Arbitrary(ReportingOperationGen.Zones), s =>
        {
            var run = ScenarioRunner.Run(s, sc => { var r = new PageReportingSystem(sc, ReportingVersion.V5_10); systems.Add(r); return r; });
            return run.Violation?.Invariant == ReferenceLists.InvariantName ? run : new RunReport(run.Log, null, null, null);
        }, maxTest: 200, seed: 20200407);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        int rotations = systems.Sum(r => r.Placements.Sum(p => p.Rotations));
        output.WriteLine($"{systems.Count} runs, {rotations} rotations replayed");
        Assert.True(rotations > 0, "no run rotated a free list: the oracle's rotation path was never used");
    }

    /// <summary>
    /// The 6.x eras and the isolation walk are compared too: on the plain allocator of each era
    /// with the walk generated, the reference replays every set_migratetype_isolate,
    /// unset_migratetype_isolate and split_free_page step and agrees after each. The eras'
    /// own findings (IsolationWalkFindingTests) do not count here; a broken step is caught
    /// (BrokenIsolation, PlacementOracleCatchesBrokenSplitTests).
    /// </summary>
    [Theory]
    [InlineData(KernelEra.V5_2)]
    [InlineData(KernelEra.V5_10)]
    [InlineData(KernelEra.V6_0)]
    [InlineData(KernelEra.V6_10)]
    public void On_the_isolation_walk_of_every_era_the_oracle_replays_its_steps_and_agrees(KernelEra era)
    {
        var systems = new List<BuddySystem>();
        var result = PropertyCheck.Check(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones, walks: true), s =>
        {
            var run = ScenarioRunner.Run(s, sc => { var b = new BuddySystem(sc.Zones.Select(c => new Zone(c, era)).ToList()); systems.Add(b); return b; });
            return run.Violation?.Invariant == ReferenceLists.InvariantName ? run : new RunReport(run.Log, null, null, null);
        }, maxTest: 400, seed: 20190619);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        int steps = systems.Sum(b => b.Placements.Sum(p => p.WalkSteps));
        output.WriteLine($"{systems.Count} runs, {steps} walk steps replayed");
        Assert.True(steps > 0, "no run took a walk step: the oracle's walk path was never used");
    }

    /// <summary>Mainline reporting (the 6.10 allocator) with the walk: only the placement oracle's verdict counts (the put-back finding is the Block shape invariant's).</summary>
    [Fact]
    public void On_mainline_reporting_with_the_walk_the_oracle_agrees()
    {
        var systems = new List<PageReportingSystem>();
        var result = PropertyCheck.Check(ReportingOperationGen.Arbitrary(ReportingOperationGen.Zones, walks: true), s =>
        {
            var run = ScenarioRunner.Run(s, sc => { var r = new PageReportingSystem(sc, ReportingVersion.Mainline); systems.Add(r); return r; });
            return run.Violation?.Invariant == ReferenceLists.InvariantName ? run : new RunReport(run.Log, null, null, null);
        }, maxTest: 200, seed: 20200407);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        Assert.True(systems.Sum(r => r.Placements.Sum(p => p.Rotations)) > 0, "no run rotated a free list");
        Assert.True(systems.Sum(r => r.Placements.Sum(p => p.WalkSteps)) > 0, "no run took a walk step");
    }
}
