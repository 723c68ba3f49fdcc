using BuddyModel;
using Checks;
using Harness;
using Harness.Operations;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Isolation;

/// <summary>
/// The suite's power over the isolation walk: each deliberately broken isolation is caught by
/// the generic properties (BuddyOperationGen with the walk mixed in) with a shrunk
/// counterexample of at most 8 operations, naming an invariant it breaks, and the
/// counterexample replays to the same failure. The baseline is the 6.10 allocator without
/// __isolate_free_page / __putback_isolated_page and one-step isolation, which passes the same check (with those two
/// it has a finding of its own: IsolationWalkFindingTests).
/// </summary>
[Trait("Category", "BrokenModel")]
public sealed class BrokenIsolationTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    public static TheoryData<string, string[]> Variants => new()
    {
        { nameof(IsolateForgetsToMoveFreePages), ["Block shape", "Differential oracle", "Placement oracle"] },
        { nameof(SplitLosesLastPageblock), ["Exclusive location", "Differential oracle", "Counters match contents"] },
        { nameof(SplitPutsPiecesOnHeadsList), ["Block shape", "Differential oracle"] },
        { nameof(SplitFreesHighestPieceFirst), ["Placement oracle"] },
    };

    internal static Zone Make(string variant, ZoneConfig c) => variant switch
    {
        nameof(IsolateForgetsToMoveFreePages) => new IsolateForgetsToMoveFreePages(c),
        nameof(SplitLosesLastPageblock) => new SplitLosesLastPageblock(c),
        nameof(SplitPutsPiecesOnHeadsList) => new SplitPutsPiecesOnHeadsList(c),
        nameof(SplitFreesHighestPieceFirst) => new SplitFreesHighestPieceFirst(c),
        "correct" => new Zone(c, KernelEra.V6_10),
        _ => throw new ArgumentException($"unknown broken isolation {variant}", nameof(variant)),
    };

    /// <summary>
    /// The walk's generator without the two operations that hold blocks off the lists, and
    /// with the walk as the only isolator (no one-step "set pageblock to Isolate", which shares
    /// set_migratetype_isolate's code and would find the same bugs without a walk).
    /// </summary>
    internal static FsCheck.Arbitrary<Scenario> WalksWithoutHeldBlocks() =>
        FsCheck.Fluent.Arb.From(
            FsCheck.Fluent.Gen.Select(BuddyOperationGen.Scenario(BuddyOperationGen.SmallZones, walks: true),
                s => s with { Operations = s.Operations.Where(o => o is not (IsolateFreePage or PutbackIsolatedPage or SetPageblockMigratetype { Mt: MigrateType.Isolate })).ToArray() }),
            ScenarioShrinker.Shrink);

    private static RunReport Run(string variant, Scenario s) => ScenarioRunner.Run(s, Maker(variant));

    /// <summary>A system of the broken isolation for a scenario.</summary>
    internal static Func<Scenario, BuddySystem> Maker(string variant) => sc => new BuddySystem(Make(variant, sc.Config));

    /// <summary>The property check that catches the variant, shrunk.</summary>
    internal static PropertyCheck.Result Check(string variant) =>
        CheckCache.Get($"isolation {variant}", () => PropertyCheck.Check(WalksWithoutHeldBlocks(), s => Run(variant, s), maxTest: 1000, Seed));

    [Theory]
    [MemberData(nameof(Variants))]
    public void Broken_isolation_is_caught_with_a_short_counterexample_that_replays(string variant, string[] invariants)
    {
        var result = Check(variant);
        output.WriteLine(PropertyCheck.Explain(result));

        Assert.False(result.Passed, $"{variant} was not caught in {result.Tests} tests");
        Assert.True(result.Shrunk!.Operations.Count <= 8, $"{variant}: {result.Shrunk.Operations.Count} operations:\n{result.Shrunk}");
        Assert.Contains(result.ShrunkReport!.Violation!.Invariant, invariants);
        Assert.Contains(result.Shrunk.Operations, o => o is StartIsolatePageRange);
        var replay = Run(variant, result.Shrunk);
        Assert.False(replay.Passed);
        Assert.Equal(result.ShrunkReport.FailureMessage, replay.FailureMessage);
        Assert.True(Run("correct", result.Shrunk).Passed, "the correct 6.10 allocator fails the same counterexample");
    }

    [Fact]
    public void The_correct_6_10_allocator_passes_the_same_check()
    {
        var result = PropertyCheck.Check(WalksWithoutHeldBlocks(), s => Run("correct", s), maxTest: 1000, Seed);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
    }
}
