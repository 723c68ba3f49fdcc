using BuddyModel;
using Specs.Oracle;

namespace Benchmarks;

/// <summary>
/// The mixed alloc/free workload of issue 2, fully resolved before it runs: every entry is
/// either "allocate order o" (o in 0..3) or "free the live handle in slot s" (swap-remove from
/// the array of live handles). Occupancy is tracked in pages while generating, so a free is
/// forced above the high mark and an allocation below the low mark: the zone stays at ~50%.
/// The first <see cref="PrefillCount"/> entries are allocations that fill the zone to the low
/// mark; they are run untimed. Model and bare list replay exactly the same entries.
/// </summary>
public sealed class MixedOps
{
    public const int MaxOrderUsed = 3;

    /// <summary>Entry &gt;= 0: allocate that order. Entry &lt; 0: free slot ~entry.</summary>
    public int[] Ops { get; }

    /// <summary>Leading allocations that bring the zone to the target occupancy (untimed).</summary>
    public int PrefillCount { get; }

    /// <summary>Timed operations after the prefill.</summary>
    public int TimedCount => Ops.Length - PrefillCount;

    /// <summary>Most handles live at once (size of the handle arrays).</summary>
    public int MaxLive { get; }

    public int NrPages { get; }

    public MixedOps(int nrPages, int timedOps, int seed, double low = 0.45, double high = 0.55)
    {
        NrPages = nrPages;
        var rng = new Random(seed);
        var ops = new List<int>(timedOps + nrPages / 2);
        var liveOrders = new List<int>();
        long used = 0;
        long lowPages = (long)(nrPages * low), highPages = (long)(nrPages * high);
        long target = nrPages / 2;
        int maxLive = 0;
        while (used < target)
        {
            int o = rng.Next(MaxOrderUsed + 1);
            ops.Add(o);
            liveOrders.Add(o);
            used += 1 << o;
        }
        PrefillCount = ops.Count;
        for (int i = 0; i < timedOps; i++)
        {
            bool alloc = rng.Next(2) == 0;
            if (used >= highPages) alloc = false;
            if (used <= lowPages || liveOrders.Count == 0) alloc = true;
            if (alloc)
            {
                int o = rng.Next(MaxOrderUsed + 1);
                ops.Add(o);
                liveOrders.Add(o);
                used += 1 << o;
            }
            else
            {
                int s = rng.Next(liveOrders.Count);
                ops.Add(~s);
                used -= 1 << liveOrders[s];
                liveOrders[s] = liveOrders[^1];
                liveOrders.RemoveAt(liveOrders.Count - 1);
            }
            maxLive = Math.Max(maxLive, liveOrders.Count);
        }
        Ops = ops.ToArray();
        MaxLive = Math.Max(maxLive, PrefillCount) + 1;
    }

    /// <summary>Live handles of one replay: pfn (or node) and order per slot.</summary>
    public sealed class Handles(int capacity)
    {
        public readonly int[] Pfn = new int[capacity];
        public readonly byte[] Order = new byte[capacity];
        public int Count;
    }

    /// <summary>Runs ops[from..to) on the zone (Movable, hinting off). Returns the failed allocations (expected 0).</summary>
    public static int RunModel(Zone zone, int[] ops, int from, int to, Handles h)
    {
        int failed = 0;
        int[] pfns = h.Pfn;
        byte[] orders = h.Order;
        int count = h.Count;
        for (int i = from; i < to; i++)
        {
            int op = ops[i];
            if (op >= 0)
            {
                int pfn = zone.Allocate(op, MigrateType.Movable);
                if (pfn < 0) { failed++; pfn = -1; }
                pfns[count] = pfn;
                orders[count] = (byte)op;
                count++;
            }
            else
            {
                int s = ~op;
                int pfn = pfns[s];
                int order = orders[s];
                count--;
                pfns[s] = pfns[count];
                orders[s] = orders[count];
                if (pfn >= 0)
                    zone.Free(pfn, order);
            }
        }
        h.Count = count;
        return failed;
    }

    /// <summary>As RunModel, also keeping the differential oracle up to date (for the check timing).</summary>
    public static void RunModelWithOracle(Zone zone, ReferenceModel oracle, int[] ops, int from, int to, Handles h)
    {
        for (int i = from; i < to; i++)
        {
            int op = ops[i];
            if (op >= 0)
            {
                int pfn = zone.Allocate(op, MigrateType.Movable);
                if (pfn >= 0 && oracle.OnAllocated(zone, pfn, op, MigrateType.Movable) is { } v)
                    throw new InvalidOperationException(v.ToString());
                h.Pfn[h.Count] = pfn;
                h.Order[h.Count] = (byte)op;
                h.Count++;
            }
            else
            {
                int s = ~op;
                int pfn = h.Pfn[s], order = h.Order[s];
                h.Count--;
                h.Pfn[s] = h.Pfn[h.Count];
                h.Order[s] = h.Order[h.Count];
                if (pfn >= 0)
                {
                    zone.Free(pfn, order);
                    if (oracle.OnFreed(pfn, order) is { } v)
                        throw new InvalidOperationException(v.ToString());
                }
            }
        }
    }

    /// <summary>The same entries on bare lists: allocate = pop the first node of list[order], free = push it back.</summary>
    public static void RunBare(BareLists lists, int[] ops, int from, int to, Handles h)
    {
        int[] nodes = h.Pfn;
        byte[] orders = h.Order;
        int count = h.Count;
        for (int i = from; i < to; i++)
        {
            int op = ops[i];
            if (op >= 0)
            {
                nodes[count] = lists.PopFirst(op);
                orders[count] = (byte)op;
                count++;
            }
            else
            {
                int s = ~op;
                int node = nodes[s];
                int order = orders[s];
                count--;
                nodes[s] = nodes[count];
                orders[s] = orders[count];
                lists.Push(node, order);
            }
        }
        h.Count = count;
    }
}
