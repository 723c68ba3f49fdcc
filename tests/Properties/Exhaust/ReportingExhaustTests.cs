using BuddyModel;
using Checks;
using Checks.Exhaust;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;
using Reporting;
using Reporting.Virtio;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Exhaust;

/// <summary>
/// The exhaustive explorer on the merged design. The watermark gate of
/// page_reporting_process_zone reports from a zone only while more than the low watermark plus
/// PAGE_REPORTING_CAPACITY (32) blocks of the reporting order are free, so the smallest zone
/// on which anything is reported has some 34 frames at order 0: mainline on 64 frames, MAX_ORDER
/// 6 (free frames merge into a few large blocks, so the free lists stay short), the driver
/// asking for order 0 (mainline takes it), at most one live block (ExhaustAlphabet.MaxLive: a
/// bound on the guest, not on the design), to a depth bound (the levels still grow there); on 8
/// frames, where the gate never lets the zone report, mainline is explored to exhaustion. A
/// merge check tests the canonical form against the model. The older versions' findings: 5.14's unvalidated
/// page_reporting_order (on 8 frames: no report needed) and 5.7's poisoning without PAGE_POISON
/// (on 128 frames, reporting order pageblock_order 1), each with the shortest counterexample,
/// set against the shrinker's length on the same configuration.
/// </summary>
public sealed class ReportingExhaustTests(ITestOutputHelper output)
{
    private static ZoneConfig Zone(int pages, int maxOrder, int pageblockOrder) =>
        new() { Name = "Tiny", NrPages = pages, MaxOrder = maxOrder, PageblockOrder = pageblockOrder, MinWatermarkPages = 1 };

    /// <summary>alloc_pages and __free_pages of MOVABLE blocks, at most one live; the alphabet adds the reporting moves.</summary>
    private static readonly ExhaustAlphabet OneLive = new() { PageblockTypes = false, HeldBlocks = false, AllocTypes = [MigrateType.Movable], MaxLive = 1 };

    private ExhaustResult Explore(string design, Scenario guest, ExhaustAlphabet alphabet, int maxDepth, long maxStates = 2_000_000)
    {
        var r = new StateExplorer(new ExhaustConfig(design, guest, alphabet, maxDepth, maxStates)).Run();
        output.WriteLine($"{design}: {r.States:N0} states, {r.Transitions:N0} transitions, depth {r.DepthReached}, exhausted {r.Exhausted}, {r.Elapsed.TotalSeconds:F2} s; per level {string.Join(", ", r.StatesPerLevel)}; {r.StoppedBecause}");
        if (r.Counterexample is { } c)
            output.WriteLine($"{r.CounterexampleReport!.FailureMessage}\n{c}");
        return r;
    }

    /// <summary>
    /// Mainline on 8 frames (MAX_ORDER 3, pageblock_order 1, the default driver order, so
    /// reporting order 1), every allocation and free, register, unregister and its steps,
    /// worker, host and time, freeze and the order parameter left out: exhausted, every state
    /// keeps every invariant and settles. The watermark gate never lets a zone this small report
    /// (it wants more than 1 + 32 &lt;&lt; 1 pages free), so this space is the state machine's
    /// (requests, passes that skip the zone, unregister's waits, the work's due time) around
    /// every allocator state; the whole alphabet exhausts too (`exhaust --design reporting`:
    /// 182,900 states, depth 19, 2,279,853 transitions, some 32 s).
    /// </summary>
    [Fact]
    public void Mainline_on_eight_frames_is_explored_to_exhaustion_and_every_state_keeps_every_invariant_and_settles()
    {
        var guest = new Scenario(Zone(8, 3, 1), [], null, new ReportingSetup());
        var r = Explore(Designs.Reporting, guest, new ExhaustAlphabet { PageblockTypes = false, HeldBlocks = false, AllocTypes = [MigrateType.Movable], ReportingFreeze = false, ReportingOrderParameter = false }, 200);
        Assert.True(r.Passed, r.CounterexampleReport?.FailureMessage);
        Assert.True(r.Exhausted, r.StoppedBecause);
        Assert.Equal(16_461, r.States);
        Assert.Equal(137_276, r.Transitions);
        Assert.Equal(17, r.DepthReached);
    }

