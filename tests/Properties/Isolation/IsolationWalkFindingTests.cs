using BuddyModel;
using Checks;
using Harness;
using Harness.Operations;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Isolation;

/// <summary>
/// What the isolation walk lets the generic invariants find, each asserted found with its
/// invariant, a short shrunk counterexample that replays to the same failure, and not found
/// on the same counterexample by the era or version that does it differently. The property
/// counts only the invariant at hand, so that another finding does not hide it.
/// </summary>
public sealed class IsolationWalkFindingTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    private static RunReport OnEra(Scenario s, KernelEra era) => ScenarioRunner.Run(s, (ZoneConfig c) => new BuddySystem(new Zone(c, era)));

    private static Func<Scenario, RunReport> Only(string invariant, Func<Scenario, RunReport> run) => s =>
    {
        var r = run(s);
        return r.Violation?.Invariant == invariant ? r : new RunReport(r.Log, null, null, null);
    };

    private PropertyCheck.Result Find(FsCheck.Arbitrary<Scenario> arb, Func<Scenario, RunReport> run, string invariant, int maxOps, int maxTest = 3000)
    {
        var result = PropertyCheck.Check(arb, Only(invariant, run), maxTest, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed, $"{invariant} was not found");
        Assert.Equal(invariant, result.ShrunkReport!.Violation!.Invariant);
        Assert.True(result.Shrunk!.Operations.Count <= maxOps, $"{result.Shrunk.Operations.Count} operations:\n{result.Shrunk}");
        Assert.Contains(result.Shrunk.Operations, o => o is StartIsolatePageRange);
        Assert.Equal(result.ShrunkReport.FailureMessage, run(result.Shrunk).FailureMessage);
        return result;
    }

    /// <summary>
    /// 5.2 (and every era up to 6.8): free page accounting follows the pageblock, not the list.
    /// undo_isolate_page_range() gives back a MAX_ORDER block pageblock by pageblock; the first
    /// unset frees the whole order-(MAX_ORDER-1) block onto MOVABLE while the next pageblocks
    /// are still isolated; an allocation splits it, and expand() leaves a piece headed in a
    /// still-isolated pageblock on the MOVABLE list, counted. The next unset takes that piece
    /// with __isolate_free_page(), which subtracts nothing in an ISOLATE pageblock, and frees
    /// it again, which adds it: NR_FREE_PAGES counts it twice, for good.
    /// </summary>
    [Fact]
    public void Undo_in_5_2_counts_a_piece_of_a_split_block_twice()
    {
        var result = Find(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones, walks: true), s => OnEra(s, KernelEra.V5_2), "Counters match contents", maxOps: 10);
        Assert.Contains("NR_FREE_PAGES", result.ShrunkReport!.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(result.Shrunk!.Operations, o => o is UndoIsolatePageRange);
        Assert.Contains(result.Shrunk.Operations, o => o is AllocPages);
        // The same counterexample replays under the buddy design (the 5.2 allocator).
        Assert.Equal(result.ShrunkReport.FailureMessage, Designs.Run(Designs.Buddy, result.Shrunk).FailureMessage);
    }

    /// <summary>The same double count under v1-fixed, whose allocator is 5.2's: the aeration system runs the walk between worker and host steps.</summary>
    [Fact]
    public void Undo_in_5_2_counts_a_piece_twice_also_under_v1_fixed()
    {
        var result = Find(AerationOperationGen.Arbitrary(AerationOperationGen.Zones, walks: true), s => Designs.Run(Designs.V1Fixed, s), "Counters match contents", maxOps: 14);
        Assert.Contains(result.Shrunk!.Operations, o => o is UndoIsolatePageRange);
    }

    /// <summary>
    /// 6.0 (5.19 to 6.8): set_migratetype_isolate() moves a free block headed in the pageblock
    /// whole; the split of a block that straddles the range comes later, under a lock hold of
    /// its own. In between, a free block lies on the ISOLATE list with pageblocks outside the
    /// range (hidden from allocation), or on an allocatable list with isolated ones. The 6.10
    /// rework ("prepare for hygienic freelists") splits in the same hold.
    /// </summary>
    [Fact]
    public void The_6_0_walk_leaves_a_straddling_block_on_one_list_between_two_lock_holds()
    {
        var result = Find(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones, walks: true), s => OnEra(s, KernelEra.V6_0), "Block shape", maxOps: 4);
        Assert.Contains("of the block is", result.ShrunkReport!.FailureMessage, StringComparison.Ordinal);
        Assert.True(OnEra(result.Shrunk!, KernelEra.V6_10).Passed, "the 6.10 walk fails the same counterexample");
    }

    /// <summary>
    /// The same window seen from the allocator, the form the 6.10 commit message names ("memory
    /// can still be allocated after isolation"): a pageblock is isolated, the free block headed
    /// in the pageblock before it still spans it on an allocatable list, and an allocation
    /// takes pages of the isolated pageblock.
    /// </summary>
    [Fact]
    public void The_6_0_window_lets_an_allocation_take_pages_of_an_isolated_pageblock()
    {
        var result = Find(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones, walks: true), s => OnEra(s, KernelEra.V6_0), "Differential oracle", maxOps: 6);
        Assert.Contains("no page of an isolated (MIGRATE_ISOLATE) pageblock handed out", result.ShrunkReport!.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(result.Shrunk!.Operations, o => o is AllocPages);
        Assert.True(OnEra(result.Shrunk, KernelEra.V6_10).Passed, "the 6.10 walk fails the same counterexample");
    }

    /// <summary>
    /// 6.10 (the mainline allocator): __putback_isolated_page() frees a held block with
    /// __free_one_page(), not __free_one_page_maybe_split(), by its head's pageblock. When a
    /// block larger than a pageblock was held (by page reporting, or any __isolate_free_page
    /// user) while start_isolate_page_range() isolated one of its pageblocks, it comes back
    /// whole onto one list: pageblocks outside the range hidden on ISOLATE, or an isolated
    /// pageblock allocatable. With MAX_ORDER-aligned isolation (5.10) the whole block is
    /// always on one side.
    /// </summary>
    [Fact]
    public void Mainline_reporting_puts_a_reported_block_back_across_a_partly_isolated_max_order_block()
    {
        var result = Find(ReportingOperationGen.Arbitrary(ReportingOperationGen.Zones, walks: true), s => Designs.Run(Designs.Reporting, s), "Block shape", maxOps: 6);
        Assert.Contains(result.Shrunk!.Operations, o => o is StepWorker);
        Assert.DoesNotContain(result.Shrunk.Operations, o => o is IsolateFreePage or PutbackIsolatedPage);
        Assert.NotEqual("Block shape", Designs.Run("reporting-5.10", result.Shrunk).Violation?.Invariant);
    }

    /// <summary>The same put-back with the plain 6.10 allocator and the operation language's own __isolate_free_page.</summary>
    [Fact]
    public void The_6_10_allocator_puts_any_held_block_back_across_a_partly_isolated_max_order_block()
    {
        var result = Find(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones, walks: true), s => OnEra(s, KernelEra.V6_10), "Block shape", maxOps: 8);
        Assert.Contains(result.Shrunk!.Operations, o => o is PutbackIsolatedPage);
    }
}
