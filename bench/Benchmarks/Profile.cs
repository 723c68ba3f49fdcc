using System.Diagnostics;
using BuddyModel;

namespace Benchmarks;

/// <summary>
/// --profile: where target 1's time goes, with the public API only. Counts the splits and merges
/// the sequence causes, times allocations and frees apart, and (with --loop SECONDS) keeps
/// running the model so that a sampling profiler (dotnet-trace) can attach.
/// </summary>
public static class Profile
{
    public static void Run(TextWriter log, double loopSeconds)
    {
        var ops = Workloads.Mixed;

        // 1. Shape of the work: splits per allocation, merges per free, tail placements.
        var (zone, h) = Workloads.PrefilledZone(ops);
        long allocs = 0, frees = 0, splits = 0, merges = 0;
        var byOrder = new long[zone.MaxOrder];
        int[] pfns = h.Pfn; byte[] orders = h.Order;
        for (int i = ops.PrefillCount; i < ops.Ops.Length; i++)
        {
            int before = FreeBlocks(zone);
            int op = ops.Ops[i];
            if (op >= 0)
            {
                pfns[h.Count] = zone.Allocate(op, MigrateType.Movable);
                orders[h.Count++] = (byte)op;
                int d = FreeBlocks(zone) - before; // = splits - 1
                splits += d + 1; allocs++;
                byOrder[op + d + 1]++;
            }
            else
            {
                int s = ~op; int pfn = pfns[s], order = orders[s];
                h.Count--; pfns[s] = pfns[h.Count]; orders[s] = orders[h.Count];
                zone.Free(pfn, order);
                merges += 1 - (FreeBlocks(zone) - before); frees++;
            }
        }
        log.WriteLine($"allocations {allocs}, splits per allocation {(double)splits / allocs:F3}; frees {frees}, merges per free {(double)merges / frees:F3}");
        log.WriteLine("allocation served from order: " + string.Join(", ",
            byOrder.Select((n, o) => (n, o)).Where(x => x.n > 0).Select(x => $"{x.o}: {100.0 * x.n / allocs:F1}%")));
        log.WriteLine("free blocks per order at the end: " + string.Join(", ", Enumerable.Range(0, zone.MaxOrder).Select(o => $"{o}: {zone.NrFree(o)}")));

        // 2. Allocation and free apart: from the ~50% state, K allocations of the sequence's
        //    orders, then free those K again (oldest first), repeated.
        const int K = 16384, rounds = 64;
        var (z2, _) = Workloads.PrefilledZone(ops);
        var rng = new Random(Workloads.Seed);
        var ord = new int[K];
        for (int i = 0; i < K; i++) ord[i] = rng.Next(MixedOps.MaxOrderUsed + 1);
        var got = new int[K];
        long ta = 0, tf = 0;
        for (int r = -4; r < rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < K; i++) got[i] = z2.Allocate(ord[i], MigrateType.Movable);
            long t1 = Stopwatch.GetTimestamp();
            for (int i = 0; i < K; i++) z2.Free(got[i], ord[i]);
            long t2 = Stopwatch.GetTimestamp();
            if (r >= 0) { ta += t1 - t0; tf += t2 - t1; }
        }
        double nsA = ta * 1e9 / Stopwatch.Frequency / (K * (double)rounds);
        double nsF = tf * 1e9 / Stopwatch.Frequency / (K * (double)rounds);
        log.WriteLine($"phase timing: Allocate {nsA:F1} ns, Free {nsF:F1} ns (blocks of {K} allocations then their frees)");

        // 3. Same, on bare lists, for the floor.
        if (loopSeconds > 0)
        {
            log.WriteLine($"looping the model for {loopSeconds} s (pid {Environment.ProcessId}) ...");
            var sw = Stopwatch.StartNew();
            long n = 0;
            while (sw.Elapsed.TotalSeconds < loopSeconds)
            {
                var (z, hh) = Workloads.PrefilledZone(ops);
                MixedOps.RunModel(z, ops.Ops, ops.PrefillCount, ops.Ops.Length, hh);
                n += ops.TimedCount;
            }
            log.WriteLine($"{n / sw.Elapsed.TotalSeconds / 1e6:F2} M ops/s over the loop (prefill included in the time)");
        }
    }

    private static int FreeBlocks(Zone zone)
    {
        int n = 0;
        for (int o = 0; o < zone.MaxOrder; o++) n += zone.NrFree(o);
        return n;
    }
}
