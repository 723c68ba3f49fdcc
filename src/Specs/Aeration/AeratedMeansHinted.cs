using BuddyModel;

namespace Specs.Aeration;

/// <summary>
/// Aerated means hinted (DOMAIN 6.7): every page of an aerated block was hinted to the host
/// after the guest last freed it. (A second hint without reuse is a waste, not an error: it is
/// counted as a reachability fact.)
/// </summary>
public sealed class AeratedMeansHinted : Invariant<IAerationSubject>
{
    public override string Name => "Aerated means hinted";

    public override string Guarantee => "a block the guest counts as hinted really has no backing the host still keeps";

    public override Violation? Check(IAerationSubject s)
    {
        foreach (var zone in s.Zones)
            if (CheckZone(s, zone) is { } v)
                return v;
        return null;
    }

    private Violation? CheckZone(IAerationSubject s, Zone zone)
    {
        for (int pfn = zone.StartPfn; pfn < zone.EndPfn; pfn++)
        {
            if ((zone.Flags(pfn) & (PageFlags.Aerated | PageFlags.Buddy)) != (PageFlags.Aerated | PageFlags.Buddy))
                continue;
            int order = zone.PageOrder(pfn);
            if (!s.HintedSinceLastFree(pfn, order))
                return new Violation(Name, zone.Config.Name, "every page of an aerated block hinted to the host after its last free",
                    $"aerated order-{order} block at pfn {pfn} with pages the host was never told about since they were freed",
                    order, MigrateTypes.Name(zone.BlockMigratetype(pfn)), pfn);
        }
        return null;
    }
}
