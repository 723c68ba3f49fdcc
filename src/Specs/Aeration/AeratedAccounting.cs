using Aeration;
using BuddyModel;

namespace Specs.Aeration;

/// <summary>
/// Aerated accounting (DOMAIN 6.2 and 6.4, aerated part): nr_free_aerated of every order equals
/// the aerated blocks on that order's lists, and PageAerated sits only on free blocks of order
/// >= MIN_ORDER (never on allocated, held or tail pages, nor in the batch).
/// </summary>
public sealed class AeratedAccounting : Invariant<IAerationSubject>
{
    public override string Name => "Aerated accounting";

    public override string Guarantee => "raw = nr_free - nr_free_aerated is the true count of blocks the host still backs, so notify's HWM test sees reality";

    public override Violation? Check(IAerationSubject s)
    {
        // Per zone: nr_free_aerated is a field of each zone's free_area.
        foreach (var az in s.Aerator.Zones)
            if (CheckZone(s, az) is { } v)
                return v;
        return null;
    }

    private Violation? CheckZone(IAerationSubject s, AerationZone az)
    {
        var zone = az.Zone;
        for (int order = 0; order < zone.MaxOrder; order++)
        {
            int count = 0;
            for (int m = 0; m < MigrateTypes.Count; m++)
            {
                int head = zone.ListHead(order, (MigrateType)m);
                // Bounded, and only over page nodes: a corrupt list is Exclusive location's to report.
                int steps = 0;
                for (int n = zone.Lists.Next(head); n != head && n >= 0 && !zone.IsListHead(n) && steps++ <= zone.NrPages; n = zone.Lists.Next(n))
                    if ((zone.Flags(n) & PageFlags.Aerated) != 0)
                        count++;
            }
            if (count != az.NrFreeAerated[order])
                return new Violation(Name, zone.Config.Name, $"free_area[{order}].nr_free_aerated = {count} (the aerated blocks on its lists)",
                    $"nr_free_aerated = {az.NrFreeAerated[order]}", order);
        }
        for (int pfn = zone.StartPfn; pfn < zone.EndPfn; pfn++)
        {
            var f = zone.Flags(pfn);
            if ((f & PageFlags.Aerated) == 0)
                continue;
            if ((f & PageFlags.Buddy) == 0)
                return new Violation(Name, zone.Config.Name, "PageAerated only on the head of a free block",
                    $"it on {zone.Describe(pfn)}", null, null, pfn);
            if (zone.PageOrder(pfn) < s.Aerator.MinOrder)
                return new Violation(Name, zone.Config.Name, $"PageAerated only on blocks of order >= MIN_ORDER ({s.Aerator.MinOrder})",
                    $"an aerated order-{zone.PageOrder(pfn)} block", zone.PageOrder(pfn), null, pfn);
        }
        return null;
    }
}
