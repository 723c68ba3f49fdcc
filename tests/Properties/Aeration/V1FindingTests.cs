using Aeration.Fixes;
using BuddyModel;
using Checks;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Aeration;

/// <summary>
/// Flaws of the v1 design as posted that the generic properties rediscover by themselves. Each
/// test asserts that the flaw IS found, with the invariant and message expected, that the
/// shrunk counterexample is short and replays, and that the fixed design passes it. Where v1 has
/// several flaws, the property counts only the invariant of the flaw at hand (the others are
/// the other tests' business), and a design with every fix but this one shows which fix it needs.
/// </summary>
public sealed class V1FindingTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    private static RunReport Run(Scenario s, AerationDesign d) => ScenarioRunner.Run(s, sc => new AerationSystem(sc, d));

    /// <summary>Only failures of the named invariant count; any other outcome passes.</summary>
    private static Func<Scenario, RunReport> Only(string invariant, AerationDesign d) => s =>
    {
        var r = Run(s, d);
        return r.Violation?.Invariant == invariant ? r : new RunReport(r.Log, null, null, null);
    };

    private PropertyCheck.Result Find(FsCheck.Arbitrary<Scenario> arb, Func<Scenario, RunReport> run, string invariant, int maxOps)
    {
        var result = PropertyCheck.Check(arb, run, maxTest: 3000, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed, $"{invariant} was not found");
        Assert.Equal(invariant, result.ShrunkReport!.Violation!.Invariant);
        Assert.True(result.Shrunk!.Operations.Count <= maxOps, result.Shrunk.ToString());
        Assert.Equal(result.ShrunkReport.FailureMessage, run(result.Shrunk).FailureMessage);
        var fixedRun = Run(result.Shrunk, AerationDesign.V1Fixed);
        Assert.True(fixedRun.Passed, $"v1-fixed fails the counterexample: {fixedRun.FailureMessage}");
        return result;
    }

    /// <summary>Generated scenarios rewritten by a function on their operations (same shrinker).</summary>
    private static FsCheck.Arbitrary<Scenario> Rewritten(Func<Operation, Operation?> f) =>
        Arb.From(AerationOperationGen.Scenario().Select(s => s with { Operations = s.Operations.Select(f).OfType<Operation>().ToList() }), ScenarioShrinker.Shrink);

    /// <summary>Only Movable allocations and no isolation or migratetype change: no block ever moves between lists.</summary>
    private static Operation? NoMoves(Operation op) => op switch
    {
        AllocPages a => a with { Mt = MigrateType.Movable },
        SetPageblockMigratetype or IsolateFreePage or PutbackIsolatedPage => null,
        _ => op,
    };

    /// <summary>No isolation: pageblocks change between the allocatable types only.</summary>
    private static Operation? NoIsolation(Operation op) => op switch
    {
        SetPageblockMigratetype { Mt: MigrateType.Isolate } s => s with { Mt = MigrateType.Unmovable },
        IsolateFreePage or PutbackIsolatedPage => null,
        _ => op,
    };

    /// <summary>
    /// Fill walks every migratetype, MIGRATE_ISOLATE included, and get_aeration_page takes each
    /// block out of NR_FREE_PAGES, which never counted isolated pages: NR_FREE_PAGES drifts
    /// down. (mm/page_reporting.c later skips MIGRATE_ISOLATE.)
    /// </summary>
    [Fact]
    public void V1_fill_takes_isolated_blocks_and_NR_FREE_PAGES_drifts()
    {
        var r = Find(AerationOperationGen.Arbitrary(), Only("Counters match contents", AerationDesign.V1), "Counters match contents", 4);
        Assert.Contains("NR_FREE_PAGES", r.ShrunkReport!.Violation!.ToString());
        Assert.Contains(r.Shrunk!.Operations, op => op is SetPageblockMigratetype { Mt: MigrateType.Isolate });
        Assert.False(Run(r.Shrunk, AerationDesign.V1FixedWithout(V1Fixes.SkipIsolateInFill)).Passed);
    }

    /// <summary>
    /// v1 screens only frees; the halves expand() splits off an aerated block are raw blocks no
    /// free ever reports, so once the worker is idle a zone can stay at HWM raw blocks for good.
    /// Shown on scenarios where no block ever moves between lists, so only expand makes raw blocks.
    /// </summary>
    [Fact]
    public void V1_raw_blocks_made_by_expand_never_request_a_pass()
    {
        var r = Find(Rewritten(NoMoves), Only("Progress", AerationDesign.V1), "Progress", 12);
        Assert.Contains("raw blocks", r.ShrunkReport!.Violation!.Found);
        Assert.Contains(r.Shrunk!.Operations, op => op is AllocPages);
        // The allocation took an aerated block, so screening the block that loses its mark
        // (ScreenMove) also requests the pass here; without both screens the finding is back.
        var withoutTheScreens = Run(r.Shrunk, AerationDesign.V1FixedWithout(V1Fixes.ScreenExpand | V1Fixes.ScreenMove));
        Assert.Equal("Progress", withoutTheScreens.Violation?.Invariant);
    }

    /// <summary>
    /// move_to_free_area() clears PageAerated ("reprocess it later"), but nothing requests that
    /// pass: a block moved to another migratetype's list stays raw for good. Found on the design
    /// with every fix but this one (v1's other flaws would otherwise come first).
    /// </summary>
    [Fact]
    public void V1_a_moved_block_loses_its_mark_and_is_never_reprocessed()
    {
        var design = AerationDesign.V1FixedWithout(V1Fixes.ScreenMove);
        // Allocations, frees, worker and host steps, and frequent migratetype changes (no isolation).
        var zone = AerationOperationGen.Zones[1];
        int[] weights = [6, 4, 4, 0, 0, 6, 4, 0, 0, 0];
        var gen = from setup in AerationOperationGen.Setups
                  from ops in Gen.Sized(n => Gen.Choose(1, Math.Max(1, n)).SelectMany(k => Gen.ArrayOf(AerationOperationGen.Operation(zone, weights), k)))
                  select new Scenario(zone, ops.Select(NoIsolation).OfType<Operation>().Prepend(new StartAerator()).ToList(), setup);
        var r = Find(Arb.From(gen, ScenarioShrinker.Shrink), Only("Progress", design), "Progress", 14);
        Assert.Contains(r.Shrunk!.Operations, op => op is SetPageblockMigratetype || op is AllocPages { Mt: not MigrateType.Movable });
    }

    /// <summary>
    /// v1's fill has no watermark check: with the zone near its low watermark a batch takes the
    /// remaining memory away while the host works.
    /// </summary>
    [Fact]
    public void V1_fill_ignores_the_low_watermark()
    {
        var zones = new[] { new ZoneConfig { Name = "Tight", NrPages = 256, MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 48 } };
        var r = Find(AerationOperationGen.Arbitrary(zones), Only("Low watermark kept", AerationDesign.V1), "Low watermark kept", 30);
        Assert.Contains("out for hinting", r.ShrunkReport!.Violation!.Found);
    }

    /// <summary>
    /// The fix the low-watermark finding needs is KeepLowWatermark alone: the design with every
    /// other fix still fails the invariant (v1's own counterexample leans on its other flaws too,
    /// so it is searched again on that design), and v1-fixed passes what it finds.
    /// </summary>
    [Fact]
    public void V1_fixed_without_KeepLowWatermark_fails_the_low_watermark_again()
    {
        var zones = new[] { new ZoneConfig { Name = "Tight", NrPages = 256, MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 48 } };
        var r = Find(AerationOperationGen.Arbitrary(zones), Only("Low watermark kept", AerationDesign.V1FixedWithout(V1Fixes.KeepLowWatermark)), "Low watermark kept", 30);
        Assert.Contains("out for hinting", r.ShrunkReport!.Violation!.Found);
    }

    /// <summary>
    /// v1's driver starts hinting with page poisoning on and no PAGE_POISON: a hinted page comes
    /// back zero instead of the poison value. (virtballoon_validate refuses that since 5.7.)
    /// </summary>
    [Fact]
    public void V1_hints_poisoned_pages_to_a_device_without_PAGE_POISON()
    {
        var poisoned = AerationOperationGen.Setups.Select(s => s with { PagePoisoning = true, Features = s.Features with { PagePoison = false } });
        var r = Find(AerationOperationGen.Arbitrary(setups: poisoned), Only("Content contract", AerationDesign.V1), "Content contract", 12);
        Assert.Contains("poison", r.ShrunkReport!.Violation!.Expected);
    }
}
