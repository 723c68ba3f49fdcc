using Checks;
using FsCheck.Fluent;
using Harness;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Aeration;

/// <summary>
/// Each deliberately broken aerator must be caught by the generic invariants with a shrunk
/// counterexample of at most 12 operations that replays to the same failure.
/// </summary>
[Trait("Category", "BrokenModel")]
public sealed class BrokenAeratorTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    /// <summary>variant, the invariant that catches it, part of its message, the shrunk length (this seed, this generator and shrinker).</summary>
    public static TheoryData<string, string, string, int> Caught => new()
    {
        { nameof(TailIgnoresBoundary), "No raw block below the boundary", "expected every block from the boundary", 7 },
        { nameof(BoundaryNotFixedOnDelete), "No raw block below the boundary", "to be the list head or a block of free_area[4]", 6 },
        { nameof(MergedBlockKeepsMark), "Aerated means hinted", "with pages the host was never told about", 7 },
        { nameof(ShutdownWithoutWaiting), "Refcount accounting", "expected refcnt 0 and an empty batch once aerator_shutdown returned", 2 },
        { nameof(HostDropsAfterAck), "Aerated means hinted", "with pages the host was never told about", 5 },
        { "PoisoningWithoutPagePoison", "Content contract", "whose backing the host dropped", 6 },
        { nameof(ClearAeratedCountsOnlyWhenActive), "Aerated accounting", "nr_free_aerated", 8 },
        { nameof(ShutdownUnpublishesBeforeWaiting), "Device lifetime", "a_dev_info is NULL while the worker runs", 2 },
        { nameof(DriverHintsPageCount), "Well-formed hints", "found it refused one: hint 0", 1 },
    };

    /// <summary>The setups the variant runs with: the poisoning variant is v1's driver (no check) with poisoning on and no PAGE_POISON.</summary>
    private static FsCheck.Gen<AerationSetup>? SetupsFor(string variant) =>
        variant != "PoisoningWithoutPagePoison" ? null
        : AerationOperationGen.Setups.Select(s => s with
        {
            PagePoisoning = true,
            Features = s.Features with { PagePoison = false },
            ValidatePoison = false,
        });

    /// <summary>A system of the broken aerator for a scenario.</summary>
    internal static Func<Scenario, BuddySystem> Maker(string variant)
    {
        var design = BrokenAerators.Design(variant);
        return sc => new AerationSystem(sc, design);
    }

    /// <summary>
    /// The property check that catches the variant, shrunk. Single-zone guests: these bugs need
    /// no second zone, and the table's shrunk lengths are those of one zone (the broken models
    /// that need two are in Zones/MultiZoneBrokenModelTests).
    /// </summary>
    internal static PropertyCheck.Result Check(string variant)
    {
        var make = Maker(variant);
        return CheckCache.Get($"aerator {variant}", () =>
            PropertyCheck.Check(AerationOperationGen.Arbitrary(AerationOperationGen.Zones, SetupsFor(variant)), s => ScenarioRunner.Run(s, make), maxTest: 500, Seed));
    }

    [Theory]
    [MemberData(nameof(Caught))]
    public void Broken_aerator_is_caught_with_a_short_counterexample_that_replays(string variant, string invariant, string messagePart, int shrunkLength)
    {
        var make = Maker(variant);
        RunReport Run(Scenario s) => ScenarioRunner.Run(s, make);

        var result = Check(variant);
        output.WriteLine(PropertyCheck.Explain(result));

        Assert.False(result.Passed, $"{variant} was not caught in {result.Tests} tests");
        Assert.True(result.Shrunk!.Operations.Count <= 12,
            $"{variant}: shrunk counterexample has {result.Shrunk.Operations.Count} operations:\n{result.Shrunk}");
        Assert.Equal(shrunkLength, result.Shrunk.Operations.Count);
        var violation = result.ShrunkReport!.Violation;
        Assert.NotNull(violation);
        Assert.Equal(invariant, violation!.Invariant);
        Assert.Contains(messagePart, violation.ToString(), StringComparison.Ordinal);
        ViolationSnapshot.Match(variant, result);

        var replay = Run(result.Shrunk);
        Assert.Equal(result.ShrunkReport.FailureMessage, replay.FailureMessage);
    }
}
