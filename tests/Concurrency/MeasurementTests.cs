using System.Diagnostics;
using System.Globalization;
using System.Text;
using Concurrency.Harness;
using Microsoft.Coyote.Rewriting;
using Xunit;
using Xunit.Abstractions;

namespace Concurrency;

/// <summary>
/// The measurements run alone (after every parallel collection, one test at a time), so the
/// timings are not disturbed by other explorations sharing the two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasurementCollection
{
    public const string Name = "Measurements";
}

/// <summary>tests/Concurrency/measurements, found from the test assembly's output directory.</summary>
public static class Measurements
{
    public static string Dir
    {
        get
        {
            var traces = new DirectoryInfo(Traces.Dir);
            var dir = Path.Combine(traces.Parent!.FullName, "measurements");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static string Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>An integer knob from the environment (to shorten a trial run), or its default.</summary>
    public static int Knob(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    public static string Header()
    {
        var cpu = Environment.ProcessorCount;
        return $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {cpu} cores, .NET {Environment.Version}, {(Debugger.IsAttached ? "debugger attached" : "no debugger")}, " +
               $"{(IsDebugBuild ? "Debug" : "Release")} build of the test assembly (rewritten by Coyote 1.7.11).";
    }

    /// <summary>
    /// The configuration this assembly was compiled in. (Read from the compiler's DEBUG symbol:
    /// Coyote's rewriting drops the DebuggableAttribute, so a Debug build read as Release.)
    /// </summary>
#if DEBUG
    private const bool IsDebugBuild = true;
#else
    private const bool IsDebugBuild = false;
#endif

    public static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0)
            return double.NaN;
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    public static string F(double x, string format) => double.IsNaN(x) ? "—" : x.ToString(format, CultureInfo.InvariantCulture);
}

[Collection(MeasurementCollection.Name)]
public class MeasurementTests(ITestOutputHelper output)
{
    private const string Command = "COYOTE_LONG=1 dotnet test tests/Concurrency --filter \"FullyQualifiedName~Measurement|FullyQualifiedName~Long_\"";

    private static bool IsRace(CoyoteResult r)
        => r.BugFound && r.Bug!.Contains(ScenarioTests.RaceMessage, StringComparison.Ordinal) && r.Bug.Contains(ScenarioTests.RaceDetail, StringComparison.Ordinal);

    private void Print(string text)
    {
        foreach (var line in text.Split('\n'))
            output.WriteLine(line.TrimEnd('\r'));
    }

    // ---- 1. Strategy table: scenario 2 on v1, 20 seeds per strategy ----

    [LongFact]
    public void Measurement_StrategyTable()
    {
        uint budget = (uint)Measurements.Knob("COYOTE_TABLE_BUDGET", 1000);
        int seeds = Measurements.Knob("COYOTE_TABLE_SEEDS", 20);
        var strategies = new[] { Strategy.Random, Strategy.Pct, Strategy.Portfolio };
        var all = new Dictionary<Strategy, List<CoyoteResult>>();
        var total = Stopwatch.StartNew();
        var spent = new Dictionary<Strategy, TimeSpan>();

        // Warm-up (JIT, rewriting caches): not counted.
        CoyoteRunner.Run(Strategy.Random, 1000, 5, EntryPoints.ShutdownV1);

        foreach (var s in strategies)
        {
            var sw = Stopwatch.StartNew();
            var runs = all[s] = [];
            for (uint seed = 1; seed <= seeds; seed++)
            {
                var r = CoyoteRunner.Run(s, seed, budget, EntryPoints.ShutdownV1);
                Assert.Empty(r.UncontrolledInvocations);
                runs.Add(r);
                output.WriteLine($"{s,-9} seed {seed,2}: {(IsRace(r) ? "race" : r.BugFound ? "OTHER BUG" : "not found")} after {r.Iterations} iterations, {r.Elapsed.TotalSeconds:F2} s");
            }
            spent[s] = sw.Elapsed;
        }
        total.Stop();

        var md = new StringBuilder();
        md.AppendLine("# Scenario 2 (shutdown vs free + pass), v1: which strategy finds the shutdown race");
        md.AppendLine();
        md.AppendLine(Measurements.Header());
        md.AppendLine();
        md.AppendLine($"Each run: `CoyoteRunner.Run(strategy, seed, {budget}, EntryPoints.ShutdownV1)` for seeds 1..{seeds}, " +
                      $"stopping at the first bug; a run that reaches {budget} iterations without the race counts as not found. " +
                      $"Found = the bug report names \"{ScenarioTests.RaceMessage}\" and \"{ScenarioTests.RaceDetail}\". " +
                      "Iterations-to-bug counts the failing iteration; time-to-bug is the wall-clock time of the whole run " +
                      "(engine start to the bug). Medians and maxima are over the runs that found the race.");
        md.AppendLine();
        md.AppendLine("| strategy | found | iterations-to-bug median | iterations-to-bug max | time-to-bug median (s) | time-to-bug max (s) | time for all seeds (s) |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in strategies)
        {
            var found = all[s].Where(IsRace).ToList();
            var its = found.Select(r => (double)r.Iterations).ToList();
            var secs = found.Select(r => r.Elapsed.TotalSeconds).ToList();
            md.AppendLine($"| {Name(s)} | {found.Count}/{seeds} | {Measurements.F(Measurements.Median(its), "0.#")} | {Measurements.F(its.Count > 0 ? its.Max() : double.NaN, "0")} | " +
                          $"{Measurements.F(Measurements.Median(secs), "0.00")} | {Measurements.F(secs.Count > 0 ? secs.Max() : double.NaN, "0.00")} | {spent[s].TotalSeconds:F1} |");
        }
        md.AppendLine();
        md.AppendLine($"Total: {total.Elapsed.TotalSeconds:F1} s.");
        md.AppendLine();
        md.AppendLine("## Per seed (iterations to the race; \"—\" = not found within the budget)");
        md.AppendLine();
        md.AppendLine("| seed | " + string.Join(" | ", strategies.Select(Name)) + " |");
        md.AppendLine("|---|" + string.Concat(strategies.Select(_ => "---|")));
        for (int i = 0; i < seeds; i++)
        {
            md.Append($"| {i + 1} |");
            foreach (var s in strategies)
            {
                var r = all[s][i];
                md.Append(IsRace(r) ? $" {r.Iterations} ({r.Elapsed.TotalSeconds:F2} s) |" : r.BugFound ? " other bug |" : " — |");
            }
            md.AppendLine();
        }
        var others = strategies.SelectMany(s => all[s].Where(r => r.BugFound && !IsRace(r))).ToList();
        if (others.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Other bugs reported");
            foreach (var r in others)
                md.AppendLine($"- {Name(r.Strategy)} seed {r.Seed}: {r.Bug}");
        }
        md.AppendLine();
        md.AppendLine($"Regenerate, from the root of any clone: `{Command}` (knobs for a shorter trial: `COYOTE_TABLE_SEEDS`, `COYOTE_TABLE_BUDGET`).");
        var text = md.ToString();
        Measurements.Write("strategy-table.md", text);
        Print(text);

        Assert.Empty(others.Select(r => $"{r.Strategy} seed {r.Seed}: {r.Bug}"));
        Assert.True(strategies.Any(s => all[s].Any(IsRace)), "no strategy found the v1 shutdown race");
    }

    private static string Name(Strategy s) => s switch
    {
        Strategy.Random => "Random",
        Strategy.Pct => "PCT (prioritization, 10 priority changes)",
        Strategy.Portfolio => "Portfolio (fair)",
        Strategy.Probabilistic => $"Probabilistic (switch with probability 2^-{CoyoteRunner.ProbabilisticBound})",
        _ => s.ToString(),
    };

    // ---- 1b. Time to bug, per bug: every seeded or historical race the suite finds ----

    /// <summary>Each bug the concurrency tests find: its scenario and how its report is recognised.</summary>
    private static readonly (string Name, Func<Task> Test, string[] Expect)[] Bugs =
    [
        ("v1 shutdown race (ShutdownV1)", EntryPoints.ShutdownV1, [ScenarioTests.RaceMessage, ScenarioTests.RaceDetail]),
        ("two-zone stale boundary (TwoZonesStaleBoundary)", EntryPoints.TwoZonesStaleBoundary, ["points into zone"]),
        ("unregister without a grace period (ReportingUnregisterNoGracePeriod)", EntryPoints.ReportingUnregisterNoGracePeriod, ["Device lifetime violated"]),
        ("end of pass with a plain store (ReportingEndOfPassPlainStore)", EntryPoints.ReportingEndOfPassPlainStore, ["Lost request"]),
        ("freeze without a freezable workqueue (ReportingFreezeNoFreezableWork)", EntryPoints.ReportingFreezeNoFreezableWork, ["deleted by virtballoon_freeze"]),
        ("lost used-buffer notification (ReportingDeadDeviceLostNotification)", EntryPoints.ReportingDeadDeviceLostNotification, ["Deadlock"]),
    ];

    [LongFact]
    public void Measurement_TimeToBug()
    {
        uint budget = (uint)Measurements.Knob("COYOTE_TABLE_BUDGET", 1000);
        int seeds = Measurements.Knob("COYOTE_TABLE_SEEDS", 20);
        int stressSeconds = Measurements.Knob("COYOTE_STRESS_SECONDS", 30);
        var strategies = new[] { Strategy.Pct, Strategy.Probabilistic };
        var md = new StringBuilder();
        md.AppendLine("# Time to bug, per bug");
        md.AppendLine();
        md.AppendLine(Measurements.Header());
        md.AppendLine();
        md.AppendLine($"Each cell: `CoyoteRunner.Run(strategy, seed, {budget}, test)` for seeds 1..{seeds}, stopping at the first bug; " +
                      "found = the report says what the bug's test expects. Time-to-bug is the wall-clock time of the run from engine start " +
                      "to the bug; medians and maxima over the runs that found it. The machine runs nothing else (one test at a time).");
        var unexpected = new List<string>();
        CoyoteRunner.Run(Strategy.Random, 1000, 5, EntryPoints.ShutdownV1); // warm-up
        var medians = new Dictionary<Strategy, double>();
        var foundCounts = new List<(string What, int Count)>();
        string? only = Environment.GetEnvironmentVariable("COYOTE_TTB_ONLY");
        var strategyNames = Environment.GetEnvironmentVariable("COYOTE_TTB_STRATEGIES");
        if (strategyNames is not null)
            strategies = strategyNames.Split(',').Select(n => Enum.Parse<Strategy>(n, ignoreCase: true)).ToArray();
        foreach (var (name, test, expect) in Bugs.Where(b => only is null || b.Name.Contains(only, StringComparison.Ordinal)))
        {
            md.AppendLine();
            md.AppendLine($"## {name}");
            md.AppendLine();
            md.AppendLine("| strategy | found | iterations-to-bug median | max | time-to-bug median (s) | max (s) |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var s in strategies)
            {
                var runs = Enumerable.Range(1, seeds).Select(seed => CoyoteRunner.Run(s, (uint)seed, budget, test)).ToList();
                bool Is(CoyoteResult r) => r.BugFound && expect.All(e => r.Bug!.Contains(e, StringComparison.Ordinal));
                unexpected.AddRange(runs.Where(r => r.BugFound && !Is(r)).Select(r => $"{name} {s} seed {r.Seed}: {r.Bug}"));
                var found = runs.Where(Is).ToList();
                foundCounts.Add(($"{name} {Name(s)}", found.Count));
                var its = found.Select(r => (double)r.Iterations).ToList();
                var secs = found.Select(r => r.Elapsed.TotalSeconds).ToList();
                output.WriteLine($"{name} {s}: {found.Count}/{seeds}, median {Measurements.F(Measurements.Median(secs), "0.00")} s");
                if (test == EntryPoints.ShutdownV1 && secs.Count > 0)
                    medians[s] = Measurements.Median(secs);
                md.AppendLine($"| {Name(s)} | {found.Count}/{seeds} | {Measurements.F(Measurements.Median(its), "0.#")} | {Measurements.F(its.Count > 0 ? its.Max() : double.NaN, "0")} | " +
                              $"{Measurements.F(Measurements.Median(secs), "0.00")} | {Measurements.F(secs.Count > 0 ? secs.Max() : double.NaN, "0.00")} |");
            }
            if (test == EntryPoints.ShutdownV1)
            {
                // Beside it, in the same process: the same scenario on real threads.
                Stress.Count(() => Scenarios.Shutdown(Designs.V1), TimeSpan.FromSeconds(1), IsRaceFailure, classify: Classify); // warm-up
                var t = Stress.Count(() => Scenarios.Shutdown(Designs.V1), TimeSpan.FromSeconds(stressSeconds), IsRaceFailure, classify: Classify);
                md.AppendLine();
                string ratios = string.Join(", ", medians.Select(kv => $"{Name(kv.Key)} {(t.FirstFoundAfter is { } f ? (f.TotalSeconds / Math.Max(kv.Value, 1e-9)).ToString("F1", CultureInfo.InvariantCulture) : $"more than {(stressSeconds / Math.Max(kv.Value, 1e-9)).ToString("F0", CultureInfo.InvariantCulture)}")}"));
                md.AppendLine(t.FirstFoundAfter is { } first
                    ? $"Stress on real threads beside it (`Stress.Count`, {stressSeconds} s): {t.Runs} runs, {t.Targets} found the race, the first after {first.TotalSeconds:F2} s. Ratio of the stress time to the first race over the median time-to-bug: {ratios}."
                    : $"Stress on real threads beside it (`Stress.Count`, {stressSeconds} s): {t.Runs} runs, none found the race. Ratio of the stress budget over the median time-to-bug: {ratios}.");
            }
        }
        if (unexpected.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Other bugs reported (the seeded model failing another way first)");
            md.AppendLine();
            foreach (var u in unexpected)
                md.AppendLine($"- {u}");
        }
        md.AppendLine();
        md.AppendLine($"Regenerate, from the root of any clone: `{Command}` (knobs: `COYOTE_TABLE_SEEDS`, `COYOTE_TABLE_BUDGET`, `COYOTE_STRESS_SECONDS`; " +
                      "for a trial: `COYOTE_TTB_ONLY` (part of a bug's name), `COYOTE_TTB_STRATEGIES` (e.g. `pct,probabilistic`), `COYOTE_PROBABILISTIC_BOUND`).");
        var text = md.ToString();
        if (only is null && strategyNames is null)
            Measurements.Write("time-to-bug.md", text);
        Print(text);
        // Every bug is found, by every strategy, for most seeds.
        foreach (var (what, count) in foundCounts)
            Assert.True(2 * count >= seeds, $"{what}: found for {count} of {seeds} seeds, fewer than half");
    }

    // ---- 2. Scheduling throughput: scenario 1 against a bare two-task lock ----

    [LongFact]
    public void Measurement_StepsPerSecond()
    {
        uint scrubIterations = (uint)Measurements.Knob("COYOTE_SPS_SCRUB", 300);
        uint bareIterations = (uint)Measurements.Knob("COYOTE_SPS_BARE", 1000);

        // Warm-up (JIT): not counted.
        CoyoteRunner.Run(Strategy.Random, 99, 10, EntryPoints.ScrubFixed);
        CoyoteRunner.Run(Strategy.Random, 99, 10, EntryPoints.ScrubV1);
        CoyoteRunner.Run(Strategy.Random, 99, 10, BareLock.Run);

        var rows = new List<(string What, CoyoteResult R)>();
        foreach (var s in new[] { Strategy.Random, Strategy.Pct })
        {
            rows.Add(("scenario 1 v1-rcu (Scrub(V1Rcu))", CoyoteRunner.Run(s, 1, scrubIterations, EntryPoints.ScrubFixed)));
            rows.Add(("scenario 1 v1 (Scrub(V1))", CoyoteRunner.Run(s, 1, scrubIterations, EntryPoints.ScrubV1)));
            rows.Add(("bare two-task lock (BareLock)", CoyoteRunner.Run(s, 1, bareIterations, BareLock.Run)));
        }
        foreach (var (what, r) in rows)
        {
            Assert.Empty(r.UncontrolledInvocations);
            Assert.False(r.BugFound, $"{what} {r.Strategy}: {r.Bug}");
        }

        var md = new StringBuilder();
        md.AppendLine("# Scheduling throughput: scenario 1 against a bare two-task lock");
        md.AppendLine();
        md.AppendLine(Measurements.Header());
        md.AppendLine();
        md.AppendLine("Steps = scheduling steps Coyote explored (`TotalExploredFairSteps + TotalExploredUnfairSteps`), " +
                      "over the wall-clock time of the whole exploration (`CoyoteResult.StepsPerSecond`). No bug is expected " +
                      "in any of these runs. Seed 1; one warm-up exploration of each test first. Timings are informative, not asserted.");
        md.AppendLine();
        md.AppendLine("| test | strategy | iterations | steps | steps/iteration | time (s) | iterations/s | steps/s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (what, r) in rows)
            md.AppendLine($"| {what} | {r.Strategy} | {r.Iterations} | {r.Steps} | {(double)r.Steps / Math.Max(1, r.Iterations):F1} | {r.Elapsed.TotalSeconds:F2} | {r.IterationsPerSecond:F1} | {r.StepsPerSecond:F0} |");
        md.AppendLine();
        md.AppendLine("Ratios (bare lock ÷ scenario 1, same strategy):");
        md.AppendLine();
        md.AppendLine("| strategy | scenario | steps/s ratio | iterations/s ratio |");
        md.AppendLine("|---|---|---|---|");
        foreach (var s in new[] { Strategy.Random, Strategy.Pct })
        {
            var bare = rows.Single(x => x.R.Strategy == s && x.What.StartsWith("bare", StringComparison.Ordinal)).R;
            foreach (var (what, r) in rows.Where(x => x.R.Strategy == s && !x.What.StartsWith("bare", StringComparison.Ordinal)))
                md.AppendLine($"| {s} | {what} | {bare.StepsPerSecond / Math.Max(r.StepsPerSecond, 1e-9):F2} | {bare.IterationsPerSecond / Math.Max(r.IterationsPerSecond, 1e-9):F2} |");
        }
        md.AppendLine();
        md.AppendLine($"Regenerate, from the root of any clone: `{Command}` (knobs: `COYOTE_SPS_SCRUB`, `COYOTE_SPS_BARE` iterations).");
        var text = md.ToString();
        Measurements.Write("steps-per-second.md", text);
        Print(text);
    }

    // ---- 3. Stress on real threads against Coyote ----

    private static bool IsRaceFailure(string failure)
        => failure.Contains(ScenarioTests.RaceMessage, StringComparison.Ordinal) && failure.Contains(ScenarioTests.RaceDetail, StringComparison.Ordinal);

    private static string Classify(string failure)
    {
        if (failure.Contains(ScenarioTests.RaceMessage, StringComparison.Ordinal))
            return failure.Contains(ScenarioTests.RaceDetail, StringComparison.Ordinal)
                ? $"{ScenarioTests.RaceMessage} ({ScenarioTests.RaceDetail}) — the shutdown race"
                : ScenarioTests.RaceMessage;
        int colon = failure.IndexOf(": ", StringComparison.Ordinal);
        var tail = colon >= 0 ? failure[(colon + 2)..] : failure;
        return tail.Length > 100 ? tail[..100] + "…" : tail;
    }

    [LongFact]
    public void Measurement_StressVsCoyote()
    {
        int fixedSeconds = Measurements.Knob("COYOTE_STRESS_SECONDS", 30);
        int controlSeconds = Measurements.Knob("COYOTE_STRESS_CONTROL_SECONDS", 10);

        // The assemblies the stress run executes are the rewritten ones.
        foreach (var asm in new[] { typeof(Aeration.Aerator).Assembly, typeof(BuddyModel.Zone).Assembly, typeof(Specs.Violation).Assembly, typeof(MeasurementTests).Assembly })
            Assert.True(RewritingEngine.IsAssemblyRewritten(asm), $"{asm.GetName().Name} is not rewritten");

        // Coyote first: the configuration the suite uses (PCT, seed 7), and the median of the
        // twenty PCT seeds is in strategy-table.md.
        CoyoteRunner.Run(Strategy.Random, 1000, 5, EntryPoints.ShutdownV1); // warm-up
        var coyote = CoyoteRunner.Run(ScenarioTests.RaceStrategy, ScenarioTests.RaceSeed, ScenarioTests.RaceBudget, EntryPoints.ShutdownV1);
        Assert.True(IsRace(coyote), $"Coyote did not find the race: {coyote.Bug}");
        output.WriteLine($"Coyote {coyote.Strategy} seed {coyote.Seed}: race after {coyote.Iterations} iterations, {coyote.Elapsed.TotalSeconds:F2} s");

        // Warm-up on real threads (JIT of the uncontrolled paths), not counted.
        Stress.Count(() => Scenarios.Shutdown(Designs.V1), TimeSpan.FromSeconds(1), IsRaceFailure, classify: Classify);

        var sameBudget = Stress.Count(() => Scenarios.Shutdown(Designs.V1), coyote.Elapsed, IsRaceFailure, classify: Classify);
        var fixedBudget = Stress.Count(() => Scenarios.Shutdown(Designs.V1), TimeSpan.FromSeconds(fixedSeconds), IsRaceFailure, classify: Classify);
        // Control: the RCU-fixed design on real threads must not report the race (a failure
        // there would mean the uncontrolled harness reports false positives).
        var control = Stress.Count(() => Scenarios.Shutdown(Designs.V1Rcu), TimeSpan.FromSeconds(controlSeconds), IsRaceFailure, classify: Classify);

        string Row(string what, string design, Stress.Tally t) =>
            $"| {what} | {design} | {t.Elapsed.TotalSeconds:F2} | {t.Runs} | {t.RunsPerSecond:F0} | **{t.Targets}** | {t.Failures - t.Targets} | {t.Runs - t.Failures - t.Hangs} | {t.Hangs} | " +
            $"{(t.FirstFoundAfterRuns is int n ? $"run {n}, {t.FirstFoundAfter!.Value.TotalSeconds:F2} s" : "—")} |";

        var md = new StringBuilder();
        md.AppendLine("# Stress on real threads against Coyote: scenario 2 (shutdown vs free + pass), v1");
        md.AppendLine();
        md.AppendLine(Measurements.Header());
        md.AppendLine();
        md.AppendLine($"Coyote: `CoyoteRunner.Run({ScenarioTests.RaceStrategy}, seed {ScenarioTests.RaceSeed}, budget {ScenarioTests.RaceBudget}, EntryPoints.ShutdownV1)` " +
                      $"found the race after **{coyote.Iterations} iterations in {coyote.Elapsed.TotalSeconds:F2} s**.");
        md.AppendLine();
        md.AppendLine("Stress: `new ConcurrentAeration(Scenarios.Shutdown(design), underCoyote: false).Run()` on real thread-pool threads, " +
                      "one run after another until the wall-clock budget is spent (`Stress.Count`). On real threads the harness " +
                      "checks only Device lifetime (the oops log) at each zone->lock hold and records the failure instead of asserting; " +
                      "the shutdown point (after k of the 5 free/alloc operations) is drawn from `System.Random` instead of Coyote's generator.");
        md.AppendLine();
        md.AppendLine("| budget | design | time (s) | runs | runs/s | runs that found the race | runs stopped by another failure | clean runs | hangs | first race |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(Row($"Coyote's time-to-bug ({coyote.Elapsed.TotalSeconds:F2} s)", "v1", sameBudget));
        md.AppendLine(Row($"fixed {fixedSeconds} s", "v1", fixedBudget));
        md.AppendLine(Row($"control, {controlSeconds} s", "v1-rcu", control));
        md.AppendLine();
        md.AppendLine("Failures by kind:");
        md.AppendLine();
        foreach (var (what, t) in new[] { ("Coyote's time-to-bug, v1", sameBudget), ($"fixed {fixedSeconds} s, v1", fixedBudget), ($"control {controlSeconds} s, v1-rcu", control) })
        {
            md.AppendLine($"- {what}: " + (t.FailureKinds.Count == 0 ? "none" : string.Join("; ", t.FailureKinds.Select(kv => $"{kv.Value}× {kv.Key}"))));
        }
        md.AppendLine();
        md.AppendLine("\"Another failure\" would be any other report of the real-thread checks (Device lifetime, and the differential " +
                      "oracle at each operation, kept in step with the batch under zone->lock as under Coyote); such a run stops and " +
                      "can no longer show the race.");
        md.AppendLine();
        md.AppendLine("Rewritten assemblies outside the TestingEngine: BuddyModel, Aeration, Specs and Concurrency are the rewritten " +
                      "dlls (asserted with `RewritingEngine.IsAssemblyRewritten`). With no TestingEngine running on the calling thread, " +
                      "Coyote's rewritten `Task`, `Monitor`, `Interlocked` and `Volatile` wrappers find no controlled runtime and call " +
                      $"the real ones: the stress runs above completed ({fixedBudget.Runs + sameBudget.Runs + control.Runs} runs, " +
                      $"{fixedBudget.Hangs + sameBudget.Hangs + control.Hangs} hangs) in the same process right after a Coyote exploration.");
        md.AppendLine();
        md.AppendLine($"Regenerate, from the root of any clone: `{Command}` (knobs: `COYOTE_STRESS_SECONDS`, `COYOTE_STRESS_CONTROL_SECONDS`).");
        var text = md.ToString();
        Measurements.Write("stress-vs-coyote.md", text);
        Print(text);

        Assert.True(sameBudget.Runs > 0 && fixedBudget.Runs > 0 && control.Runs > 0, "a stress tally made no run: the rewritten assemblies did not run uncontrolled");
        Assert.Equal(0, sameBudget.Hangs + fixedBudget.Hangs + control.Hangs);
        Assert.Equal(0, control.Targets);
    }
}
