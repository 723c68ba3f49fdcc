using BuddyModel;
using Reporting;

namespace Specs.Reporting;

/// <summary>
/// Isolated blocks come back: the only blocks the design holds off the free lists are the ones
/// out in the report in flight, and once a report returns (success or error) every block it
/// took is back on a free list. Blocks the test isolated itself are not the design's.
/// </summary>
public sealed class IsolatedBlocksComeBack : Invariant<IReportingSubject>
{
    public override string Name => "Isolated blocks come back";

    public override string Guarantee => "reporting never keeps memory from the guest beyond the report in flight";

    public override Violation? Check(IReportingSubject s)
    {
        var mine = new HashSet<(int, int)>(s.Isolated);
        var inFlight = new HashSet<(int, int)>(s.Worker.InFlight.Select(e => (e.Pfn, e.Order)));
        foreach (var zone in s.Zones)
            if (CheckZone(s, zone, mine, inFlight) is { } v)
                return v;
        if (inFlight.Count > 0)
        {
            var (p, o) = inFlight.OrderBy(b => b.Item1).First();
            var zone = s.ZoneOf(p);
            return new Violation(Name, zone.Config.Name, "every block of the report in flight held off the free lists",
                $"order-{o} block at pfn {p} is in the report but is {zone.Describe(p)}", o, null, p);
        }
        return null;
    }

    /// <summary>The held blocks of one zone: each is the test's own or in the report (removed from inFlight as found).</summary>
    private Violation? CheckZone(IReportingSubject s, Zone zone, HashSet<(int, int)> mine, HashSet<(int, int)> inFlight)
    {
        for (int pfn = zone.StartPfn; pfn < zone.EndPfn; pfn++)
        {
            if ((zone.Flags(pfn) & PageFlags.Held) == 0)
                continue;
            var block = (pfn, (int)zone.PageOrder(pfn));
            if (mine.Contains(block) || inFlight.Remove(block))
                continue;
            return new Violation(Name, zone.Config.Name,
                s.Worker.State is ReportingWorkerState.Reporting or ReportingWorkerState.ReportingLeftover
                    ? "no block held off the free lists but the ones in the report in flight"
                    : "every block taken for a report back on a free list once the report returned",
                $"order-{block.Item2} block at pfn {pfn} held by reporting (worker {s.Worker.State})",
                block.Item2, MigrateTypes.Name(zone.BlockMigratetype(pfn)), pfn);
        }
        return null;
    }
}
