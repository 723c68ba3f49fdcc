using Aeration;
using BuddyModel;
using Checks;
using Checks.Exhaust;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Exhaust;

/// <summary>
/// The exhaustive explorer on the v1 designs, on the smallest configuration that hints at all
/// (8 frames, MAX_ORDER 3, pageblock_order 1, so AERATOR_MIN_ORDER 1 and orders 1 and 2 are
/// hinted; no poisoning) with alloc_pages and __free_pages of MOVABLE blocks and the aeration
/// moves: v1-fixed explored to exhaustion, every state keeping every invariant and settling;
/// v1-fixed with HWM 1 failing Progress (a finding: see the test); v1 as posted found to fail
/// with the shortest counterexample, set against the shrinker's; and the canonical form
/// merging what it should and keeping apart what it should.
/// </summary>
public sealed class AerationExhaustTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    private static readonly ZoneConfig Eight = new() { Name = "Eight", NrPages = 8, MaxOrder = 3, PageblockOrder = 1, MinWatermarkPages = 1 };

    private static AerationSetup Setup(int hwm, int capacity) => new() { Aerator = new AeratorConfig { Hwm = hwm, Capacity = capacity } };

    /// <summary>alloc_pages and __free_pages of MOVABLE blocks; the alphabet adds the aeration moves for an aeration system.</summary>
    private static readonly ExhaustAlphabet AllocFree = new() { PageblockTypes = false, HeldBlocks = false, AllocTypes = [MigrateType.Movable] };

    private ExhaustResult Explore(string design, Scenario guest, ExhaustAlphabet alphabet, int maxDepth = 200, long maxStates = 2_000_000)
    {
        var r = new StateExplorer(new ExhaustConfig(design, guest, alphabet, maxDepth, maxStates)).Run();
        output.WriteLine($"{design}, {guest.Aeration}: {r.States:N0} states, {r.Transitions:N0} transitions, depth {r.DepthReached}, exhausted {r.Exhausted}, {r.Elapsed.TotalSeconds:F2} s; per level {string.Join(", ", r.StatesPerLevel)}");
        if (r.Counterexample is { } c)
            output.WriteLine($"{r.CounterexampleReport!.FailureMessage}\n{c}");
        return r;
    }

    /// <summary>
    /// HWM 2, capacity 1, without shutdown (startup, worker and host steps with the allocator's
    /// moves): every reachable state keeps every invariant and settles with Progress kept. The
    /// whole alphabet, shutdown and its wake-up included, exhausts too (106,330 states, depth
    /// 32, 845,416 transitions: `exhaust --design v1-fixed`) but takes some 20 s of CPU, over
    /// this test's budget of about 10 s; the merge test below and the CLI's take shutdown.
    /// </summary>
    [Fact]
    public void V1_fixed_on_eight_frames_is_explored_to_exhaustion_and_every_state_keeps_every_invariant_and_settles()
    {
        var r = Explore(Designs.V1Fixed, new Scenario(Eight, [], Setup(hwm: 2, capacity: 1)), AllocFree with { AerationShutdown = false });
        Assert.True(r.Passed, r.CounterexampleReport?.FailureMessage);
        Assert.True(r.Exhausted, r.StoppedBecause);
        Assert.Equal(43_826, r.States);
        Assert.Equal(312_495, r.Transitions);
        Assert.Equal(31, r.DepthReached);
        Assert.Equal(r.States, r.StatesPerLevel.Sum());
    }

    /// <summary>
    /// A finding in v1-fixed, kept visible: with HWM 1 a raw order-2 block is left unhinted for
    /// good. Three order-0 allocations leave 5 free pages (an order-2 block and an order-0 one);
    /// startup requests the zone; the fill stops at the low watermark (taking the order-2 block
    /// would leave 1 page, not above the low watermark of 1) with nothing out, so the watermark
    /// fix ends the zone's pass (REQUESTED cleared, no busy loop); the worker goes idle. The free
    /// of an order-0 block then raises NR_FREE_PAGES to 6, so the order-2 block could now be
    /// hinted, but an order-0 free does not notify (order below MIN_ORDER) and nothing else
    /// requests a pass: Progress fails once the system settles. Every per-step invariant holds
    /// in every reachable state of this configuration (explored without settling: 103,054
    /// states, exhausted); it is only the settle check that fails.
    /// </summary>
    [Fact]
    public void V1_fixed_with_HWM_1_leaves_a_hintable_raw_block_unrequested_after_the_watermark_ended_its_pass()
    {
        var r = Explore(Designs.V1Fixed, new Scenario(Eight, [], Setup(hwm: 1, capacity: 1)), AllocFree);
        Assert.False(r.Passed);
        var a0 = new AllocPages(0, MigrateType.Movable);
        Assert.Equal<Operation>([a0, a0, a0, new StartAerator(), new StepWorker(), new StepWorker(), new FreePages(0)], r.Counterexample!.Operations);
        Assert.Equal("Progress", r.CounterexampleReport!.Violation?.Invariant);
        Assert.Equal("Progress", Designs.Run(Designs.V1Fixed, r.Counterexample).Violation?.Invariant);
    }

    /// <summary>
    /// The shrinker against that minimum: the random property (AerationOperationGen on the same
    /// zone and setup) finds the same Progress finding and shrinks it to the breadth-first
    /// length. Before the shrinker could move a step earlier it stopped at 14 operations, with
    /// the allocations after a hint round.
    /// </summary>
    [Fact]
    public void The_shrinker_reaches_the_breadth_first_minimum_of_the_v1_fixed_Progress_finding()
    {
        var setup = Setup(hwm: 1, capacity: 1);
        var result = Checks.PropertyCheck.Check(Checks.AerationOperationGen.Arbitrary([Eight], FsCheck.Fluent.Gen.Constant(setup)), s => Designs.Run(Designs.V1Fixed, s), maxTest: 3000, seed: 20190619);
        output.WriteLine(Checks.PropertyCheck.Explain(result));
        Assert.False(result.Passed, "the random property did not find it");
        Assert.Equal("Progress", result.ShrunkReport!.Violation?.Invariant);
        Assert.Equal(7, result.Shrunk!.Operations.Count);
    }

    /// <summary>
    /// v1 as posted fails on the same zone with the shortest counterexample: one order-2
    /// allocation and startup; the settle's fill takes the other order-2 block with no
    /// watermark check (Low watermark kept). The shrinker (PropertyCheck with
    /// AerationOperationGen on this zone and setup) is set against the breadth-first minimum
    /// over the whole language it draws from (every allocator operation and the aeration
    /// moves), on its own configuration, up to its length.
    /// </summary>
    [Fact]
    public void V1_as_posted_is_found_to_fail_with_the_shortest_counterexample_and_the_shrinker_is_measured_against_it()
    {
        var setup = Setup(hwm: 1, capacity: 1);
        var r = Explore(Designs.V1, new Scenario(Eight, [], setup), AllocFree);
        Assert.False(r.Passed);
        Assert.Equal<Operation>([new AllocPages(2, MigrateType.Movable), new StartAerator()], r.Counterexample!.Operations);
        Assert.Equal("Low watermark kept", r.CounterexampleReport!.Violation?.Invariant);

        var shrunk = PropertyCheck.Check(AerationOperationGen.Arbitrary([Eight], Gen.Constant(setup)), s => Designs.Run(Designs.V1, s), maxTest: 200, Seed).Shrunk!;
        var full = Explore(Designs.V1, shrunk with { Operations = [] }, new ExhaustAlphabet(), maxDepth: shrunk.Operations.Count);
        output.WriteLine($"shrinker: {shrunk.Operations.Count} operations ({Designs.Run(Designs.V1, shrunk).Violation?.Invariant}); breadth-first over the same language: {full.Counterexample?.Operations.Count.ToString() ?? "none"}\n{shrunk}");
        Assert.False(full.Passed);
        Assert.True(full.Counterexample!.Operations.Count <= shrunk.Operations.Count);
        Assert.Equal(2, full.Counterexample.Operations.Count);
        Assert.Equal(2, shrunk.Operations.Count);
    }

    private static readonly StateHasher Hasher = new();

    private static (UInt128 Hash, AerationSystem System) After(AerationSetup setup, params Operation?[] ops)
    {
        var s = new AerationSystem(new Scenario(Eight, [], setup), AerationDesign.V1Fixed);
        foreach (var op in ops)
        {
            if (op is null)
                Assert.Null(s.Finish(new List<string>())); // settle: run the host, the worker and shutdown until quiet
            else
                Assert.Null(s.Apply(op)!.Violation);
        }
        Assert.Null(s.CheckInvariants());
        return (Hasher.Of(s), s);
    }

    /// <summary>
    /// Soundness of the canonical form, by example. Merged: an allocation, and the same after
    /// freeing it and taking it again (the same frame, the same lists, but a new content tag
    /// and later ledger stamps); a hinted zone, and the same after two rounds of taking a hinted
    /// block, freeing it and letting it be hinted again (two rounds put the order-2 list back
    /// in its order; the virtqueue's indices have moved on by two buffers, the host's ledger
    /// has two more entries, the stamps are later). Kept apart: a batch the host has not taken
    /// yet, and the same after the host took it (only then may the worker drain; the host has
    /// no more work); and one round, whose order-2 list is the other way round.
    /// </summary>
    [Fact]
    public void The_canonical_form_merges_states_that_differ_only_in_unbounded_history_and_keeps_apart_those_a_step_tells_apart()
    {
        var setup = Setup(hwm: 1, capacity: 2);
        var a0 = new AllocPages(0, MigrateType.Movable);
        var a2 = new AllocPages(2, MigrateType.Movable);
        var (once, first) = After(setup, a0);
        var (again, second) = After(setup, a0, new FreePages(0), a0);
        Assert.Equal(first.Live, second.Live);
        Assert.NotEqual(first.TagOf(first.Live[0].Pfn), second.TagOf(second.Live[0].Pfn));
        Assert.Equal(once, again);

        Operation?[] hinted = [new StartAerator(), null];
        Operation?[] round = [a2, new FreePages(0), null];
        var (settled, s0) = After(setup, hinted);
        var (twoRounds, s2) = After(setup, [.. hinted, .. round, .. round]);
        Assert.Equal(s0.Host.Applied.Count + 2, s2.Host.Applied.Count);
        Assert.Equal(settled, twoRounds);
        Assert.NotEqual(settled, After(setup, [.. hinted, .. round]).Hash);

        var (submitted, _) = After(setup, new StartAerator(), new StepWorker(), new StepWorker());
        var (taken, _) = After(setup, new StartAerator(), new StepWorker(), new StepWorker(), new StepHost());
        Assert.NotEqual(submitted, taken);
    }

    /// <summary>
    /// The canonical form checked against the model itself: breadth-first up to depth 9 (Depth) on
    /// v1-fixed (HWM 2, capacity 1), every time a path reaches a state another path reached
    /// first (a merge), the two systems must be indistinguishable one step on: the same
    /// multiset of (successor hash, whether the step or an invariant failed) over their moves,
    /// and the same settled state (hash after Finish) and settle verdict. A kept-too-little
    /// canonical form (one that merges states a step tells apart) fails here.
    /// </summary>
    private const int Depth = 9;

    [Fact]
    public void States_the_canonical_form_merges_have_the_same_successors_and_settle_alike()
    {
        var setup = Setup(hwm: 2, capacity: 1);
        var alphabet = AllocFree;
        var (states, merges) = MergeCheck.Run(() => new AerationSystem(new Scenario(Eight, [], setup), AerationDesign.V1Fixed), alphabet, Depth);
        output.WriteLine($"{states:N0} states, {merges:N0} merges checked");
        Assert.True(merges > 100);
    }
}
