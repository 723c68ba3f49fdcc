using System.Diagnostics;
using System.Reflection;
using BuddyModel;
using Specs.Buddy;

namespace Benchmarks;

/// <summary>One reported number.</summary>
public sealed record Measurement(string Id, string Name, double Value, string Unit, string Target, bool? Met, string Note);

/// <summary>
/// The default mode: Stopwatch timing of each workload, warm-up runs first (so the JIT has
/// tiered up), then the median of N repetitions. Each repetition starts from the same state.
/// </summary>
public sealed class FastMode(int reps, int warmups, TextWriter log)
{
    private readonly List<Measurement> _results = new();

    public IReadOnlyList<Measurement> Results => _results;

    public void RunAll()
    {
        MixedThroughput();
        ZoneMemory();
        InvariantCheck();
        AerationThroughput();
        ReportingThroughput();
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        int n = xs.Count;
        return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
    }

    private static string Spread(List<double> xs) => $"min {xs.Min():G4}, max {xs.Max():G4}";

    // ---- Target 1 ----

    private void MixedThroughput()
    {
        var ops = Workloads.Mixed;
        log.WriteLine($"[1] mixed alloc/free: {ops.PrefillCount} prefill + {ops.TimedCount} timed ops, orders 0..3, ~50% of {ops.NrPages} frames");
        var modelSec = new List<double>();
        var bareSec = new List<double>();
        int failed = 0;
        for (int r = -warmups; r < reps; r++)
        {
            // Interleave model and bare so that machine noise hits both alike.
            var (zone, h) = Workloads.PrefilledZone(ops);
            GC.Collect();
            var sw = Stopwatch.StartNew();
            int f = MixedOps.RunModel(zone, ops.Ops, ops.PrefillCount, ops.Ops.Length, h);
            sw.Stop();
            if (r >= 0) { modelSec.Add(sw.Elapsed.TotalSeconds); failed += f; }
            GC.KeepAlive(zone);

            var (lists, hb) = Workloads.PrefilledBare(ops);
            GC.Collect();
            sw.Restart();
            MixedOps.RunBare(lists, ops.Ops, ops.PrefillCount, ops.Ops.Length, hb);
            sw.Stop();
            if (r >= 0) bareSec.Add(sw.Elapsed.TotalSeconds);
        }
        double model = ops.TimedCount / Median(modelSec);
        double bare = ops.TimedCount / Median(bareSec);
        var modelNs = modelSec.Select(s => s * 1e9 / ops.TimedCount).ToList();
        _results.Add(new("1", "Mixed alloc/free, model (1 GiB zone, hinting off)", model / 1e6, "M ops/s", ">= 30", model >= 30e6,
            $"{Median(modelNs):F1} ns/op ({Spread(modelNs)}); failed allocations: {failed}"));
        _results.Add(new("1b", "Same sequence, bare intrusive list push/pop", bare / 1e6, "M ops/s", "-", null,
            $"{1e9 / bare:F1} ns/op"));
        _results.Add(new("1c", "Ratio model/bare (time per op)", bare / model, "x", "-", null,
            "how many times slower the model is than the list operations alone"));
        log.WriteLine($"    model {model / 1e6:F2} M ops/s, bare {bare / 1e6:F2} M ops/s");
    }

    // ---- Target 2 ----

    private void ZoneMemory()
    {
        log.WriteLine("[2] memory of one default Zone");
        // Construct once first so that type loading and statics are not counted.
        GC.KeepAlive(new Zone(new ZoneConfig()));
        long before = GC.GetTotalMemory(true);
        long allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var zone = new Zone(new ZoneConfig());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
        long after = GC.GetTotalMemory(true);
        long retained = after - before;
        string breakdown = string.Join(", ", ArrayBreakdown(zone).Select(x => $"{x.Name} {x.Bytes / 1024.0:F0} KiB"));
        GC.KeepAlive(zone);
        _results.Add(new("2", "Managed heap of one Zone (retained)", retained / (1024.0 * 1024), "MiB", "<= 16", retained <= 16L << 20,
            $"GC.GetTotalMemory(true) delta; allocated while constructing: {allocated / (1024.0 * 1024):F2} MiB"));
        _results.Add(new("2b", "  of which arrays", ArrayBreakdown(zone).Sum(x => x.Bytes) / (1024.0 * 1024), "MiB", "-", null, breakdown));
    }

