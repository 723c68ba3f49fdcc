using BuddyModel;
using static Specs.Buddy.BuddyInvariants;

namespace Specs.Buddy;

/// <summary>
/// DOMAIN 6.2, buddy part. free_area[order].nr_free is the number of blocks on that order's lists
/// over all migratetypes; NR_FREE_PAGES is the number of pages on all lists except
/// MIGRATE_ISOLATE ones; and every listed block records the order and migratetype of the list
/// it is on (page_order, and the migratetype the free path and move_to_free_area keep).
/// </summary>
public sealed class CountersMatchContents : Invariant<Zone>
{
    public override string Name => "Counters match contents";

    public override string Guarantee =>
        "nr_free of every order equals the blocks on its lists, NR_FREE_PAGES equals the pages on the non-isolated lists, and every listed block records its list's order and migratetype";

    public override Violation? Check(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var lists = zone.Lists;
        int nrPages = zone.NrPages;
        Span<int> perMt = stackalloc int[MigrateTypes.Count];
        long pagesOnAllocatableLists = 0;
        for (int order = 0; order < zone.MaxOrder; order++)
        {
            int blocks = 0;
            for (int m = 0; m < MigrateTypes.Count; m++)
            {
                var mt = (MigrateType)m;
                int head = zone.ListHead(order, mt);
                int prev = head;
                int n = lists.Next(head);
                int count = 0;
                while (n != head)
                {
                    if (!zone.SpansPfn(n) || count >= nrPages)
                        return UnwalkableList(Name, zone, order, mt, prev, n);
                    if (zone.PageOrder(n) != order)
                        return new Violation(Name, zone.Config.Name,
                            Expected: $"every block on {ListName(order, mt)} to record order {order}",
                            Found: $"pfn {n} records order {zone.PageOrder(n)} (it is a {HeadState(zone, n)})",
                            Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: n,
                            Where: Neighbours(zone, n, order, mt));
                    if (zone.BlockMigratetype(n) != mt)
                        return new Violation(Name, zone.Config.Name,
                            Expected: $"every block on {ListName(order, mt)} to record migratetype {MigrateTypes.Name(mt)}",
                            Found: $"pfn {n} records {MigrateTypes.Name(zone.BlockMigratetype(n))}: the list it is on and the list it is accounted to differ",
                            Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: n,
                            Where: Neighbours(zone, n, order, mt));
                    count++;
                    prev = n;
                    n = lists.Next(n);
                }
                perMt[m] = count;
                blocks += count;
                if (mt != MigrateType.Isolate)
                    pagesOnAllocatableLists += (long)count << order;
            }
            if (blocks != zone.NrFree(order))
                return new Violation(Name, zone.Config.Name,
                    Expected: $"free_area[{order}].nr_free = {blocks}, the number of blocks on its lists ({Breakdown(perMt)})",
                    Found: $"nr_free = {zone.NrFree(order)} ({zone.NrFree(order) - blocks:+#;-#;0} blocks)",
                    Order: order,
                    Where: $"free_area[{order}]");
        }
        if (pagesOnAllocatableLists != zone.NrFreePages)
            return new Violation(Name, zone.Config.Name,
                Expected: $"NR_FREE_PAGES = {pagesOnAllocatableLists}, the pages on all free lists except MIGRATE_ISOLATE ones",
                Found: $"NR_FREE_PAGES = {zone.NrFreePages} ({zone.NrFreePages - pagesOnAllocatableLists:+#;-#;0} pages)",
                Where: $"zone counters, with {zone.NrIsolatePageblock} isolated pageblock(s)");
        return null;
    }

    private static string Breakdown(ReadOnlySpan<int> perMt)
    {
        var parts = new string[perMt.Length];
        for (int m = 0; m < perMt.Length; m++)
            parts[m] = $"{MigrateTypes.Name((MigrateType)m)} {perMt[m]}";
        return string.Join(", ", parts);
    }
}
