using Concurrency.Harness;
using Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Concurrency;

/// <summary>
/// The merged design (mm/page_reporting.c) under Coyote: each scenario against the version
/// (or seeded variant) with the flaw and the one that fixed it. The flawed runs are found at a
/// fixed strategy, seed and budget, saved as a trace and replayed; the checked-in traces
/// (tests/Concurrency/traces, named after the EntryPoints method so that the CLI's
/// `replay FILE.trace` finds the scenario) replay to the same failure.
///
/// Budgets (default run): every passing exploration is 100 iterations of random and 100 of PCT
/// (seed 1; scenario 3, the slowest, 60 + 60); each bug search has a budget of 300 PCT
/// iterations and is found far sooner (see the constants). COYOTE_LONG=1 adds 10,000 PCT
/// iterations of every passing scenario.
/// </summary>
public class ReportingScenarioTests(ITestOutputHelper output)
{
    /// <summary>Iterations of each passing exploration per strategy.</summary>
    public const uint PassBudget = 100;

    /// <summary>Scenario 3 is the slowest (two free/alloc tasks): a smaller budget.</summary>
    public const uint MergeBudget = 60;

    /// <summary>The budget within which each flawed variant must be found.</summary>
    public const uint FindBudget = 300;

    /// <summary>Strategy and seed of the bug searches (the first iteration that finds each is asserted below as an upper bound).</summary>
    public const Strategy FindStrategy = Strategy.Pct;
    public const uint FindSeed = 1;

    private static Func<Task> Entry(string method)
    {
        var m = typeof(EntryPoints).GetMethod(method) ?? throw new MissingMethodException(nameof(EntryPoints), method);
        return () => (Task)m.Invoke(null, null)!;
    }

    private void NoBug(string method, uint budget) => NoBug(method, budget, null, null);

    /// <summary>
    /// No bug in either strategy; with reached, also count the iterations whose harness reached
    /// the interleaving the scenario is about (asserted non-zero for each strategy), so that a
    /// pass means the fix held there, not that the exploration never went there.
    /// </summary>
    private void NoBug(string method, uint budget, Func<ReportingScenarioSpec>? spec, Func<ConcurrentReporting, bool>? reached, string? what = null)
    {
        foreach (var s in new[] { Strategy.Random, Strategy.Pct })
        {
            int hits = 0;
            Func<Task> test = spec is null ? Entry(method) : async () =>
            {
                var h = new ConcurrentReporting(spec());
                await h.Run();
                if (reached!(h))
                    hits++;
            };
            var r = CoyoteRunner.Run(s, 1, budget, test);
            if (reached != null)
            {
                output.WriteLine($"{method} {s}: {what} in {hits} of {r.Iterations} iterations");
                Assert.True(hits > 0, $"{method} {s}: no iteration reached {what}");
            }
            output.WriteLine($"{method} {s} seed 1: {r.Iterations} iterations in {r.Elapsed.TotalSeconds:F1} s ({r.IterationsPerSecond:F0}/s, {r.Steps / Math.Max(1, r.Iterations)} steps per iteration)");
            Assert.Empty(r.UncontrolledInvocations);
            if (r.BugFound)
                Traces.Save($"unexpected-{method}-{s}.trace", r.ReproducibleTrace!);
            Assert.False(r.BugFound, $"{method} {s}: {r.Bug}");
            Assert.Equal((int)budget, r.Iterations);
        }
    }

