using BuddyModel;
using static Specs.Buddy.BuddyInvariants;

namespace Specs.Buddy;

/// <summary>
/// DOMAIN 6.3. No two buddies of the same order o &lt; MAX_ORDER-1 are both free blocks on free
/// lists when __free_one_page would have had to merge them.
///
/// The rule of Zone.Free.cs: below pageblock_order merging is unconditional; from
/// pageblock_order up, a block freed as migratetype mt does not merge with a buddy whose
/// pageblock is of another migratetype when one of the two is MIGRATE_ISOLATE. The check is on
/// the state, not on one free, so it excuses every pair of order &gt;= pageblock_order that
/// involves isolation at all (a list or a pageblock of either block that is Isolate): two
/// adjacent pageblocks isolated one after the other each keep their own free block, which the
/// kernel would be allowed to merge on the next free but never merges by itself. Pairs whose
/// lists and pageblocks are all non-isolated must have merged.
/// </summary>
public sealed class MaximalMerging : Invariant<Zone>
{
    public override string Name => "Maximal merging";

    public override string Guarantee =>
        "no two free buddies of the same order below MAX_ORDER-1 both sit on free lists where __free_one_page would have merged them";

    public override Violation? Check(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var lists = zone.Lists;
        int nrPages = zone.NrPages;
        for (int order = 0; order < zone.MaxOrder - 1; order++)
        {
            for (int m = 0; m < MigrateTypes.Count; m++)
            {
                var mt = (MigrateType)m;
                int head = zone.ListHead(order, mt);
                int prev = head;
                int n = lists.Next(head);
                int count = 0;
                while (n != head)
                {
                    if (!zone.SpansPfn(n) || count++ >= nrPages)
                        return UnwalkableList(Name, zone, order, mt, prev, n);
                    int buddy = n ^ (1 << order);
                    if (zone.SpansPfn(buddy)
                        && zone.PageBuddy(buddy)
                        && zone.PageOrder(buddy) == order
                        && lists.IsLinked(buddy)
                        && !(order >= zone.PageblockOrder && InvolvesIsolation(zone, n, buddy, order)))
                    {
                        return Unmerged(zone, Math.Min(n, buddy), Math.Max(n, buddy), order);
                    }
                    prev = n;
                    n = lists.Next(n);
                }
            }
        }
        return null;
    }

    /// <summary>Whether either block is on an Isolate list or any pageblock of the pair is isolated.</summary>
    private static bool InvolvesIsolation(Zone zone, int pfn, int buddy, int order)
    {
        if (zone.BlockMigratetype(pfn) == MigrateType.Isolate || zone.BlockMigratetype(buddy) == MigrateType.Isolate)
            return true;
        int start = Math.Min(pfn, buddy) & ~((1 << (order + 1)) - 1);
        int end = Math.Min(start + (1 << (order + 1)), zone.EndPfn);
        for (int p = start; p < end; p += 1 << zone.PageblockOrder)
        {
            if (zone.GetPageblockMigratetype(p) == MigrateType.Isolate)
                return true;
        }
        return false;
    }

    private Violation Unmerged(Zone zone, int low, int high, int order)
    {
        var lowMt = zone.BlockMigratetype(low);
        var highMt = zone.BlockMigratetype(high);
        string why = order < zone.PageblockOrder
            ? $"below pageblock_order ({zone.PageblockOrder}) buddies always merge"
            : $"neither block is on an Isolate list and no pageblock of pfns {low & ~((1 << (order + 1)) - 1)}..{(low & ~((1 << (order + 1)) - 1)) + (1 << (order + 1)) - 1} is isolated";
        return new Violation(Name, zone.Config.Name,
            Expected: $"the free buddies at pfn {low} and pfn {high} (order {order}) merged into one order-{order + 1} block at pfn {low}: {why}",
            Found: $"both are free order-{order} blocks on free lists (pfn {low} on free_list[{MigrateTypes.Name(lowMt)}], pageblock {MigrateTypes.Name(zone.GetPageblockMigratetype(low))}; pfn {high} on free_list[{MigrateTypes.Name(highMt)}], pageblock {MigrateTypes.Name(zone.GetPageblockMigratetype(high))})",
            Order: order,
            Migratetype: MigrateTypes.Name(lowMt),
            Pfn: low,
            Where: $"pfn {low} {Neighbours(zone, low, order, lowMt)}; its buddy pfn {high} {Neighbours(zone, high, order, highMt)}");
    }
}
