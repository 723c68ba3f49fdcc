using Checks;
using Checks.Exhaust;
using Harness;
using Properties.Aeration;
using Properties.Buddy;
using Properties.Isolation;
using Properties.Reporting;
using Properties.Zones;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Exhaust;

/// <summary>
/// The shrinker measured against the minimum: for every deliberately broken model, the
/// breadth-first explorer searches the configuration the shrinker ended on (the same guest and
/// setup, the moves of the generator that found it) for a shorter counterexample, up to the
/// shrunk length and within a state bound. Each row pins the verdict: "= n" (the shrunk one is
/// as short as any: found at that depth, or every shorter path checked) or "≥ k" (the bound
/// ended the search after depth k - 1: no counterexample of fewer than k operations; the
/// README's table says why the rest is out of reach). A shorter counterexample found ("m &lt; n")
/// fails the row: that is a gap in the shrinker to close, not to pin.
/// </summary>
[Trait("Category", "BrokenModel")]
public sealed class ShrinkerAgainstMinimumTests(ITestOutputHelper output)
{
    /// <summary>States the default run allows each search: enough to clear the first level of every row it runs.</summary>
    private const long Bound = 1_000;

    /// <summary>States each search may explore with EXHAUST_LONG=1, which also runs the rows marked "long".</summary>
    private const long LongBound = 20_000;

    private static bool Long => Environment.GetEnvironmentVariable("EXHAUST_LONG") == "1";

    /// <summary>The moves of the buddy, aeration and multi-zone generators: every operation (held blocks and pageblock types included), no walk.</summary>
    private static readonly ExhaustAlphabet Everything = new();

    /// <summary>The reporting generator's moves: everything, and its three clock steps.</summary>
    private static readonly ExhaustAlphabet ReportingMoves = new() { ClockJiffies = ReportingOperationGen.ClockSteps };

    /// <summary>The isolation tests' generator (BrokenIsolationTests.WalksWithoutHeldBlocks): the walk, no held blocks, no one-step isolation.</summary>
    private static readonly ExhaustAlphabet WalksOnly = new() { Walks = true, HeldBlocks = false, IsolateByPageblockType = false };