    private static readonly ZoneConfig Sixty4 = Zone(64, 6, 3);

    private static Scenario MainlineGuest => new(Sixty4, [], null, new ReportingSetup { DriverOrder = 0 });

    /// <summary>
    /// Mainline, freeze and the order parameter left out (register, unregister and its steps,
    /// worker, host, time), to depth MainlineDepth: every state keeps every invariant and
    /// settles (Progress, No lost request's liveness half). Not exhausted: the level sizes keep
    /// growing at this depth (see the README: the free lists' orders and PG_reported over the
    /// blocks, with the hint ledger per frame, are state the canonical form must keep).
    /// </summary>
    private const int MainlineDepth = 20;

    [Fact]
    public void Mainline_on_64_frames_keeps_every_invariant_in_every_state_up_to_depth_20()
    {
        var r = Explore(Designs.Reporting, MainlineGuest, OneLive with { ReportingFreeze = false, ReportingOrderParameter = false }, MainlineDepth);
        Assert.True(r.Passed, r.CounterexampleReport?.FailureMessage);
        Assert.False(r.Exhausted);
        Assert.Equal(MainlineDepth, r.DepthReached);
        Assert.Equal(31_180, r.States);
        Assert.Equal(87_159, r.Transitions);
        Assert.Equal(r.States, r.StatesPerLevel.Sum());
    }

    /// <summary>
    /// Mainline with the whole alphabet (freeze and restore, page_reporting_order of 0 to
    /// MAX_ORDER) to a shallower depth (depth 14: 35,555 states, 280,374 transitions, some 13 s under load): every state keeps every invariant and settles.
    /// </summary>
    [Fact]
    public void Mainline_with_freeze_and_the_order_parameter_keeps_every_invariant_up_to_depth_13()
    {
        var r = Explore(Designs.Reporting, MainlineGuest, OneLive, 13);
        Assert.True(r.Passed, r.CounterexampleReport?.FailureMessage);
        Assert.Equal(13, r.DepthReached);
        Assert.Equal(26_060, r.States);
        Assert.Equal(192_492, r.Transitions);
    }

    private static Scenario Eight514 => new(Zone(8, 3, 1), [], null, new ReportingSetup());

