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

    public static TheoryData<string, string[]> Variants => new()
    {
        { nameof(TailIgnoresBoundary), ["No raw block below the boundary"] },
        { nameof(BoundaryNotFixedOnDelete), ["No raw block below the boundary"] },
        { nameof(MergedBlockKeepsMark), ["Aerated means hinted", "No raw block below the boundary"] },
        { nameof(ShutdownWithoutWaiting), ["Refcount accounting", "Device lifetime"] },
        { nameof(HostDropsAfterAck), ["Aerated means hinted", "No data loss"] },
        { "PoisoningWithoutPagePoison", ["Content contract"] },
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

    [Theory]
    [MemberData(nameof(Variants))]
    public void Broken_aerator_is_caught_with_a_short_counterexample_that_replays(string variant, string[] invariants)
    {
        var design = BrokenAerators.Design(variant);
        RunReport Run(Scenario s) => ScenarioRunner.Run(s, sc => new AerationSystem(sc, design));

        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(setups: SetupsFor(variant)), Run, maxTest: 500, Seed);
        output.WriteLine(PropertyCheck.Explain(result));

        Assert.False(result.Passed, $"{variant} was not caught in {result.Tests} tests");
        Assert.True(result.Shrunk!.Operations.Count <= 12,
            $"{variant}: shrunk counterexample has {result.Shrunk.Operations.Count} operations:\n{result.Shrunk}");
        var violation = result.ShrunkReport!.Violation;
        Assert.NotNull(violation);
        Assert.Contains(violation!.Invariant, invariants);

        var replay = Run(result.Shrunk);
        Assert.Equal(result.ShrunkReport.FailureMessage, replay.FailureMessage);
    }
}
