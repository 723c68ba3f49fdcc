using BuddyModel;
using Checks.Exhaust;
using Harness;
using Harness.Operations;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Exhaust;

/// <summary>
/// The exhaustive explorer on configurations small enough to finish in the default run: the
/// state counts are pinned (the same configuration gives the same count on any machine, so a
/// change in the model's reachable states shows up here), every state keeps every invariant,
/// and a model broken at a depth is found there with the shortest path.
/// </summary>
public sealed class ExhaustTests(ITestOutputHelper output)
{
    /// <summary>8 frames, MAX_ORDER 3, pageblock_order 1: every alloc_pages and __free_pages of MOVABLE blocks.</summary>
    private static readonly ZoneConfig Eight = new() { Name = "Eight", NrPages = 8, MaxOrder = 3, PageblockOrder = 1, MinWatermarkPages = 1 };

    private static readonly ExhaustAlphabet AllocFree = new() { PageblockTypes = false, HeldBlocks = false, AllocTypes = [MigrateType.Movable] };

    [Fact]
    public void Eight_frames_of_movable_allocations_and_frees_are_explored_to_exhaustion_and_keep_every_invariant()
    {
        var r = new StateExplorer(new ExhaustConfig(Designs.Buddy, new Scenario(Eight, []), AllocFree, MaxDepth: 100, MaxStates: 1_000_000)).Run();
        output.WriteLine($"{r.States:N0} states, {r.Transitions:N0} transitions, depth {r.DepthReached}, {r.Elapsed.TotalSeconds:F2} s; per level {string.Join(", ", r.StatesPerLevel)}");
        Assert.True(r.Passed, r.CounterexampleReport?.FailureMessage);
        Assert.True(r.Exhausted, r.StoppedBecause);
        Assert.Equal(1_829, r.States);
        Assert.Equal(12_611, r.Transitions);
        Assert.Equal(13, r.DepthReached);
        Assert.Equal(r.States, r.StatesPerLevel.Sum());
    }

    [Fact]
    public void A_depth_bound_stops_the_exploration_and_says_so()
    {
        var r = new StateExplorer(new ExhaustConfig(Designs.Buddy, new Scenario(Eight, []), AllocFree, MaxDepth: 3, MaxStates: 1_000_000)).Run();
        Assert.False(r.Exhausted);
        Assert.Equal(3, r.DepthReached);
        Assert.Equal(new long[] { 1, 3, 9, 21 }, r.StatesPerLevel);
        Assert.Contains("depth bound (3)", r.StoppedBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_bound_stops_the_exploration_and_says_so()
    {
        var r = new StateExplorer(new ExhaustConfig(Designs.Buddy, new Scenario(Eight, []), AllocFree, MaxDepth: 100, MaxStates: 100)).Run();
        Assert.False(r.Exhausted);
        Assert.Equal(100, r.States);
        Assert.Contains("state bound (100)", r.StoppedBecause, StringComparison.Ordinal);
    }

    /// <summary>A worker of a test's own with a count of its own that nothing writes into the canonical form.</summary>
    private sealed class CountingWorker(global::Reporting.PageReporting reporting) : global::Reporting.ReportingWorker(reporting)
    {
        private int _passes;

        public int Passes => _passes;

        protected override void BeginPass(global::Reporting.PageReportingDevInfo prdev)
        {
            _passes++;
            base.BeginPass(prdev);
        }
    }

    /// <summary>
    /// Every named design is explorable; a system with a test-only part that keeps state the
    /// canonical form does not write (a merged-design worker with a count of its own) is
    /// refused with the reason, naming the part and the field.
    /// </summary>
    [Fact]
    public void A_system_with_a_part_whose_state_is_not_canonical_is_refused_with_the_reason()
    {
        var parts = global::Reporting.ReportingParts.Default with { Name = "test-worker", MakeWorker = r => new CountingWorker(r) };
        var e = Assert.Throws<NotSupportedException>(() => new StateExplorer(new ExhaustConfig(Designs.Reporting, new Scenario(Eight, []), AllocFree, 3, 100),
            s => new PageReportingSystem(s, global::Reporting.ReportingVersion.Mainline, parts)).Run());
        Assert.Contains("the worker (CountingWorker) keeps field '_passes', which the canonical form of ReportingWorker does not write", e.Message, StringComparison.Ordinal);
        Assert.All(Designs.Names, d => Assert.Null(Designs.MakeSystem(d, new Scenario(Eight, [])).CanonicalStateMissing));
    }

    /// <summary>
    /// Two states that differ only in the order of their live-block handles are one state:
    /// three order-0 allocations (pfns 4, 5, 6), and the same with the first freed and taken
    /// again (it goes back to the head of the order-0 list: its next-order buddy is allocated),
    /// which leaves the live list as 5, 6, 4.
    /// </summary>
    [Fact]
    public void The_order_of_the_handles_is_not_part_of_the_state()
    {
        var hasher = new StateHasher();
        UInt128 After(params Operation[] ops)
        {
            var s = new BuddySystem(new Zone(Eight));
            foreach (var op in ops)
                s.Apply(op);
            return hasher.Of(s);
        }
        var alloc = new AllocPages(0, MigrateType.Movable);
        var three = After(alloc, alloc, alloc);
        Assert.Equal(three, After(alloc, alloc, alloc, new FreePages(0), alloc));
        Assert.NotEqual(three, After(alloc, alloc, alloc, new FreePages(0)));
        Assert.NotEqual(three, After(alloc, alloc));
    }

    /// <summary>The threads only compute; one takes their results in order: one thread and four give the same exploration, states, levels and counterexample.</summary>
    [Theory]
    [InlineData(Designs.Buddy, false)]
    [InlineData(Designs.Buddy60, true)]
    public void The_number_of_threads_does_not_change_the_result(string design, bool walks)
    {
        var zone = Eight with { NrPages = 16 };
        ExhaustResult Explore(int jobs) => new StateExplorer(new ExhaustConfig(design, new Scenario(zone, []), AllocFree with { Walks = walks }, MaxDepth: 6, MaxStates: 1_000_000) { Jobs = jobs }).Run();
        var one = Explore(1);
        var four = Explore(4);
        Assert.Equal(one.States, four.States);
        Assert.Equal(one.Transitions, four.Transitions);
        Assert.Equal(one.StatesPerLevel, four.StatesPerLevel);
        Assert.Equal(one.Counterexample?.Operations, four.Counterexample?.Operations);
        Assert.Equal(walks, !one.Passed);
    }
}