    /// <summary>
    /// 5.14 takes any page_reporting_order (regressions/reporting-5.14-unvalidated-order.json):
    /// the shortest counterexample is register, then a write of MAX_ORDER (3), an order with no
    /// free_area (Reporting order in range); the shrinker's length on the same zone and setup.
    /// </summary>
    [Fact]
    public void Reporting_5_14_unvalidated_order_is_found_with_the_shortest_counterexample_and_the_shrinker_measured_against_it()
    {
        var r = Explore("reporting-5.14", Eight514, OneLive with { ReportingFreeze = false }, 10);
        Assert.False(r.Passed);
        Assert.Equal<Operation>([new RegisterReporting(), new SetReportingOrder(3)], r.Counterexample!.Operations);
        Assert.Equal("Reporting order in range", r.CounterexampleReport!.Violation?.Invariant);
        Assert.Equal("Reporting order in range", Designs.Run("reporting-5.14", r.Counterexample).Violation?.Invariant);

        var result = PropertyCheck.Check(ReportingOperationGen.Arbitrary([Eight514.Config], Gen.Constant(Eight514.Reporting!)), s => Designs.Run("reporting-5.14", s), maxTest: 500, seed: 20210629);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed);
        output.WriteLine($"shrinker: {result.Shrunk!.Operations.Count} operations ({result.ShrunkReport!.Violation?.Invariant})\n{result.Shrunk}");
        Assert.Equal(2, result.Shrunk!.Operations.Count);
    }

    private static Scenario Poisoning57 => new(Zone(128, 6, 1), [], null,
        new ReportingSetup { Guest = new GuestPoisoning { PagePoisoning = true }, Offered = new() { Hinting = true, PagePoison = false } });

    /// <summary>
    /// 5.7 reports while the guest poisons free pages and the device did not offer PAGE_POISON
    /// (regressions/reporting-5.7-poisoning-without-page-poison.json): the host discards, and a
    /// reported page handed out again reads zero, not the poison (Content contract). Shortest:
    /// register, the delay passes, the worker reports the free blocks, the host discards them,
    /// the worker drains them, an allocation takes a discarded page (6 operations; the
    /// regression file, from the shrinker on 256 frames, has 7), in the alphabet without
    /// freeze. With freeze (the shrinker's language), the shortest finding is another: register
    /// and freeze, whose settle has the worker run on the non-freezable system_wq and touch the
    /// deleted virtqueue (Reporting lifetime; reporting-5.14-work-during-freeze.json's finding,
    /// fixed in 2026); the shrinker reaches that minimum (2 operations).
    /// </summary>
    [Fact]
    public void Reporting_5_7_poisoning_is_found_with_the_shortest_counterexample_and_the_shrinker_measured_against_it()
    {
        var r = Explore("reporting-5.7", Poisoning57, OneLive with { ReportingFreeze = false }, 10);
        Assert.False(r.Passed);
        Assert.Equal<Operation>([new RegisterReporting(), new AdvanceClock(PageReporting.Delay), new StepWorker(), new StepHost(), new StepWorker(), new AllocPages(0, MigrateType.Movable)], r.Counterexample!.Operations);
        Assert.Equal(174, r.States);
        Assert.Equal("Content contract", r.CounterexampleReport!.Violation?.Invariant);

        // The shrinker draws from a language with freeze in it; on it, 5.7 has a shorter finding
        // (its work runs on system_wq, not frozen: the worker touches the deleted virtqueue),
        // which the random property finds and shrinks to the breadth-first minimum.
        var result = PropertyCheck.Check(ReportingOperationGen.Arbitrary([Poisoning57.Config], Gen.Constant(Poisoning57.Reporting!)), s => Designs.Run("reporting-5.7", s), maxTest: 500, seed: 20200407);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed);
        output.WriteLine($"shrinker: {result.Shrunk!.Operations.Count} operations ({result.ShrunkReport!.Violation?.Invariant})\n{result.Shrunk}");
        var full = Explore("reporting-5.7", Poisoning57, OneLive, 10);
        Assert.Equal<Operation>([new RegisterReporting(), new FreezeGuest()], full.Counterexample!.Operations);
        Assert.Equal("Reporting lifetime", full.CounterexampleReport!.Violation?.Invariant);
        Assert.Equal("Reporting lifetime", result.ShrunkReport.Violation?.Invariant);
        Assert.Equal(2, result.Shrunk.Operations.Count);
    }

    /// <summary>
    /// The canonical form checked against the model itself, as AerationExhaustTests does for v1:
    /// breadth-first to depth MergeDepth on mainline (64 frames, the whole alphabet with freeze
    /// and the order parameter), every time a path reaches a state another path reached first,
    /// the two systems must be indistinguishable one step on: the same multiset of (successor
    /// hash, whether the step or an invariant failed) over their moves, and the same settled
    /// state and verdict. A canonical form that keeps too little fails here.
    /// </summary>
    private const int MergeDepth = 7;

    [Fact]
    public void States_the_canonical_form_merges_have_the_same_successors_and_settle_alike()
    {
        var alphabet = OneLive;
        var (states, merges) = MergeCheck.Run(() => Designs.MakeSystem(Designs.Reporting, MainlineGuest), alphabet, MergeDepth);
        output.WriteLine($"{states:N0} states, {merges:N0} merges checked");
        Assert.True(merges > 100);
    }
}
