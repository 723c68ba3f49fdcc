using Concurrency.Harness;
using Concurrency.Harness.Schedules;
using Rendering;
using Xunit;
using Xunit.Abstractions;

namespace Concurrency;

/// <summary>
/// Minimized schedules: every checked-in trace has a minimized one beside it (X.min.trace) that
/// shows the same bug with the fewest preemptions the bug needs, and minimizing the raw trace
/// again reaches that number. A preemption is a switch away from a Coyote operation that could
/// have gone on (ScheduleTrace.ForcedPoints); a task that awaits (between two free/alloc
/// operations, or waiting for a change) ends its operation, so switches there are free. What
/// remains counted is a task stopped in the middle of a kernel operation: inside a free with
/// zone->lock held, inside a worker step, inside unregister.
///
/// The minimum of each bug, from the code:
/// - v1 shutdown race, 1: aerator_shutdown() only sets a_dev_info = NULL once refcnt is 0 and
///   after static_key_slow_dec(); a free path that has not yet passed static_key_false() sees
///   the key off and never notifies, and one that has passed __aerator_notify holds a reference
///   (refcnt 1), which keeps shutdown sleeping. So the free path must be stopped between the
///   two, inside one free, with zone->lock held: one preemption, and none is not enough
///   (Zero_preemptions_do_not_show_the_race samples that too).
/// - unregister without a grace period, 1: page_reporting_unregister must run while a free is
///   between reading pr_dev_info and queueing the work, which is inside one free.
/// - the two-zone stale boundary, the plain-store end of pass, the freeze without a freezable
///   workqueue and the lost used-buffer notification, 0: each comes from the order of whole
///   operations (a zone's free after another zone's pass, a request after the pass read the
///   state, a pass run after the freeze, a notification dropped), with no task stopped inside
///   one.
/// </summary>
public sealed class ScheduleMinimizationTests(ITestOutputHelper output)
{
    /// <summary>trace name (without .trace), scenario method, the bug's signature, the fewest preemptions it needs.</summary>
    public static TheoryData<string, string, string, int> Bugs => new()
    {
        { "scenario2-v1-shutdown-race", nameof(EntryPoints.ShutdownV1), "Device lifetime (__aerator_notify)", 1 },
        { "scenario5-stale-boundary", nameof(EntryPoints.TwoZonesStaleBoundary), "No raw block below the boundary", 0 },
        { "ReportingUnregisterNoGracePeriod-pct-seed1", nameof(EntryPoints.ReportingUnregisterNoGracePeriod), "Device lifetime", 1 },
        { "ReportingEndOfPassPlainStore-pct-seed1", nameof(EntryPoints.ReportingEndOfPassPlainStore), "Lost request", 0 },
        { "ReportingFreezeNoFreezableWork-pct-seed1", nameof(EntryPoints.ReportingFreezeNoFreezableWork), "KernelOops", 0 },
        { "ReportingDeadDeviceLostNotification-pct-seed1", nameof(EntryPoints.ReportingDeadDeviceLostNotification), "deadlock", 0 },
    };

    private static ScheduleTrace Load(string name) => ScheduleTrace.Parse(File.ReadAllText(Path.Combine(Traces.Dir, name + ".trace")));

    [Theory]
    [MemberData(nameof(Bugs))]
    public void The_checked_in_minimized_trace_shows_the_same_bug_with_the_fewest_preemptions(string name, string method, string signature, int minimum)
    {
        var raw = TraceReplayer.Replay(Load(name), Program.EntryPoint(method));
        var min = TraceReplayer.Replay(Load(name + ".min"), Program.EntryPoint(method));
        output.WriteLine($"raw: {raw.Executed}; minimized: {min.Executed}");
        Assert.NotNull(raw.Bug);
        Assert.NotNull(min.Bug);
        Assert.StartsWith(signature, ScheduleMinimizer.Signature(min.Bug!), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ScheduleMinimizer.Signature(raw.Bug!), ScheduleMinimizer.Signature(min.Bug!));
        Assert.Equal(minimum, min.Executed.Preemptions);
        Assert.True(min.Executed.Preemptions <= raw.Executed.Preemptions);
        Assert.True(min.Executed.Switches <= raw.Executed.Switches, $"{min.Executed.Switches} switches after minimizing, {raw.Executed.Switches} before");
        // The replay took exactly the checked-in steps: the file is the schedule, not a prefix of it.
        Assert.Equal(Load(name + ".min").Steps.Count, min.Executed.Steps.Count);
    }

    [Theory]
    [MemberData(nameof(Bugs))]
    public void Minimizing_the_raw_trace_reaches_the_fewest_preemptions_and_replays(string name, string method, string signature, int minimum)
    {
        var test = Program.EntryPoint(method);
        var r = new ScheduleMinimizer(test).Minimize(Load(name));
        output.WriteLine($"{r.Original} -> {r.Minimized} ({r.Candidates} candidates, {r.Replays} replays, {r.Elapsed.TotalSeconds:F1} s)");
        Assert.Equal(minimum, r.Minimized.Preemptions);
        Assert.StartsWith(signature, ScheduleMinimizer.Signature(r.Bug), StringComparison.OrdinalIgnoreCase);
        Assert.True(r.Minimized.Cost.CompareTo(r.Original.Cost) <= 0);
        // What the minimizer returns replays, through a file, to the same bug.
        var path = Traces.Save(name + ".min.trace", r.Minimized.ToJson());
        var replay = CoyoteRunner.Replay(File.ReadAllText(path), test);
        Assert.True(replay.BugFound, "the minimized trace did not reproduce the failure");
        Assert.Equal(ScheduleMinimizer.Signature(r.Bug), ScheduleMinimizer.Signature(replay.Bug!));
    }

