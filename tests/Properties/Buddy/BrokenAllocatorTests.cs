using BuddyModel;
using Checks;
using Harness;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Buddy;

/// <summary>
/// The suite proves its power: each deliberately broken allocator must be caught by the
/// generic properties with a shrunk counterexample of at most 6 operations, naming the
/// invariant it breaks, and the counterexample must replay to the same failure.
/// </summary>
[Trait("Category", "BrokenModel")]
public sealed class BrokenAllocatorTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    /// <summary>variant, the invariant that catches it, part of its message, the shrunk length (this seed, this generator and shrinker).</summary>
    public static TheoryData<string, string, string, int> Caught => new()
    {
        { nameof(MergeStopsOneOrderEarly), "Maximal merging", "expected the free buddies at pfn 56 and pfn 60", 2 },
        { nameof(ExpandReturnsHalfAtWrongOrder), "Exclusive location", "to be a tail page of the free order-1 block", 1 },
        { nameof(FreeForgetsNrFree), "Counters match contents", "the number of blocks on its lists", 0 },
        { nameof(FallbackLeavesBlockOnTwoLists), "Exclusive location", "found corrupt list links", 1 },
        { nameof(MoveFreepagesStopsAfterFirstBlock), "Block shape", "expected the free pages of an isolated pageblock to be on an Isolate list", 2 },
        { nameof(TailFreeGoesToHead), "Placement oracle", "the reference has pfn 192 at position 7, freed at the tail (shuffle_pick_tail said tail) by call #2", 2 },
        { nameof(StealRetypesWrongPageblock), "Placement oracle", "expected pageblock 14 (pfn 56) to be Unmovable, found it is Movable", 1 },
        { nameof(PutbackAtHead), "Placement oracle", "the reference has pfn 0 at position 31, freed at the tail (FPI_TO_TAIL) by call #2", 2 },
    };

    /// <summary>A system of the broken allocator for a scenario.</summary>
    internal static Func<Scenario, BuddySystem> Maker(string variant) => s => new BuddySystem(Make(variant, s.Config));

    /// <summary>The property check that catches the variant, shrunk; single-zone guests: the table's shrunk lengths are those of one zone.</summary>
    internal static PropertyCheck.Result Check(string variant)
    {
        var make = Maker(variant);
        return CheckCache.Get($"allocator {variant}", () =>
            PropertyCheck.Check(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones), s => ScenarioRunner.Run(s, make), maxTest: 400, Seed));
    }

    internal static Zone Make(string variant, ZoneConfig c) => variant switch
    {
        nameof(MergeStopsOneOrderEarly) => new MergeStopsOneOrderEarly(c),
        nameof(ExpandReturnsHalfAtWrongOrder) => new ExpandReturnsHalfAtWrongOrder(c),
        nameof(FreeForgetsNrFree) => new FreeForgetsNrFree(c),
        nameof(FallbackLeavesBlockOnTwoLists) => new FallbackLeavesBlockOnTwoLists(c),
        nameof(MoveFreepagesStopsAfterFirstBlock) => new MoveFreepagesStopsAfterFirstBlock(c),
        nameof(TailFreeGoesToHead) => new TailFreeGoesToHead(c),
        nameof(StealRetypesWrongPageblock) => new StealRetypesWrongPageblock(c),
        nameof(PutbackAtHead) => new PutbackAtHead(c),
        _ => throw new ArgumentException($"unknown broken allocator {variant}", nameof(variant)),
    };

    [Theory]
    [MemberData(nameof(Caught))]
    public void Broken_allocator_is_caught_with_a_short_counterexample_that_replays(string variant, string invariant, string messagePart, int shrunkLength)
    {
        RunReport Run(Scenario s) => ScenarioRunner.Run(s, Maker(variant));

        var result = Check(variant);
        output.WriteLine(PropertyCheck.Explain(result));

        Assert.False(result.Passed, $"{variant} was not caught in {result.Tests} tests");
        Assert.NotNull(result.Shrunk);
        Assert.NotNull(result.ShrunkReport);
        Assert.True(result.Shrunk!.Operations.Count <= 6,
            $"{variant}: shrunk counterexample has {result.Shrunk.Operations.Count} operations:\n{result.Shrunk}");
        Assert.Equal(shrunkLength, result.Shrunk.Operations.Count);
        var violation = result.ShrunkReport!.Violation;
        Assert.NotNull(violation);
        Assert.Equal(invariant, violation!.Invariant);
        Assert.Contains(messagePart, violation.ToString(), StringComparison.Ordinal);
        ViolationSnapshot.Match(variant, result);

        // The counterexample replays to the same failure, byte for byte.
        var replay = Run(result.Shrunk);
        Assert.False(replay.Passed);
        Assert.Equal(result.ShrunkReport.FailureMessage, replay.FailureMessage);
    }

    [Fact]
    public void The_correct_allocator_passes_the_same_check()
    {
        var result = PropertyCheck.Check(BuddyOperationGen.Arbitrary(BuddyOperationGen.SmallZones), s => ScenarioRunner.Run(s), maxTest: 400, Seed);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
    }
}