    /// <summary>Find the bug within the budget, check its message, save the trace and replay it from the file.</summary>
    private CoyoteResult Found(string method, uint foundBy, params string[] expected)
    {
        var r = CoyoteRunner.Run(FindStrategy, FindSeed, FindBudget, Entry(method));
        output.WriteLine($"{method} {FindStrategy} seed {FindSeed}: found after {r.Iterations} iterations, {r.Elapsed.TotalSeconds:F2} s: {r.Bug}");
        Assert.True(r.BugFound, $"{method}: no bug within {FindBudget} iterations ({FindStrategy}, seed {FindSeed})");
        Assert.True(r.Iterations <= foundBy, $"{method}: found after {r.Iterations} iterations, later than the recorded {foundBy}");
        foreach (var e in expected)
            Assert.Contains(e, r.Bug);
        Assert.Empty(r.UncontrolledInvocations);
        var path = Traces.Save(TraceName(method), r.ReproducibleTrace!);
        var replay = CoyoteRunner.Replay(File.ReadAllText(path), Entry(method));
        Assert.True(replay.BugFound, "the saved trace did not reproduce the failure");
        Assert.Equal(r.Bug, replay.Bug);
        return r;
    }

    /// <summary>The checked-in trace of a method: MethodName-pct-seed1.trace (the CLI's replay finds the method from the name).</summary>
    public static string TraceName(string method) => $"{method}-pct-seed{FindSeed}.trace";

    private static void CheckedInReplays(string method, params string[] expected)
    {
        var path = Path.Combine(Traces.Dir, TraceName(method));
        Assert.True(File.Exists(path), $"{path} is missing");
        var replay = CoyoteRunner.Replay(File.ReadAllText(path), Entry(method));
        Assert.True(replay.BugFound, $"the checked-in trace {path} did not reproduce the failure");
        foreach (var e in expected)
            Assert.Contains(e, replay.Bug);
    }

    // ---- 1. notify (RCU read side) against page_reporting_unregister (synchronize_rcu) ----

    public const string UnregisterBug = "page_reporting_unregister returned";

    [Fact]
    public void Reporting1_UnregisterWaitsForNotifiers_Mainline() =>
        NoBug(nameof(EntryPoints.ReportingUnregisterMainline), PassBudget, () => ReportingScenarios.Unregister(UnregisterKind.Mainline),
            h => h.GracePeriodWaitedForANotifier, "synchronize_rcu waiting for a notifier inside its read-side section");

    /// <summary>
    /// Without synchronize_rcu, a free that read pr_dev_info before unregister cleared it
    /// schedules prdev->work after cancel_delayed_work_sync returned: the work (and then the
    /// device) is used after the driver freed it.
    /// </summary>
    [Fact]
    public void Reporting1_UnregisterWithoutGracePeriodIsFound_AndItsTraceReplays() =>
        Found(nameof(EntryPoints.ReportingUnregisterNoGracePeriod), 40, "Device lifetime violated", UnregisterBug);

    [Fact]
    public void Reporting1_CheckedInTraceReplays() =>
        CheckedInReplays(nameof(EntryPoints.ReportingUnregisterNoGracePeriod), "Device lifetime violated", UnregisterBug);

    // ---- 2. a notify racing the end of a pass ----

    [Fact]
    public void Reporting2_RequestDuringAPassLeadsToAnotherPass_Mainline() =>
        NoBug(nameof(EntryPoints.ReportingEndOfPassMainline), PassBudget, () => ReportingScenarios.EndOfPass(plainStore: false),
            h => h.PassesStarted >= 2 && h.System.Reporting.Events.Scheduled == 1, "a request during the first pass (a second pass, scheduled by the pass's end, not by a free)");

    /// <summary>A pass that ends with a plain atomic_set(IDLE) overwrites the REQUESTED of a free made during it: the request is lost.</summary>
    [Fact]
    public void Reporting2_PlainIdleStoreLosesARequest_IsFound_AndItsTraceReplays() =>
        Found(nameof(EntryPoints.ReportingEndOfPassPlainStore), 10, "Lost request", "no pass began after it");

    [Fact]
    public void Reporting2_CheckedInTraceReplays() =>
        CheckedInReplays(nameof(EntryPoints.ReportingEndOfPassPlainStore), "Lost request");

    // ---- 3. merge on drain ----

