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
