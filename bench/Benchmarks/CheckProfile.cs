using System.Diagnostics;
using Harness;
using Specs;
using Specs.Aeration;
using Specs.Buddy;
using Specs.Guest;

namespace Benchmarks;

/// <summary>
/// --profile, second part: where target 4's checked step goes. Replays target 4's scenarios and,
/// after every Apply, times each piece of BuddySystem.CheckInvariants on its own (every buddy
/// invariant, the frame oracle, the placement oracle, every aeration and guest invariant), so
/// that the incremental check is spent where the time is. Times per step, in ns.
/// </summary>
public static class CheckProfile
{
    public static void Run(TextWriter log, int rounds = 5)
    {
        var names = new List<string>();
        foreach (var inv in BuddyInvariants.All) names.Add("buddy: " + inv.Name);
        names.Add("frame oracle (ReferenceModel.Compare)");
        names.Add("placement oracle (ReferenceLists.Compare)");
        foreach (var inv in AerationInvariants.All) names.Add("aeration: " + inv.Name);
        foreach (var inv in GuestInvariants.All) names.Add("guest: " + inv.Name);
        var ticks = new long[names.Count];
        long applyTicks = 0, steps = 0;
        for (int r = -1; r < rounds; r++)
        {
            var systems = Workloads.NewAerationSystems();
            var scenarios = Workloads.AerationScenarioSet;
            for (int i = 0; i < systems.Length; i++)
            {
                var sys = systems[i];
                foreach (var op in scenarios[i].Operations)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    sys.Apply(op);
                    long t1 = Stopwatch.GetTimestamp();
                    if (r >= 0) { applyTicks += t1 - t0; steps++; }
                    int k = 0;
                    foreach (var zone in sys.Zones)
                    {
                        k = 0;
                        foreach (var inv in BuddyInvariants.All) Time(ref k, r, ticks, () => inv.Check(zone));
                        Time(ref k, r, ticks, () => sys.Oracles[0].Compare(zone));
                        Time(ref k, r, ticks, () => sys.Placements[0].Compare(zone));
                    }
                    foreach (var inv in AerationInvariants.All) Time(ref k, r, ticks, () => inv.Check(sys));
                    foreach (var inv in GuestInvariants.All) Time(ref k, r, ticks, () => inv.Check(sys));
                }
            }
        }
        double perTick = 1e9 / Stopwatch.Frequency;
        log.WriteLine($"[4] checked step split ({steps / rounds} steps per round, {rounds} rounds; Stopwatch per piece adds ~20-40 ns each)");
        log.WriteLine($"    {"Apply",-50} {applyTicks * perTick / steps,8:F0} ns");
        long total = ticks.Sum();
        for (int k = 0; k < names.Count; k++)
            log.WriteLine($"    {names[k],-50} {ticks[k] * perTick / steps,8:F0} ns  {100.0 * ticks[k] / total,5:F1}%");
        log.WriteLine($"    {"all checks",-50} {total * perTick / steps,8:F0} ns");
    }

    /// <summary>The same steps with incremental checks: Apply and CheckInvariants timed apart.</summary>
    public static void IncrementalSplit(TextWriter log, int rounds)
    {
        long apply = 0, check = 0, steps = 0, full = 0, applyBytes = 0, checkBytes = 0, idle = 0;
        var byOp = new Dictionary<string, long>();
        var byOpN = new Dictionary<string, long>();
        for (int r = -1; r < rounds; r++)
        {
            var systems = Workloads.NewAerationSystems(incremental: true);
            var scenarios = Workloads.AerationScenarioSet;
            for (int i = 0; i < systems.Length; i++)
            {
                foreach (var op in scenarios[i].Operations)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    long b0 = GC.GetAllocatedBytesForCurrentThread();
                    systems[i].Apply(op);
                    long b1 = GC.GetAllocatedBytesForCurrentThread();
                    long t1 = Stopwatch.GetTimestamp();
                    long f0 = systems[i].FullChecks;
                    if (systems[i].CheckInvariants() is { } v)
                        throw new InvalidOperationException($"violation in the bench workload: {v}");
                    long t2 = Stopwatch.GetTimestamp();
                    long b2 = GC.GetAllocatedBytesForCurrentThread();
                    if (r >= 0) { applyBytes += b1 - b0; checkBytes += b2 - b1; }
                    long t3 = Stopwatch.GetTimestamp();
                    for (int again = 0; again < 4; again++)
                        systems[i].CheckInvariants();
                    if (r >= 0) idle += Stopwatch.GetTimestamp() - t3;
                    if (r >= 0) { apply += t1 - t0; check += t2 - t1; steps++; var key = op.GetType().Name + (systems[i].FullChecks > f0 ? " (full)" : ""); byOp[key] = byOp.GetValueOrDefault(key) + (t2 - t1); byOpN[key] = byOpN.GetValueOrDefault(key) + 1; }
                }
                if (r >= 0) full += systems[i].FullChecks;
            }
        }
        double perTick = 1e9 / Stopwatch.Frequency;
        foreach (var (k, t) in byOp.OrderByDescending(x => x.Value))
            log.WriteLine($"    {k,-30} {byOpN[k] / rounds,6} steps, {t * perTick / byOpN[k],6:F0} ns per check, {100.0 * t / check,5:F1}%");
        log.WriteLine($"[4c] incremental checks: Apply {apply * perTick / steps:F0} ns, CheckInvariants {check * perTick / steps:F0} ns per step ({full / rounds} full checks per round); allocated per step: Apply {applyBytes / steps} B, CheckInvariants {checkBytes / steps} B; a check with nothing changed {idle * perTick / steps / 4:F0} ns");
    }

    /// <summary>
    /// Target 4's three variants (full checks, apply alone, incremental checks) timed by the
    /// process's CPU time rather than the wall clock: steadier on a loaded machine, where the
    /// wall clock also counts the time the thread waited for a core.
    /// </summary>
    public static void CpuTimes(TextWriter log, int rounds)
    {
        var cpu = new double[4];
        for (int r = -2; r < rounds; r++)
        {
            for (int v = 0; v < 4; v++)
            {
                var systems = Workloads.NewAerationSystems(incremental: v >= 2);
                if (v == 3)
                    foreach (var sys in systems)
                        sys.CheckInvariants(); // attaches the change logs: Apply then records its stores
                var t0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                Workloads.RunAeration(systems, check: v == 0 || v == 2);
                var t1 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                if (r >= 0)
                    cpu[v] += (t1 - t0).TotalSeconds;
            }
        }
        double steps = (double)Workloads.AerationSteps * rounds;
        var idle = Workloads.NewAerationSystems(incremental: true)[0];
        idle.FullCheckInterval = int.MaxValue;
        idle.CheckInvariants();
        var c0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        for (int k = 0; k < 200_000; k++)
            idle.CheckInvariants();
        var c1 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        log.WriteLine($"[4] CPU time of a check with nothing changed: {(c1 - c0).TotalSeconds / 200_000 * 1e9:F0} ns");
        log.WriteLine($"[4] CPU time per step: full {cpu[0] / steps * 1e9:F0} ns, apply alone {cpu[1] / steps * 1e9:F0} ns, incremental {cpu[2] / steps * 1e9:F0} ns ({cpu[1] / cpu[2] * 100:F0}% of it apply); Apply alone with the change logs recording {cpu[3] / steps * 1e9:F0} ns");
    }

    /// <summary>Target 4 with incremental checks, over and over for the given time: for a sampling profiler to attach.</summary>
    public static void Loop(TextWriter log, double seconds)
    {
        log.WriteLine($"looping target 4 with incremental checks for {seconds} s (pid {Environment.ProcessId}) ...");
        var sw = Stopwatch.StartNew();
        long steps = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            Workloads.RunAeration(Workloads.NewAerationSystems(incremental: true), check: true);
            steps += Workloads.AerationSteps;
        }
        log.WriteLine($"{steps / sw.Elapsed.TotalSeconds / 1e3:F0} k checked steps/s over the loop (construction included)");
    }

    private static void Time(ref int k, int round, long[] ticks, Func<Violation?> check)
    {
        long t0 = Stopwatch.GetTimestamp();
        if (check() is { } v)
            throw new InvalidOperationException($"violation in the bench workload: {v}");
        long t1 = Stopwatch.GetTimestamp();
        if (round >= 0)
            ticks[k] += t1 - t0;
        k++;
    }
}