    /// <summary>
    /// family, variant, the verdict (with the default bound, or for a long row with the long
    /// one), and whether the row runs only with EXHAUST_LONG=1: a search that needs more than a second or two on two cores (a shrunk
    /// length of 3 or more on a zone of hundreds of moves per state, or a merged-design zone
    /// whose every new state takes a settle of many reports). With the long bound a row may end
    /// with a stronger verdict, never a weaker one (the README's table has them).
    /// </summary>
    public static TheoryData<string, string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var (family, variant, verdict, longOnly) in Table)
                if (Long || !longOnly)
                    data.Add(family, variant, verdict);
            return data;
        }
    }

    private static readonly (string Family, string Variant, string Verdict, bool Long)[] Table =
    [
        ("allocator", nameof(MergeStopsOneOrderEarly), "= 2", Long: false),
        ("allocator", nameof(ExpandReturnsHalfAtWrongOrder), "= 1", Long: false),
        ("allocator", nameof(FreeForgetsNrFree), "= 0", Long: false),
        ("allocator", nameof(FallbackLeavesBlockOnTwoLists), "= 1", Long: false),
        ("allocator", nameof(MoveFreepagesStopsAfterFirstBlock), "= 2", Long: false),
        ("allocator", nameof(TailFreeGoesToHead), "= 2", Long: false),
        ("allocator", nameof(StealRetypesWrongPageblock), "= 1", Long: false),
        ("allocator", nameof(PutbackAtHead), "= 2", Long: true),
        ("isolation", nameof(IsolateForgetsToMoveFreePages), "= 2", Long: false),
        ("isolation", nameof(SplitLosesLastPageblock), "= 2", Long: false),
        ("isolation", nameof(SplitPutsPiecesOnHeadsList), "= 2", Long: true),
        ("isolation", nameof(SplitFreesHighestPieceFirst), "≥ 2", Long: true),
        ("aerator", nameof(TailIgnoresBoundary), "≥ 3", Long: true),
        ("aerator", nameof(BoundaryNotFixedOnDelete), "≥ 3", Long: true),
        ("aerator", nameof(MergedBlockKeepsMark), "≥ 3", Long: true),
        ("aerator", nameof(ShutdownWithoutWaiting), "= 2", Long: false),
        ("aerator", nameof(HostDropsAfterAck), "≥ 3", Long: true),
        ("aerator", "PoisoningWithoutPagePoison", "≥ 3", Long: true),
        ("aerator", nameof(ClearAeratedCountsOnlyWhenActive), "≥ 3", Long: true),
        ("aerator", nameof(ShutdownUnpublishesBeforeWaiting), "= 2", Long: false),
        ("aerator", nameof(DriverHintsPageCount), "= 1", Long: false),
        ("reporter", nameof(ZoneKeepsReportedOnDelete), "≥ 2", Long: true),
        ("reporter", nameof(DrainMarksMergedBlocks), "≥ 2", Long: true),
        ("reporter", nameof(DrainStopsOneShort), "= 1", Long: false),
        ("reporter", nameof(IsolateWithoutWatermark), "= 1", Long: false),
        ("reporter", nameof(IsolateResultIgnored), "= 1", Long: false),
        ("reporter", nameof(PassNotMarkedActive), "= 1", Long: false),
        ("reporter", nameof(EndPassExpectsRequested), "= 1", Long: false),
        ("reporter", nameof(UnregisterWithoutCancel), "= 2", Long: true),
        ("reporter", nameof(UnregisterKeepsDevInfo), "= 2", Long: true),
        ("reporter", nameof(HostAcksBeforeDiscard), "≥ 3", Long: true),
        ("reporter", nameof(HostDiscardsOnePageMore), "≥ 2", Long: true),
        ("reporter", nameof(ReportsIsolateLists), "= 2", Long: true),
        ("reporter", nameof(BudgetNeverRerequests), "= 1", Long: false),
        ("reporter", nameof(EndPassPlainStore), "= 1", Long: false),
        ("reporter", nameof(NotifyScreensWithGreater), "≥ 2", Long: true),
        ("two zones", nameof(KeepsActiveAfterScrub), "= 1", Long: false),
        ("two zones", nameof(HostWrapsIntoLowRam), "= 2", Long: false),
        ("two zones", nameof(ReportingHostWrapsIntoLowRam), "= 2", Long: true),
    ];

    /// <summary>The variant's system, its shrunk counterexample, and the moves of the generator that found it.</summary>
    private static (Func<Scenario, BuddySystem> Make, PropertyCheck.Result Result, ExhaustAlphabet Moves) Of(string family, string variant) => family switch
    {
        "allocator" => (BrokenAllocatorTests.Maker(variant), BrokenAllocatorTests.Check(variant), Everything),
        "isolation" => (BrokenIsolationTests.Maker(variant), BrokenIsolationTests.Check(variant), WalksOnly),
        "aerator" => (BrokenAeratorTests.Maker(variant), BrokenAeratorTests.Check(variant), Everything),
        "reporter" => (BrokenReporterTests.Maker(variant), BrokenReporterTests.CheckVariant(variant), ReportingMoves),
        "two zones" => (MultiZoneBrokenModelTests.Maker(variant), MultiZoneBrokenModelTests.Check(variant),
            variant.StartsWith("Reporting", StringComparison.Ordinal) ? ReportingMoves : Everything),
        _ => throw new ArgumentException($"unknown family {family}", nameof(family)),
    };

    [Fact]
    public void Every_broken_model_the_suite_catches_has_a_row()
    {
        static IEnumerable<string> Names(IEnumerable<object?[]> rows) => rows.Select(r => (string)r[0]!);
        var caught = Names(BrokenAllocatorTests.Caught).Concat(Names(BrokenIsolationTests.Variants)).Concat(Names(BrokenAeratorTests.Caught))
            .Concat(Names(BrokenReporterTests.Caught)).Concat(Names(MultiZoneBrokenModelTests.Variants));
        Assert.Equal(caught.Order(), Table.Select(r => r.Variant).Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_shrunk_counterexample_of_a_broken_model_is_as_short_as_the_breadth_first_minimum(string family, string variant, string verdict)
    {
        var (make, result, moves) = Of(family, variant);
        Assert.False(result.Passed, $"{variant} is not caught");
        var shrunk = result.Shrunk!;
        Assert.Null(MinimumSearch.StepsAreMoves(shrunk, make, moves));
        Assert.Null(make(shrunk with { Operations = [] }).CanonicalStateMissing);

        var min = MinimumSearch.Run(shrunk, make, moves, Long ? LongBound : Bound);
        output.WriteLine($"{family} {variant}: shrinker {min.Length}, breadth-first {min.Verdict} ({min.States:N0} states, {min.Elapsed.TotalSeconds:F1} s)\n{shrunk}");
        Assert.False(min.Minimum < min.Length, $"{variant}: the explorer found a counterexample of {min.Minimum} operations, the shrinker one of {min.Length}");
        if (min.Minimum is not null)
            Assert.Equal(result.ShrunkReport!.Violation?.Invariant, min.Invariant);
        if (Long)
            Assert.True(min.AtLeast(verdict), $"{variant}: {min.Verdict}, weaker than the pinned {verdict}");
        else
            Assert.Equal(verdict, min.Verdict);
    }
}
