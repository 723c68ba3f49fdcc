using BuddyModel;
using static Specs.Buddy.BuddyInvariants;

namespace Specs.Buddy;

/// <summary>
/// DOMAIN 6.1. Every page frame is in exactly one place: inside one free block on one free list
/// (head PageBuddy), inside one allocated block, or inside one held block (taken off the lists by
/// __isolate_free_page or a hinting design). Also checks the lists themselves: circular, with
/// prev[next[n]] == n, no list head of another list inside, every node a PageBuddy head.
/// </summary>
public sealed class ExclusiveLocation : Invariant<Zone>
{
    public override string Name => "Exclusive location";

    public override string Guarantee =>
        "every page frame is in exactly one free block on exactly one free list, or one allocated block, or one held block: nothing is in two places, nothing disappears";

    // Scratch: _listed[pfn] == _generation when pfn was met on a free list during this check.
    private int[] _listed = [];
    private int _generation;
    private int _busy;

    public override Violation? Check(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        // The scratch buffer is reused; a concurrent call on the same instance gets its own.
        bool owner = Interlocked.Exchange(ref _busy, 1) == 0;
        try
        {
            int[] listed;
            int generation;
            if (owner)
            {
                if (_listed.Length < zone.NrPages) // big enough for any zone so far: a guest's zones of different sizes share it
                {
                    _listed = new int[zone.NrPages];
                    _generation = 0;
                }
                if (++_generation == int.MaxValue)
                {
                    Array.Clear(_listed);
                    _generation = 1;
                }
                listed = _listed;
                generation = _generation;
            }
            else
            {
                listed = new int[zone.NrPages];
                generation = 1;
            }
            return CheckLists(zone, listed, generation) ?? CheckCoverage(zone, listed, generation);
        }
        finally
        {
            if (owner)
                Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Walk every free list, marking its nodes; report the first corrupt link or foreign node.</summary>
    private Violation? CheckLists(Zone zone, int[] listed, int generation)
    {
        var lists = zone.Lists;
        int nodeCount = lists.Count;
        int start = zone.StartPfn; // listed[] is indexed by pfn - zone_start_pfn
        for (int order = 0; order < zone.MaxOrder; order++)
        {
            for (int m = 0; m < MigrateTypes.Count; m++)
            {
                var mt = (MigrateType)m;
                int head = zone.ListHead(order, mt);
                int prev = head;
                int n = lists.Next(head);
                int steps = 0;
                while (true)
                {
                    if (!lists.IsNode(n))
                        return Link(zone, order, mt, prev,
                            expected: $"next of {NodeName(zone, prev, head)} to be a page or the list head",
                            found: $"next of {NodeName(zone, prev, head)} is {NodeName(zone, n, head)}");
                    if (lists.Prev(n) != prev)
                        return Link(zone, order, mt, n == head ? prev : n,
                            expected: $"prev[next[n]] == n for n = {NodeName(zone, prev, head)}, whose next is {NodeName(zone, n, head)}",
                            found: $"prev of {NodeName(zone, n, head)} is {NodeName(zone, lists.Prev(n), head)}");
                    if (n == head)
                        break;
                    if (zone.IsListHead(n))
                        return Link(zone, order, mt, prev,
                            expected: $"the walk from {ListName(order, mt)} to return to its own head",
                            found: $"it reaches {NodeName(zone, n, head)} after {NodeName(zone, prev, head)}");
                    if (listed[n - start] == generation)
                        return new Violation(Name, zone.Config.Name,
                            Expected: $"pfn {n} on at most one free list, once",
                            Found: $"pfn {n} is reached a second time while walking {ListName(order, mt)} (it is on two lists, or the list loops)",
                            Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: n,
                            Where: Neighbours(zone, n, order, mt));
                    if (++steps > nodeCount)
                        return Link(zone, order, mt, n,
                            expected: $"{ListName(order, mt)} to have at most {nodeCount} nodes",
                            found: "a longer walk (the list loops without returning to its head)");
                    listed[n - start] = generation;
                    if (!zone.PageBuddy(n))
                        return new Violation(Name, zone.Config.Name,
                            Expected: $"every node on {ListName(order, mt)} to be the head of a free block (PageBuddy)",
                            Found: $"pfn {n} is linked there without PageBuddy: it is {FrameState(zone, n)}",
                            Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: n,
                            Where: Neighbours(zone, n, order, mt));
                    prev = n;
                    n = lists.Next(n);
                }
            }
        }
        return null;
    }

    private Violation Link(Zone zone, int order, MigrateType mt, int at, string expected, string found) =>
        new(Name, zone.Config.Name, Expected: expected, Found: $"corrupt list links: {found}",
            Order: order, Migratetype: MigrateTypes.Name(mt),
            Pfn: zone.IsListHead(at) || at < 0 ? null : at,
            Where: zone.IsListHead(at) || at < 0 ? $"walking {ListName(order, mt)}, at its head" : Neighbours(zone, at, order, mt));

    /// <summary>Tile the zone with the blocks its head pages describe; report gaps, overlaps and unlisted free heads.</summary>
    private Violation? CheckCoverage(Zone zone, int[] listed, int generation)
    {
        int nrPages = zone.EndPfn; // pfns are absolute: walk zone_start_pfn .. zone_end_pfn - 1
        int start = zone.StartPfn;
        int previousHead = -1;
        int p = start;
        while (p < nrPages)
        {
            var state = zone.Flags(p) & StateFlags;
            if (state == 0)
                return Disappeared(zone, p, previousHead);
            int order = zone.PageOrder(p);
            if ((state & (state - 1)) != 0)
                return new Violation(Name, zone.Config.Name,
                    Expected: $"pfn {p} to head one block: free, allocated or held",
                    Found: $"its frames are in two places: it is a {HeadState(zone, p)}",
                    Order: order, Migratetype: MigrateTypes.Name(zone.BlockMigratetype(p)), Pfn: p,
                    Where: Links(zone, p));
            if (order >= zone.MaxOrder)
                return new Violation(Name, zone.Config.Name,
                    Expected: $"the block at pfn {p} to have an order in 0..{zone.MaxOrder - 1}",
                    Found: $"a {HeadState(zone, p)}: its frames cannot be located",
                    Order: order, Migratetype: MigrateTypes.Name(zone.BlockMigratetype(p)), Pfn: p,
                    Where: Links(zone, p));
            if (state == PageFlags.Buddy && listed[p - start] != generation)
                return new Violation(Name, zone.Config.Name,
                    Expected: $"the free block at pfn {p} (PageBuddy, order {order}) on {ListName(order, zone.BlockMigratetype(p))}",
                    Found: "it is on no free list: its pages are neither allocatable nor allocated",
                    Order: order, Migratetype: MigrateTypes.Name(zone.BlockMigratetype(p)), Pfn: p,
                    Where: Links(zone, p));
            int end = p + (1 << order);
            if (end > nrPages)
                end = nrPages; // a block past the zone's end is Block shape's to report
            for (int q = p + 1; q < end; q++)
            {
                if ((zone.Flags(q) & StateFlags) != 0)
                    return new Violation(Name, zone.Config.Name,
                        Expected: $"pfn {q} to be a tail page of the {HeadState(zone, p)} at pfn {p}, and nothing else",
                        Found: $"it is also a {HeadState(zone, q)}: frames from pfn {q} are in two places",
                        Order: zone.PageOrder(q), Migratetype: MigrateTypes.Name(zone.BlockMigratetype(q)), Pfn: q,
                        Where: (zone.Flags(q) & PageFlags.Buddy) != 0 && listed[q - start] == generation
                            ? Neighbours(zone, q, zone.PageOrder(q), zone.BlockMigratetype(q))
                            : Links(zone, q));
            }
            previousHead = p;
            p = end;
        }
        return null;
    }

    private Violation Disappeared(Zone zone, int pfn, int previousHead)
    {
        int end = pfn + 1;
        while (end < zone.EndPfn && (zone.Flags(end) & StateFlags) == 0)
            end++;
        string before = previousHead < 0
            ? "no block starts below it"
            : $"the block before it is the {HeadState(zone, previousHead)} at pfn {previousHead}, which ends at pfn {previousHead + (1 << zone.PageOrder(previousHead)) - 1}";
        string after = end < zone.EndPfn ? $"the next block starts at pfn {end}" : "no block starts after it";
        return new Violation(Name, zone.Config.Name,
            Expected: $"pfn {pfn} in a free block on a free list, an allocated block or a held block",
            Found: $"pfns {pfn}..{end - 1} ({end - pfn} pages) are in none of them: they disappeared",
            Migratetype: MigrateTypes.Name(zone.GetPageblockMigratetype(pfn)),
            Pfn: pfn,
            Where: $"pageblock {pfn >> zone.PageblockOrder} ({MigrateTypes.Name(zone.GetPageblockMigratetype(pfn))}); {before}; {after}; not on any list ({Links(zone, pfn)})");
    }
}
