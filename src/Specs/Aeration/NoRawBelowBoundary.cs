using Aeration;
using BuddyModel;

namespace Specs.Aeration;

/// <summary>
/// No raw block below the boundary (DOMAIN 6.5): while a zone is ACTIVE, for every order >=
/// MIN_ORDER and migratetype, the boundary is the list head or an aerated block of that very
/// list, every block from the boundary to the tail is aerated; and at most one zone is ACTIVE.
///
/// Relaxed from DOMAIN's wording "every node above it is raw": v1 resets every boundary to its
/// list head when a pass begins, while blocks aerated by an earlier pass are still marked, so
/// aerated blocks above the boundary are part of the design (get_aeration_page copes with them
/// by taking the list's first block), so they are not a violation.
/// </summary>
public sealed class NoRawBelowBoundary : Invariant<IAerationSubject>
{
    public override string Name => "No raw block below the boundary";

    public override string Guarantee => "tail insertions and the aerator's put-back never mix raw blocks into the aerated run at the tail";

    public override Violation? Check(IAerationSubject s) => CheckAerator(s.Aerator);

    /// <summary>The same check over an aerator and all its zones, for harnesses without an AerationSystem.</summary>
    public Violation? CheckAerator(global::Aeration.Aerator a)
    {
        var active = a.Zones.Where(z => z.Flags.Test(ZoneFlag.AerationActive)).ToList();
        if (active.Count > 1)
            return new Violation(Name, string.Join("+", active.Select(z => z.Zone.Config.Name)),
                "at most one ACTIVE zone (the boundary array is global)", $"{active.Count} ACTIVE zones");
        foreach (var az in active)
        {
            var zone = az.Zone;
            for (int order = a.MinOrder; order < zone.MaxOrder; order++)
            {
                for (int m = 0; m < MigrateTypes.Count; m++)
                {
                    var mt = (MigrateType)m;
                    var v = CheckList(a, zone, order, mt);
                    if (v != null)
                        return v;
                }
            }
        }
        return null;
    }

    /// <summary>The rule on one list of an ACTIVE zone (the incremental check asks for the lists that changed).</summary>
    internal Violation? CheckList(global::Aeration.Aerator a, Zone zone, int order, MigrateType mt)
    {
        int head = zone.ListHead(order, mt);
        var (bz, boundary) = a.Boundary.Get(order, mt);
        string List() => $"free_area[{order}].free_list[{MigrateTypes.Name(mt)}]"; // for messages only: built when one is
        if (!ReferenceEquals(bz, zone))
            return new Violation(Name, zone.Config.Name, $"boundary[{order}][{MigrateTypes.Name(mt)}] to point into this ACTIVE zone",
                $"it points into zone {bz?.Config.Name ?? "(never set)"}", order, MigrateTypes.Name(mt));
        bool below = boundary == head; // list head: nothing is below the boundary
        bool found = below;
        // Bounded, and only over page nodes: a corrupt list is Exclusive location's to report.
        int steps = 0;
        for (int n = zone.Lists.Next(head); n != head && n >= 0 && !zone.IsListHead(n) && steps++ <= zone.NrPages; n = zone.Lists.Next(n))
        {
            if (n == boundary)
            {
                found = true;
                below = true;
            }
            bool aerated = (zone.Flags(n) & PageFlags.Aerated) != 0;
            if (below && boundary != head && !aerated)
                return new Violation(Name, zone.Config.Name, $"every block from the boundary (pfn {boundary}) to the tail of {List()} to be aerated",
                    $"raw block pfn {n} below the boundary", order, MigrateTypes.Name(mt), n,
                    $"prev {Describe(zone, zone.Lists.Prev(n))}, next {Describe(zone, zone.Lists.Next(n))}");
        }
        if (!found)
            return new Violation(Name, zone.Config.Name, $"boundary[{order}][{MigrateTypes.Name(mt)}] to be the list head or a block of {List()}",
                $"it points at {Describe(zone, boundary)}, which is not on that list", order, MigrateTypes.Name(mt), zone.SpansPfn(boundary) ? boundary : null);
        if (boundary != head && (zone.Flags(boundary) & PageFlags.Aerated) == 0)
            return new Violation(Name, zone.Config.Name, "the boundary to be an aerated block or the list head",
                $"raw block pfn {boundary}", order, MigrateTypes.Name(mt), boundary);
        return null;
    }

    private static string Describe(Zone zone, int node)
    {
        if (node == FreeListNodes.Poison)
            return "LIST_POISON";
        if (zone.IsListHead(node))
        {
            var (o, m) = zone.ListOfHead(node);
            return $"the list head of free_area[{o}].free_list[{MigrateTypes.Name(m)}]";
        }
        return zone.Describe(node);
    }
}
