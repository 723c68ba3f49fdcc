using Checks;
using Harness;
using Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Reporting;

/// <summary>
/// Each deliberately broken merged-design model (BrokenReporters: mainline with one statement
/// changed) must be caught by the generic invariants (buddy, differential oracle, Specs/Reporting,
/// Specs/Guest, Progress at settle) with a shrunk counterexample of at most 12 operations that
/// replays to the same violation; mainline passes the same property from the same seed.
///
/// The shrunk lengths are the ones this seed gives with ReportingOperationGen and
/// ScenarioShrinker as they are; a change to either may shorten or lengthen them (never past 12).
///
/// The broken models the suite does not catch are kept too, as findings about its power: each
/// test asserts that the property still passes and whether the bug fired at all (Hits), so
/// that a new invariant or generator change that catches one shows up here to be moved.
/// </summary>
[Trait("Category", "BrokenModel")]
public sealed class BrokenReporterTests(ITestOutputHelper output)
{
    private const ulong Seed = 20200407;
    private const int MaxTest = 500;

    /// <summary>Scenarios run for a broken model the suite misses: many more than a catch needs.</summary>
    private const int MaxTestForMisses = 2000;

    private static RunReport Run(Scenario s, ReportingParts? parts) =>
        ScenarioRunner.Run(s, sc => new PageReportingSystem(sc, BrokenReporters.Base, parts));

    // The single-zone guests (ReportingOperationGen.Zones): these bugs need no second zone, and
    // the shrunk lengths below are the ones this seed gives there (the broken models that need
    // two zones are in Zones/MultiZoneBrokenModelTests).
    /// <summary>A system of the broken reporter for a scenario.</summary>
    internal static Func<Scenario, BuddySystem> Maker(string variant) => sc => new PageReportingSystem(sc, BrokenReporters.Base, BrokenReporters.Parts(variant));

    /// <summary>The property check that catches the variant, shrunk.</summary>
    internal static PropertyCheck.Result CheckVariant(string variant) => CheckCache.Get($"reporter {variant}", () => Check(BrokenReporters.Parts(variant)));

    private static PropertyCheck.Result Check(ReportingParts? parts, int maxTest = MaxTest) =>
        PropertyCheck.Check(ReportingOperationGen.Arbitrary(ReportingOperationGen.Zones), s => Run(s, parts), maxTest, Seed);

    /// <summary>variant, the invariant that catches it, part of its message, the shrunk length.</summary>
    public static TheoryData<string, string, string, int> Caught => new()
    {
        { nameof(ZoneKeepsReportedOnDelete), "Block shape", "carries PageReported and is a tail page", 5 },
        { nameof(DrainMarksMergedBlocks), "Block shape", "carries PageReported and is a tail page", 5 },
        { nameof(DrainStopsOneShort), "Differential oracle", "is a held order-5 block (taken off the free lists)", 1 },
        { nameof(IsolateWithoutWatermark), "Min watermark kept", "pages out in the report", 1 },
        { nameof(IsolateResultIgnored), "Differential oracle", "is held as the head of an order-5 block", 1 },
        { nameof(PassNotMarkedActive), "Progress", "it does not terminate", 1 },
        { nameof(EndPassExpectsRequested), "No lost request", "ACTIVE only while a pass runs", 1 },
        { nameof(UnregisterWithoutCancel), "Reporting lifetime", "no reporting work pending once page_reporting_unregister returned", 2 },
        { nameof(UnregisterKeepsDevInfo), "Reporting lifetime", "a device still published", 2 },
        { nameof(HostAcksBeforeDiscard), "Reported means acknowledged", "no acknowledged report covered since they were freed", 5 },
        { nameof(HostDiscardsOnePageMore), "No data loss", "the host dropped its backing", 4 },
        { nameof(ReportsIsolateLists), "Isolation respected", "of an isolated pageblock is out in the report", 2 },
        { nameof(BudgetNeverRerequests), "No lost request", "a cycle cut short by its budget", 1 },
        { nameof(EndPassPlainStore), "No lost request", "had no pass started after it", 1 },
        { nameof(NotifyScreensWithGreater), "No lost request", "asks for reporting, found the free made an order-1 block", 4 },
    };

