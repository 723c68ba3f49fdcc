using BuddyModel;

namespace Specs.Reporting;

/// <summary>
/// Reported means acknowledged: every free block that carries PG_reported was in a report the
/// device acknowledged after the block's last free. (A block reported twice without reuse in
/// between is a waste, counted as a reachability fact, not a violation.)
/// </summary>
public sealed class ReportedMeansAcknowledged : Invariant<IReportingSubject>
{
    public override string Name => "Reported means acknowledged";

    public override string Guarantee => "a block the guest skips as reported really was acknowledged by the host since it was last freed";

    public override Violation? Check(IReportingSubject s)
    {
        foreach (var zone in s.Zones)
            if (CheckZone(s, zone) is { } v)
                return v;
        return null;
    }

    private Violation? CheckZone(IReportingSubject s, Zone zone)
    {
        for (int pfn = zone.StartPfn; pfn < zone.EndPfn; pfn++)
        {
            var f = zone.Flags(pfn);
            if ((f & PageFlags.Reported) == 0)
                continue;
            if ((f & PageFlags.Buddy) == 0)
                return new Violation(Name, zone.Config.Name, "PG_reported only on free blocks on a free list",
                    $"PG_reported on {zone.Describe(pfn)}", null, null, pfn);
            int order = zone.PageOrder(pfn);
            if (!s.HintedSinceLastFree(pfn, order))
                return new Violation(Name, zone.Config.Name, "every page of a PG_reported block in a report the device acknowledged after its last free",
                    $"reported order-{order} block at pfn {pfn} with pages no acknowledged report covered since they were freed",
                    order, MigrateTypes.Name(zone.BlockMigratetype(pfn)), pfn);
        }
        return null;
    }
}