    /// <summary>The arrays a Zone holds (its own and its FreeListNodes'), found by reflection.</summary>
    private static IEnumerable<(string Name, long Bytes)> ArrayBreakdown(Zone zone)
    {
        const BindingFlags F = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        foreach (var (owner, type) in new (object, Type)[] { (zone, typeof(Zone)), (zone.Lists, typeof(FreeListNodes)) })
        {
            foreach (var field in type.GetFields(F))
            {
                if (field.GetValue(owner) is Array a)
                {
                    long elem = a.GetType().GetElementType() is { IsEnum: true } et ? System.Runtime.InteropServices.Marshal.SizeOf(Enum.GetUnderlyingType(et))
                        : System.Runtime.InteropServices.Marshal.SizeOf(a.GetType().GetElementType()!);
                    yield return ($"{type.Name}.{field.Name}", a.LongLength * elem);
                }
            }
        }
    }

    // ---- Target 3 ----

    private void InvariantCheck()
    {
        var (zone, oracle) = Workloads.CheckedZone();
        int checkReps = Math.Max(reps * 3, 15);
        log.WriteLine($"[3] full invariant check on the 1 GiB zone after {Workloads.CheckOps.Ops.Length} ops ({checkReps} reps)");
        var all = new List<double>();
        var inv = new List<double>();
        var cmp = new List<double>();
        var sw = new Stopwatch();
        for (int r = -Math.Max(warmups, 3); r < checkReps; r++)
        {
            sw.Restart();
            var v1 = BuddyInvariants.CheckAll(zone);
            var t1 = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var v2 = oracle.Compare(zone);
            var t2 = sw.Elapsed.TotalMilliseconds;
            if (v1 is not null || v2 is not null)
                throw new InvalidOperationException($"violation: {v1 ?? v2}");
            if (r >= 0) { inv.Add(t1); cmp.Add(t2); all.Add(t1 + t2); }
        }
        double total = Median(all);
        _results.Add(new("3", "Full check: BuddyInvariants.CheckAll + ReferenceModel.Compare", total, "ms", "<= 2", total <= 2.0,
            $"{Spread(all)}; zone after {Workloads.CheckOps.Ops.Length} ops"));
        _results.Add(new("3a", "  BuddyInvariants.CheckAll", Median(inv), "ms", "-", null, Spread(inv)));
        _results.Add(new("3b", "  ReferenceModel.Compare", Median(cmp), "ms", "-", null, Spread(cmp)));
        foreach (var invariant in BuddyInvariants.All)
        {
            var ts = new List<double>();
            for (int r = 0; r < checkReps; r++)
            {
                sw.Restart();
                invariant.Check(zone);
                ts.Add(sw.Elapsed.TotalMilliseconds);
            }
            _results.Add(new("3a", $"    {invariant.Name}", Median(ts), "ms", "-", null, Spread(ts)));
        }
        log.WriteLine($"    {total:F3} ms per full check");
    }

    // ---- Target 4 ----