    /// <summary>A free of the buddy of a block out in a report merges with it at the drain; the merged block is not marked reported.</summary>
    [Fact]
    public void Reporting3_MergeOnDrainDoesNotMarkTheMergedBlock_Mainline() =>
        NoBug(nameof(EntryPoints.ReportingMergeOnDrainMainline), MergeBudget, ReportingScenarios.MergeOnDrain,
            h => h.System.Reporting.Events.MergedOnDrain > 0, "a block that merged at the drain");

    // ---- 4. freeze against a free that schedules reporting ----

    [Fact]
    public void Reporting4_FreezableWorkWaitsForTheThaw_Mainline() =>
        NoBug(nameof(EntryPoints.ReportingFreezeMainline), PassBudget, () => ReportingScenarios.Freeze(ReportingScenarios.Mainline),
            h => h.FreeWhileFrozen, "a free that requested reporting while the virtqueues were deleted");

    /// <summary>With the work on system_wq, a free during hibernation runs report() on the virtqueue virtballoon_freeze deleted.</summary>
    [Fact]
    public void Reporting4_WorkOnSystemWqRunsAfterFreeze_IsFound_AndItsTraceReplays()
    {
        Assert.False(ReportingScenarios.WithoutFreezableWork.Has(ReportingFixes.FreezableWork));
        Found(nameof(EntryPoints.ReportingFreezeNoFreezableWork), 11, "KernelOops", "use after free", "deleted by virtballoon_freeze");
    }

    [Fact]
    public void Reporting4_CheckedInTraceReplays() =>
        CheckedInReplays(nameof(EntryPoints.ReportingFreezeNoFreezableWork), "KernelOops", "use after free");

    // ---- 5. a device that never answers, with unregister ----

    public const string DeadlockMessage = "Deadlock (liveness)";

    /// <summary>
    /// The used-buffer notification is lost (2025 virtio-ccw flaw): the worker waits in report()
    /// with its blocks isolated, and page_reporting_unregister waits for the worker forever. The
    /// failure names the isolated blocks; the harness state says the same.
    /// </summary>
    [Fact]
    public void Reporting5_LostNotificationIsReportedAsDeadlockNamingTheIsolatedBlocks()
    {
        ConcurrentReporting? last = null;
        var r = CoyoteRunner.Run(FindStrategy, FindSeed, 10, () => (last = new ConcurrentReporting(ReportingScenarios.DeadDevice(ReportingScenarios.DeadDeviceKind.LostNotification))).Run());
        output.WriteLine($"{r.Iterations} iterations: {r.Bug}");
        Assert.True(r.BugFound, "a lost used-buffer notification must be reported as a deadlock");
        Assert.Equal(1, r.Iterations);
        Assert.Contains(DeadlockMessage, r.Bug);
        Assert.Contains("page_reporting_unregister waits in cancel_delayed_work_sync", r.Bug);
        Assert.Contains("waits in report()", r.Bug);
        Assert.Contains("1 used-buffer notification(s) lost", r.Bug);
        Assert.NotNull(last);
        Assert.False(last!.UnregisterReturned);
        Assert.True(last.UnregisterStarted);
        Assert.Equal(ReportingWorkerState.ReportingLeftover, last.Worker.State);
        Assert.NotEmpty(last.Worker.InFlight);
        foreach (var e in last.Worker.InFlight)
        {
            Assert.Contains($"pfn {e.Pfn} order {e.Order}", r.Bug);
            Assert.True((last.System.Zone.Flags(e.Pfn) & BuddyModel.PageFlags.Held) != 0);
        }
        Assert.Contains($"{last.Worker.InFlight.Count} block(s) stay isolated", r.Bug);
        Assert.Empty(r.UncontrolledInvocations);
        var path = Traces.Save(TraceName(nameof(EntryPoints.ReportingDeadDeviceLostNotification)), r.ReproducibleTrace!);
        var replay = CoyoteRunner.Replay(File.ReadAllText(path), EntryPoints.ReportingDeadDeviceLostNotification);
        Assert.Equal(r.Bug, replay.Bug);
    }

