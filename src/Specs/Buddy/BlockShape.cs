using BuddyModel;
using static Specs.Buddy.BuddyInvariants;

namespace Specs.Buddy;

/// <summary>
/// DOMAIN 6.4, buddy part. A free block is aligned to its order and lies inside the zone; the
/// hinting flags (PageAerated, PageReported) sit only on heads of free blocks, never on an
/// allocated, held or tail page; and isolation is respected: a free block in a MIGRATE_ISOLATE
/// pageblock is on an Isolate list, and a block on an Isolate list lies in isolated pageblocks
/// only (isolated pages are never on an allocatable list, and nothing else is hidden there),
/// except inside a range an isolation walk is converting (see InTransition).
/// </summary>
public sealed class BlockShape : Invariant<Zone>
{
    public override string Name => "Block shape";

    public override string Guarantee =>
        "free blocks are aligned and inside the zone, hinting flags only on free heads, and free pages of isolated pageblocks only on Isolate lists (and only those there)";

    public override Violation? Check(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return CheckListedBlocks(zone) ?? CheckHintingFlags(zone);
    }

    private Violation? CheckListedBlocks(Zone zone)
    {
        var lists = zone.Lists;
        int nrPages = zone.NrPages;
        int pageblockOrder = zone.PageblockOrder;
        for (int order = 0; order < zone.MaxOrder; order++)
        {
            int size = 1 << order;
            for (int m = 0; m < MigrateTypes.Count; m++)
            {
                var mt = (MigrateType)m;
                bool isolateList = mt == MigrateType.Isolate;
                int head = zone.ListHead(order, mt);
                int prev = head;
                int n = lists.Next(head);
                int count = 0;
                while (n != head)
                {
                    if (!zone.SpansPfn(n) || count++ >= nrPages)
                        return UnwalkableList(Name, zone, order, mt, prev, n);
                    if ((n & (size - 1)) != 0)
                        return Listed(zone, n, order, mt,
                            expected: $"a free order-{order} block to start at a multiple of {size}",
                            found: $"it starts at pfn {n}, {n & (size - 1)} pages past pfn {n & ~(size - 1)}");
                    if ((long)n + size > zone.EndPfn)
                        return Listed(zone, n, order, mt,
                            expected: $"the free block inside the zone (pfn {zone.StartPfn}..{zone.EndPfn - 1})",
                            found: $"it spans pfns {n}..{(long)n + size - 1}");
                    int last = n + size - 1;
                    for (int p = n; p <= last; p += 1 << pageblockOrder)
                    {
                        var pageblockMt = zone.GetPageblockMigratetype(p);
                        if ((pageblockMt == MigrateType.Isolate) != isolateList && !InTransition(zone, p))
                            return Listed(zone, n, order, mt,
                                expected: isolateList
                                    ? "a block on an Isolate list to lie in isolated pageblocks only"
                                    : "the free pages of an isolated pageblock to be on an Isolate list, never on an allocatable one",
                                found: isolateList
                                    ? $"pageblock {p >> pageblockOrder} (pfn {p & ~((1 << pageblockOrder) - 1)}) of the block is {MigrateTypes.Name(pageblockMt)}: its free pages are hidden from allocation"
                                    : $"pageblock {p >> pageblockOrder} (pfn {p & ~((1 << pageblockOrder) - 1)}) of the block is Isolate, yet the block is on free_list[{MigrateTypes.Name(mt)}] where an allocation can take it");
                    }
                    prev = n;
                    n = lists.Next(n);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// A pageblock of a range that start_isolate_page_range() or undo_isolate_page_range() is
    /// converting: the kernel drops zone->lock between pageblocks, so until the walk returns a
    /// free block of the range may lie on the list its pageblocks are headed for or come from
    /// (a larger block moves whole with the pageblock of its head). Outside the range, and once
    /// the walk returned, the rule is strict.
    /// </summary>
    private static bool InTransition(Zone zone, int pfn) => zone.IsolationWalks.Count > 0 && zone.IsolationWalkAt(pfn) is not null;

    private Violation Listed(Zone zone, int pfn, int order, MigrateType mt, string expected, string found) =>
        new(Name, zone.Config.Name, Expected: expected, Found: found,
            Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: pfn,
            Where: $"{Neighbours(zone, pfn, order, mt)}; pageblock {pfn >> zone.PageblockOrder} is {MigrateTypes.Name(zone.GetPageblockMigratetype(pfn))}");

    private Violation? CheckHintingFlags(Zone zone)
    {
        int endPfn = zone.EndPfn;
        for (int p = zone.StartPfn; p < endPfn; p++)
        {
            var f = zone.Flags(p);
            if ((f & HintingFlags) == 0 || (f & PageFlags.Buddy) != 0)
                continue;
            string flags = (f & HintingFlags) switch
            {
                PageFlags.Aerated => "PageAerated",
                PageFlags.Reported => "PageReported",
                _ => "PageAerated and PageReported",
            };
            bool isHead = (f & StateFlags) != 0;
            int head = isHead ? p : CoveringHead(zone, p);
            return new Violation(Name, zone.Config.Name,
                Expected: $"{flags} only on the head page of a free block (PageBuddy)",
                Found: $"pfn {p} carries {flags} and is {FrameState(zone, p)}",
                Order: head >= 0 ? zone.PageOrder(head) : null,
                Migratetype: head >= 0 ? MigrateTypes.Name(zone.BlockMigratetype(head)) : null,
                Pfn: p,
                Where: $"pageblock {p >> zone.PageblockOrder} ({MigrateTypes.Name(zone.GetPageblockMigratetype(p))}); not on any list ({Links(zone, p)})");
        }
        return null;
    }
}