    [Theory]
    [MemberData(nameof(Caught))]
    public void Broken_reporter_is_caught_with_a_short_counterexample_that_replays(string variant, string invariant, string messagePart, int shrunkLength)
    {
        var result = CheckVariant(variant);
        output.WriteLine(PropertyCheck.Explain(result));

        Assert.False(result.Passed, $"{variant} was not caught in {result.Tests} tests");
        Assert.NotNull(result.Shrunk);
        Assert.True(result.Shrunk!.Operations.Count <= 12,
            $"{variant}: shrunk counterexample has {result.Shrunk.Operations.Count} operations:\n{result.Shrunk}");
        Assert.Equal(shrunkLength, result.Shrunk.Operations.Count);
        var violation = result.ShrunkReport!.Violation;
        Assert.NotNull(violation);
        Assert.Equal(invariant, violation!.Invariant);
        Assert.Contains(messagePart, violation.ToString(), StringComparison.Ordinal);
        ViolationSnapshot.Match(variant, result);

        // The shrunk scenario, run again through the harness on a fresh system, fails the same way.
        var replay = Run(result.Shrunk, BrokenReporters.Parts(variant));
        Assert.False(replay.Passed);
        Assert.Equal(invariant, replay.Violation?.Invariant);
        Assert.Equal(result.ShrunkReport.FailureMessage, replay.FailureMessage);
    }

    [Fact]
    public void Mainline_passes_the_same_property_and_seed()
    {
        var result = Check(null);
        Assert.True(result.Passed, PropertyCheck.Explain(result));
        Assert.Equal(MaxTest, result.Tests);

        var longer = Check(null, MaxTestForMisses);
        Assert.True(longer.Passed, PropertyCheck.Explain(longer));
    }

    [Fact]
    public void Every_broken_reporter_is_the_mainline_with_one_part_swapped()
    {
        foreach (var variant in Caught.Select(row => (string)row[0]).Concat(Missed.Select(row => (string)row[0])))
        {
            var parts = BrokenReporters.Parts(variant);
            Assert.Equal(variant, parts.Name);
            int swapped = new object[] { parts.MakeZone, parts.MakeReporting, parts.MakeWorker, parts.MakeHost }
                .Zip(new object[] { ReportingParts.Default.MakeZone, ReportingParts.Default.MakeReporting, ReportingParts.Default.MakeWorker, ReportingParts.Default.MakeHost })
                .Count(p => !ReferenceEquals(p.First, p.Second));
            Assert.Equal(1, swapped);
        }
    }

    /// <summary>variant, whether its bug fires in the generated scenarios, what the suite lacks to catch it.</summary>
    public static TheoryData<string, bool, string> Missed => new()
    {
        { nameof(DrainPutbackNotifies), true, "the extra notifications cost one more pass, which finds every block reported and ends: nothing to catch" },
        { nameof(DrainMarksOnError), false, "report() never fails in the generated scenarios (the ring is 128 entries, one report at a time)" },
        { nameof(UnregisterWithoutSynchronizeRcu), false, "the sequential harness runs each notify's RCU read-side section inside one free: no reader is ever inside when unregister runs" },
    };

    [Theory]
    [MemberData(nameof(Missed))]
    [Trait("Category", "SuiteGap")]
    public void Broken_reporter_the_suite_misses(string variant, bool fires, string why)
    {
        var hits = new Hits();
        var result = Check(BrokenReporters.Parts(variant, hits), MaxTestForMisses);
        output.WriteLine($"{variant}: {(result.Passed ? "not caught" : "caught")} in {result.Tests} tests; the bug fired {hits.Count} times. {why}");

        Assert.True(result.Passed, $"{variant} is caught now: move it to Caught.\n{PropertyCheck.Explain(result)}");
        if (fires)
            Assert.True(hits.Count > 0, $"{variant} never fired in {result.Tests} tests");
        else
            Assert.Equal(0, hits.Count);
    }
}