    /// <summary>A device that never takes the buffer at all: the same deadlock, with no notification lost.</summary>
    [Fact]
    public void Reporting5_DeviceThatNeverAnswersIsReportedAsDeadlock()
    {
        var r = CoyoteRunner.Run(Strategy.Pct, 1, 10, EntryPoints.ReportingDeadDeviceNeverAnswers);
        output.WriteLine($"{r.Iterations} iterations: {r.Bug}");
        Assert.True(r.BugFound);
        Assert.Contains(DeadlockMessage, r.Bug);
        Assert.Contains("the device never takes a buffer", r.Bug);
        Assert.Contains("page_reporting_unregister never returns", r.Bug);
        Assert.Matches(@"\d+ block\(s\) stay isolated from the free lists: pfn \d+ order \d+", r.Bug!);
    }

    /// <summary>With the 2025 fix the notification on the dense layout arrives: unregister returns.</summary>
    [Fact]
    public void Reporting5_DenseLayoutWithTheFixLetsUnregisterReturn() => NoBug(nameof(EntryPoints.ReportingDeadDeviceMainline), PassBudget);

    [Fact]
    public void Reporting5_CheckedInTraceReplays() =>
        CheckedInReplays(nameof(EntryPoints.ReportingDeadDeviceLostNotification), DeadlockMessage, "stay isolated");

    // ---- the harness's own checks ----

    /// <summary>Monitor.IsEntered through Coyote's rewriting: true for the holder only (the device wrapper's lock check relies on it).</summary>
    [Fact]
    public void HoldsLockSeesOnlyTheCallersHold()
    {
        var r = CoyoteRunner.Run(Strategy.Random, 1, 50, async () =>
        {
            var o = new object();
            int inside = 0;
            Microsoft.Coyote.Specifications.Specification.Assert(!Specs.Reporting.NoReportUnderLock.HoldsLock(o), "held before anyone took it");
            var holder = Task.Run(() =>
            {
                lock (o)
                {
                    Microsoft.Coyote.Specifications.Specification.Assert(Specs.Reporting.NoReportUnderLock.HoldsLock(o), "not held by its holder");
                    Interlocked.Increment(ref inside); // a scheduling point with the lock held
                    Microsoft.Coyote.Specifications.Specification.Assert(Specs.Reporting.NoReportUnderLock.HoldsLock(o), "not held by its holder after a scheduling point");
                }
            });
            var other = Task.Run(() =>
            {
                for (int i = 0; i < 3; i++)
                {
                    Microsoft.Coyote.Specifications.Specification.Assert(!Specs.Reporting.NoReportUnderLock.HoldsLock(o), "held by a task that never took it");
                    Interlocked.Increment(ref inside);
                }
            });
            await holder;
            await other;
            Microsoft.Coyote.Specifications.Specification.Assert(!Specs.Reporting.NoReportUnderLock.HoldsLock(o), "held after release");
        });
        Assert.False(r.BugFound, r.Bug);
        Assert.Empty(r.UncontrolledInvocations);
    }

    /// <summary>The device wrapper's lock check fires: report() called with zone->lock held is a bug.</summary>
    [Fact]
    public void ReportWithZoneLockHeldIsCaught()
    {
        var r = CoyoteRunner.Run(Strategy.Random, 1, 5, () =>
        {
            var h = new ConcurrentReporting(ReportingScenarios.MergeOnDrain());
            lock (h.System.Zone.Lock)
                h.Device.Start([new ScatterEntry(4, 2)]);
            return Task.CompletedTask;
        });
        Assert.True(r.BugFound);
        Assert.Contains("Lock discipline violated: report() (virtballoon_free_page_report) called with zone->lock held", r.Bug);
    }

    // ---- long explorations ----