    private void AerationThroughput()
    {
        var scenarios = Workloads.AerationScenarioSet;
        int steps = Workloads.AerationSteps;
        log.WriteLine($"[4] aerated model (v1-fixed), {scenarios.Length} scenarios, {steps} steps, 1024 frames");
        var checkedSec = new List<double>();
        var applySec = new List<double>();
        var incrementalSec = new List<double>();
        int violations = 0, incrementalViolations = 0;
        long fullChecks = 0;
        for (int r = -warmups; r < reps; r++)
        {
            // Full, apply alone and incremental interleaved, so that machine noise hits all three alike.
            var systems = Workloads.NewAerationSystems();
            var sw = Stopwatch.StartNew();
            int v = Workloads.RunAeration(systems, check: true);
            sw.Stop();
            if (r >= 0) { checkedSec.Add(sw.Elapsed.TotalSeconds); violations += v; }

            systems = Workloads.NewAerationSystems();
            sw.Restart();
            Workloads.RunAeration(systems, check: false);
            sw.Stop();
            if (r >= 0) applySec.Add(sw.Elapsed.TotalSeconds);

            systems = Workloads.NewAerationSystems(incremental: true);
            sw.Restart();
            v = Workloads.RunAeration(systems, check: true);
            sw.Stop();
            if (r >= 0) { incrementalSec.Add(sw.Elapsed.TotalSeconds); incrementalViolations += v; fullChecks += systems.Sum(s => s.FullChecks); }
        }
        double withChecks = steps / Median(checkedSec);
        double applyOnly = steps / Median(applySec);
        double incremental = steps / Median(incrementalSec);
        _results.Add(new("4", "Aerated model, Apply + CheckInvariants per step (1024 frames)", withChecks / 1e3, "k steps/s", "-", null,
            $"{1e6 / withChecks:F1} us/step; full checks; {scenarios.Length} scenarios, {steps} steps; violations seen: {violations}"));
        _results.Add(new("4b", "  Apply only (no invariant checks)", applyOnly / 1e3, "k steps/s", "-", null,
            $"{1e6 / applyOnly:F1} us/step; the invariant checks take {(1 - withChecks / applyOnly) * 100:F0}% of a checked step"));
        _results.Add(new("4c", "  Apply + incremental CheckInvariants", incremental / 1e3, "k steps/s", ">= 1000, within 2x of 4b", incremental >= 1e6 && incremental * 2 >= applyOnly,
            $"{1e6 / incremental:F2} us/step; {applyOnly / incremental:F2}x apply alone, {incremental / withChecks:F1}x the full checks; {fullChecks / Math.Max(1, reps)} full checks per run of {steps}; violations seen: {incrementalViolations}"));
        log.WriteLine($"    {withChecks / 1e3:F1} k steps/s checked in full, {incremental / 1e3:F1} k incrementally, {applyOnly / 1e3:F1} k steps/s apply only");
    }

    // ---- Target 5 (issue 9): the merged design beside v1-fixed, same zone, seed and scenario count ----

    private void ReportingThroughput()
    {
        var scenarios = Workloads.ReportingScenarioSet;
        int steps = scenarios.Sum(s => s.Operations.Count);
        log.WriteLine($"[5] merged design (reporting), {scenarios.Length} scenarios, {steps} steps, 1024 frames");
        var checkedSec = new List<double>();
        var applySec = new List<double>();
        int violations = 0;
        for (int r = -warmups; r < reps; r++)
        {
            var systems = Workloads.NewReportingSystems();
            var sw = Stopwatch.StartNew();
            int v = Workloads.RunSystems(systems, scenarios, check: true);
            sw.Stop();
            if (r >= 0) { checkedSec.Add(sw.Elapsed.TotalSeconds); violations += v; }

            systems = Workloads.NewReportingSystems();
            sw.Restart();
            Workloads.RunSystems(systems, scenarios, check: false);
            sw.Stop();
            if (r >= 0) applySec.Add(sw.Elapsed.TotalSeconds);
        }
        double withChecks = steps / Median(checkedSec);
        double applyOnly = steps / Median(applySec);
        var v1 = _results.First(m => m.Id == "4");
        _results.Add(new("5", "Reporting model, Apply + CheckInvariants per step (1024 frames)", withChecks / 1e3, "k steps/s", "-", null,
            $"{1e6 / withChecks:F1} us/step; {withChecks / 1e3 / v1.Value:F2}x v1-fixed's checked steps/s in this run; violations seen: {violations}"));
        _results.Add(new("5b", "  Apply only (no invariant checks)", applyOnly / 1e3, "k steps/s", "-", null,
            $"{1e6 / applyOnly:F1} us/step; the invariant checks take {(1 - withChecks / applyOnly) * 100:F0}% of a checked step"));
        log.WriteLine($"    {withChecks / 1e3:F1} k steps/s checked, {applyOnly / 1e3:F1} k steps/s apply only");
    }
}
