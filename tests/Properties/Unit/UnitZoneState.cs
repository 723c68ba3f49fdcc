using BuddyModel;

namespace Properties.Unit;

/// <summary>
/// Small helpers shared by the unit tests: walking a free_list, and a snapshot of everything
/// observable about a zone (counters, page flags/orders, list order) so that a refused misuse
/// can be shown to leave the zone exactly as it was.
/// </summary>
internal static class UnitZoneState
{
    /// <summary>The pfns on free_area[order].free_list[mt], from the head (list_for_each).</summary>
    public static int[] ListPfns(Zone zone, int order, MigrateType mt)
    {
        int head = zone.ListHead(order, mt);
        var pfns = new List<int>();
        for (int n = zone.Lists.Next(head); n != head; n = zone.Lists.Next(n))
        {
            if (pfns.Count > zone.NrPages)
                throw new InvalidOperationException($"free_list[{mt}] of order {order} does not return to its head");
            pfns.Add(n);
        }
        return pfns.ToArray();
    }

    /// <summary>The pfns on free_area[order].free_list[mt], from the tail back (list_for_each_prev), reversed.</summary>
    public static int[] ListPfnsBackwards(Zone zone, int order, MigrateType mt)
    {
        int head = zone.ListHead(order, mt);
        var pfns = new List<int>();
        for (int n = zone.Lists.Prev(head); n != head; n = zone.Lists.Prev(n))
        {
            if (pfns.Count > zone.NrPages)
                throw new InvalidOperationException($"free_list[{mt}] of order {order} does not return to its head backwards");
            pfns.Add(n);
        }
        pfns.Reverse();
        return pfns.ToArray();
    }

    /// <summary>nr_free of every order, as an array indexed by order.</summary>
    public static int[] NrFreePerOrder(Zone zone) =>
        Enumerable.Range(0, zone.MaxOrder).Select(zone.NrFree).ToArray();

    /// <summary>An array of length MaxOrder with the given (order, count) pairs set and zeros elsewhere.</summary>
    public static int[] Counts(Zone zone, params (int Order, int Count)[] entries)
    {
        var counts = new int[zone.MaxOrder];
        foreach (var (order, count) in entries)
            counts[order] = count;
        return counts;
    }

    /// <summary>Everything observable about a zone, as a string, for before/after comparisons.</summary>
    public static string Snapshot(Zone zone)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("NrFreePages=").Append(zone.NrFreePages)
          .Append(" NrIsolatePageblock=").Append(zone.NrIsolatePageblock)
          .Append(" nr_free=[").Append(string.Join(",", NrFreePerOrder(zone))).Append("]\n");
        for (int pfn = 0; pfn < zone.NrPages; pfn++)
        {
            var f = zone.Flags(pfn);
            if (f != PageFlags.None)
                sb.Append(pfn).Append(':').Append(f).Append('/').Append(zone.PageOrder(pfn))
                  .Append('/').Append(zone.BlockMigratetype(pfn)).Append(' ');
        }
        sb.Append('\n');
        for (int pfn = 0; pfn < zone.NrPages; pfn += zone.Config.PageblockNrPages)
            sb.Append(zone.GetPageblockMigratetype(pfn)).Append(' ');
        sb.Append('\n');
        for (int order = 0; order < zone.MaxOrder; order++)
            for (int mt = 0; mt < MigrateTypes.Count; mt++)
            {
                var pfns = ListPfns(zone, order, (MigrateType)mt);
                if (pfns.Length > 0)
                    sb.Append($"o{order}/{(MigrateType)mt}: [{string.Join(",", pfns)}]\n");
            }
        return sb.ToString();
    }
}
