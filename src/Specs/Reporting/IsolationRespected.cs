using BuddyModel;

namespace Specs.Reporting;

/// <summary>
/// Isolation respected: reporting never takes a block of a MIGRATE_ISOLATE pageblock. Such
/// pageblocks are being taken away (memory offline, alloc_contig_range); their free blocks
/// belong to whoever isolated them, and a report would hand them to the host and back behind
/// the isolator's back. Checked right after a report is submitted: every block in it was taken
/// in that step.
/// </summary>
public static class IsolationRespected
{
    public const string Name = "Isolation respected";

    public const string Guarantee = "memory being offlined or gathered for a contiguous allocation is never reported";

    /// <summary>The violation after a submitted report, or null.</summary>
    public static Violation? Check(IReportingSubject s)
    {
        ArgumentNullException.ThrowIfNull(s);
        foreach (var e in s.Worker.InFlight)
            if (s.ZoneOf(e.Pfn) is var zone && zone.GetPageblockMigratetype(e.Pfn) == MigrateType.Isolate)
                return new Violation(Name, zone.Config.Name, "no block of a MIGRATE_ISOLATE pageblock in a report",
                    $"order-{e.Order} block at pfn {e.Pfn} of an isolated pageblock is out in the report", e.Order, MigrateTypes.Name(MigrateType.Isolate), e.Pfn);
        return null;
    }
}
