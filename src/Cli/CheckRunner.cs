using BuddyModel;
using Checks;
using FsCheck;
using FsCheck.Fluent;
using Counterexamples;
using Harness;
using Harness.Operations;

namespace Cli;

/// <summary>The result of checking one design.</summary>
public sealed record DesignCheck(
    string Design,
    int Runs,
    long Operations,
    IReadOnlyDictionary<string, int> Facts,
    IReadOnlyList<long> Reach,
    PropertyCheck.Result? Failure,
    ulong? FailureSeed,
    CounterexampleFile? Counterexample);

/// <summary>
/// Runs the generated-sequence checks of `check` for one design: the seed batches of this
/// shard, each a PropertyCheck with its own seed; stops at the first violation, which comes
/// back shrunk as a counterexample file. Counts runs, operations, reachability facts and the
/// guarded rules reached with effect (RuleReach, indexed by GuardedRule) of the generated
/// scenarios (not of the shrinking that follows a failure).
/// </summary>
public static class CheckRunner
{
    public static DesignCheck Run(string design, CheckSettings settings, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int runs = 0;
        long operations = 0;
        bool failed = false;
        var facts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var reach = new long[GuardedRules.Count];
        RunReport Run(Scenario sc)
        {
            BuddySystem? system = null;
            var report = ScenarioRunner.Run(sc, s =>
            {
                system = Designs.MakeSystem(design, s);
                system.IncrementalChecks = !settings.FullChecks;
                return system;
            });
            if (!failed)
            {
                runs++;
                operations += sc.Operations.Count;
                CountFacts(facts, system, report);
                system?.Zone.Reach.AddTo(reach);
                progress?.Invoke(1);
                failed = !report.Passed;
            }
            return report;
        }
        var arbitrary = Arbitrary(design, settings);
        foreach (var (_, seed, batchRuns) in settings.MyBatches())
        {
            var result = PropertyCheck.Check(arbitrary, Run, batchRuns, seed, settings.MaxOps);
            if (!result.Passed && result.Shrunk is { } shrunk && result.ShrunkReport is { } report)
            {
                string? fixedBy = Designs.Named(design).FixedIn is { } fix && Designs.Run(fix, shrunk).Passed ? fix : null;
                var file = CounterexampleFile.FromRun(design, shrunk, report, seed, fixedBy,
                    $"{report.Violation?.Invariant ?? ExpectedFailure.ModelError} under {design}");
                return new DesignCheck(design, runs, operations, facts, reach, result, seed, file);
            }
            if (!result.Passed)
                return new DesignCheck(design, runs, operations, facts, reach, result, seed, null);
        }
        return new DesignCheck(design, runs, operations, facts, reach, null, null, null);
    }

    /// <summary>The generator and shrinker for a design under the settings.</summary>
    public static Arbitrary<Scenario> Arbitrary(string design, CheckSettings settings)
    {
        Gen<Scenario> gen;
        if (Designs.HasAerator(design))
        {
            var zones = settings.Zone is { } z ? new[] { z } : settings.SingleZone ? AerationOperationGen.Zones : null;
            var setups = AerationOperationGen.SetupsWithMinOrders().Select(s => s with
            {
                Aerator = s.Aerator with { Hwm = settings.Hwm ?? s.Aerator.Hwm, Capacity = settings.Capacity ?? s.Aerator.Capacity },
                PagePoisoning = s.PagePoisoning && !settings.NoPoisoning,
            });
            gen = AerationOperationGen.Scenario(zones, setups, settings.IsolationWalk);
        }
        else if (Designs.IsReporting(design))
        {
            var setups = ReportingOperationGen.SetupsWithSmallRings().Select(s => s with { Guest = s.Guest with { PagePoisoning = s.Guest.PagePoisoning && !settings.NoPoisoning } });
            gen = ReportingOperationGen.Scenario(settings.Zone is { } z ? [z] : settings.SingleZone ? ReportingOperationGen.Zones : null, setups, settings.IsolationWalk);
        }
        else
        {
            gen = settings.Zone is { } z ? BuddyOperationGen.Scenario([z], settings.IsolationWalk)
                : settings.SingleZone ? BuddyOperationGen.Scenario(BuddyOperationGen.CheckZones, settings.IsolationWalk)
                : BuddyOperationGen.Scenario(null, settings.IsolationWalk, singles: BuddyOperationGen.CheckZones);
        }
        if (settings.NoIsolation)
            gen = gen.Select(s => s with { Operations = s.Operations.Where(o => !IsIsolation(o)).ToArray() });
        return Arb.From(gen, ScenarioShrinker.Shrink);
    }

    /// <summary>
    /// The operations --no-isolation drops: __isolate_free_page and its put-back, setting a
    /// pageblock to ISOLATE, and the isolation walk (start, undo and its steps; without its
    /// start the other two are skipped anyway, but they go too so that no step is left).
    /// </summary>
    private static bool IsIsolation(Operation op) =>
        op is IsolateFreePage or PutbackIsolatedPage or SetPageblockMigratetype { Mt: MigrateType.Isolate }
            or StartIsolatePageRange or UndoIsolatePageRange or IsolationStep;

    /// <summary>Reachability of the isolation walk (check --isolation-walk): its holds, refusals, splits and returns.</summary>
    private static void CountWalkStep(string line, Action<string, int> add)
    {
        if (line.Contains("refused (-EBUSY)", StringComparison.Ordinal))
            add("isolation walk: set_migratetype_isolate refused (-EBUSY)", 1);
        else if (line.Contains("split_free_page(", StringComparison.Ordinal))
            add("isolation walk: split_free_page at a range boundary", 1);
        else if (line.Contains("unset_migratetype_isolate(", StringComparison.Ordinal))
            add("isolation walk: a pageblock given back", 1);
        else if (line.Contains("set_migratetype_isolate(", StringComparison.Ordinal))
            add("isolation walk: a pageblock isolated", 1);
        if (line.EndsWith("returned 0", StringComparison.Ordinal))
            add("isolation walk returned 0", 1);
    }

    private static void CountFacts(SortedDictionary<string, int> facts, BuddySystem? system, RunReport report)
    {
        void Add(string name, int n = 1) => facts[name] = facts.TryGetValue(name, out int m) ? m + n : n;
        if (system is GuestSystem g)
            foreach (var (name, n) in g.Facts)
                Add(name, n);
        foreach (var line in report.Log)
        {
            if (line.Contains("allocation failed", StringComparison.Ordinal))
                Add("allocation failed (no block)");
            else if (line.Contains("min watermark", StringComparison.Ordinal))
                Add("isolation refused by the min watermark");
            else if (line.StartsWith("__isolate_free_page", StringComparison.Ordinal) && line.Contains("-> isolated", StringComparison.Ordinal))
                Add("block isolated by __isolate_free_page");
            else if (line.Contains("is Isolate", StringComparison.Ordinal))
                Add("pageblock set to MIGRATE_ISOLATE");
            else if (line.StartsWith("isolation walk step -> ", StringComparison.Ordinal))
                CountWalkStep(line, Add);
        }
    }
}