    /// <summary>
    /// measurements/reporting-scenarios.md: for each flawed variant, the iteration at which
    /// Random and PCT find it, seeds 1..20 (budget 1,000), so that the default tests' single
    /// seed is not a lucky one.
    /// </summary>
    [LongFact]
    public void Measurement_ReportingBugsPerSeed()
    {
        int seeds = Measurements.Knob("REPORTING_SEEDS", 20);
        const uint budget = 1000;
        var methods = new[]
        {
            (nameof(EntryPoints.ReportingUnregisterNoGracePeriod), "1 unregister without synchronize_rcu (broken)"),
            (nameof(EntryPoints.ReportingEndOfPassPlainStore), "2 plain IDLE store at the end of a pass (broken)"),
            (nameof(EntryPoints.ReportingFreezeNoFreezableWork), "4 reporting work on system_wq (reporting-no-FreezableWork)"),
            (nameof(EntryPoints.ReportingDeadDeviceLostNotification), "5 lost used-buffer notification (reporting-no-UsedNotifyDense)"),
            (nameof(EntryPoints.ReportingDeadDeviceNeverAnswers), "5 device that never answers (never-answers)"),
        };
        var md = new System.Text.StringBuilder();
        md.AppendLine("# The merged design's concurrency scenarios: iterations to each bug");
        md.AppendLine();
        md.AppendLine(Measurements.Header());
        md.AppendLine();
        md.AppendLine($"Each cell: `CoyoteRunner.Run(strategy, seed, {budget}, EntryPoints.Method)` for seeds 1..{seeds}, stopping at the first bug; found = seeds that found it; iterations = the failing iteration (median / max over the seeds that found it). PCT is prioritization with 10 priority changes.");
        md.AppendLine();
        md.AppendLine("| scenario | method | Random found | Random iterations median / max | PCT found | PCT iterations median / max | first bug message (PCT seed 1) |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (method, what) in methods)
        {
            string? message = null;
            var cells = new List<string>();
            foreach (var strategy in new[] { Strategy.Random, Strategy.Pct })
            {
                var found = new List<int>();
                for (uint seed = 1; seed <= seeds; seed++)
                {
                    var r = CoyoteRunner.Run(strategy, seed, budget, Entry(method));
                    Assert.Empty(r.UncontrolledInvocations);
                    if (r.BugFound)
                        found.Add(r.Iterations);
                    if (strategy == Strategy.Pct && seed == 1)
                        message = r.Bug;
                }
                found.Sort();
                cells.Add($"{found.Count}/{seeds}");
                cells.Add(found.Count == 0 ? "—" : $"{found[found.Count / 2]} / {found[^1]}");
            }
            string shortMessage = message is null ? "—" : (message.Length > 160 ? message[..160] + "…" : message).Replace("|", "\\|");
            md.AppendLine($"| {what} | `{method}` | {string.Join(" | ", cells)} | {shortMessage} |");
            output.WriteLine($"{method}: {string.Join(", ", cells)}");
        }
        output.WriteLine(Measurements.Write("reporting-scenarios.md", md.ToString()));
    }

    [LongFact]
    public void Long_ReportingMainline10000()
    {
        foreach (var m in new[]
        {
            nameof(EntryPoints.ReportingUnregisterMainline), nameof(EntryPoints.ReportingEndOfPassMainline),
            nameof(EntryPoints.ReportingMergeOnDrainMainline), nameof(EntryPoints.ReportingFreezeMainline),
            nameof(EntryPoints.ReportingDeadDeviceMainline),
        })
        {
            var r = CoyoteRunner.Run(Strategy.Pct, 7, 10000, Entry(m));
            output.WriteLine($"{m} PCT seed 7: {r.Iterations} iterations in {r.Elapsed.TotalSeconds:F1} s");
            Assert.Empty(r.UncontrolledInvocations);
            Assert.False(r.BugFound, $"{m}: {r.Bug}");
        }
    }
}