    /// <summary>
    /// The other half of "one preemption is the minimum": Coyote's probabilistic strategy with
    /// bound 30 never preempts (it switches with probability 2^-30) and chooses at random where
    /// a task that waits or ends hands over; 150 such schedules show neither race. (A sample, not
    /// a proof; the argument from the code is in the class comment.)
    /// </summary>
    private const uint ZeroPreemptionRuns = 150;

    [Theory]
    [InlineData(nameof(EntryPoints.ShutdownV1))]
    [InlineData(nameof(EntryPoints.ReportingUnregisterNoGracePeriod))]
    public void Zero_preemptions_do_not_show_the_race(string method)
    {
        var c = CoyoteRunner.Configure(Strategy.Probabilistic, 1, ZeroPreemptionRuns, probabilisticBound: 30);
        var r = CoyoteRunner.Run(Strategy.Probabilistic, 1, c, Program.EntryPoint(method));
        output.WriteLine($"{method}: {r.Iterations} non-preemptive iterations, {(r.BugFound ? r.Bug : "no bug")}");
        Assert.False(r.BugFound, $"{method} failed without a preemption: {r.Bug}");
        Assert.Equal((int)ZeroPreemptionRuns, r.Iterations);
    }

    /// <summary>
    /// The story of the minimized shutdown race tells the interleaving of the README: the free
    /// path, holding zone->lock, is preempted after static_key_false() answered true and before
    /// __aerator_notify reads a_dev_info; shutdown drops the key, finds refcnt 0 and sets
    /// a_dev_info = NULL; the free path resumes and dereferences NULL.
    /// </summary>
    [Fact]
    public void The_minimized_shutdown_race_tells_the_free_path_preempted_between_the_key_and_the_notify()
    {
        var story = StoryRecorder.Tell("ShutdownV1", "scenario2-v1-shutdown-race.min.trace", Load("scenario2-v1-shutdown-race.min"), EntryPoints.ShutdownV1);
        output.WriteLine(StoryTextRenderer.Render(story));
        var events = story.Events;
        var preempted = events.Where(e => e.Kind == StoryEventKind.Preempted).ToList();
        var p = Assert.Single(preempted);
        Assert.Equal("free path 1", p.Lane);
        Assert.Contains("shutdown runs", p.Text);
        int at = events.ToList().IndexOf(p);
        var before = events.Take(at).Last(e => e.Lane == p.Lane && e.Kind == StoryEventKind.Event);
        Assert.Equal("static_key_false(&aerator_notify_enabled) answered true", before.Text);
        var after = events.Skip(at + 1).ToList();
        int slowDec = after.FindIndex(e => e.Lane == "shutdown" && e.Text.Contains("static_key_slow_dec", StringComparison.Ordinal));
        int refcnt0 = after.FindIndex(e => e.Lane == "shutdown" && e.Text == "aerator_shutdown: refcnt 0");
        int unpublish = after.FindIndex(e => e.Lane == "shutdown" && e.Text == "a_dev_info = NULL");
        int notify = after.FindIndex(e => e.Lane == "free path 1" && e.Text.StartsWith("__aerator_notify(", StringComparison.Ordinal) && e.Text.EndsWith("a_dev_info read: NULL", StringComparison.Ordinal));
        Assert.True(slowDec >= 0 && slowDec < refcnt0 && refcnt0 < unpublish && unpublish < notify, string.Join("\n", after.Select(e => $"{e.Lane}: {e.Text}")));
        // The free path still holds zone->lock from before the preemption to the oops.
        Assert.DoesNotContain(after.Take(notify), e => e.Lane == "free path 1" && e.Kind == StoryEventKind.Unlock);
        var v = events[^1];
        Assert.Equal(StoryEventKind.Violation, v.Kind);
        Assert.Equal("free path 1", v.Lane);
        Assert.Contains("__aerator_notify: NULL pointer dereference", v.Text);
        Assert.Equal(1, story.Preemptions);
        Assert.Equal("Device lifetime (__aerator_notify)", story.Invariant);
    }

    /// <summary>A replay that leaves the trace (a step names an operation that is not there) is told apart from one that shows no bug.</summary>
    [Fact]
    public void A_trace_of_another_scenario_does_not_reproduce_and_the_minimizer_says_so()
    {
        var e = Assert.Throws<NotReproducedException>(() => new ScheduleMinimizer(EntryPoints.ShutdownFixed).Minimize(Load("scenario2-v1-shutdown-race.min")));
        Assert.StartsWith("the trace does not reproduce a bug", e.Message);
    }
}
