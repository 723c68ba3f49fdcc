using BuddyModel;

namespace Specs.Reporting;

/// <summary>
/// Reporting gate kept: a pass reports from a zone only while the zone is above its low
/// watermark plus PAGE_REPORTING_CAPACITY blocks of the reporting order (the test of
/// page_reporting_process_zone), so that reporting never eats into the memory the allocator
/// is about to need. The gate is computed here exactly, in 64 bits; the kernel's own sum is
/// 32-bit, so an order that makes it wrap shows up as a pass below the gate.
/// </summary>
public static class ReportingGateKept
{
    private const int Capacity = global::Reporting.PageReporting.Capacity;

    public const string Name = "Reporting gate kept";

    public const string Guarantee = "reporting runs only in a zone with memory to spare";

    /// <summary>The gate for a reporting order: low + 32 * 2^order pages (saturating).</summary>
    public static long Gate(Zone zone, uint order)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.Watermark.Low + (order >= 40 ? long.MaxValue / 2 : (long)Capacity << (int)order);
    }

    /// <summary>
    /// A pass that began in this step made a report: the zone must have been above the gate
    /// when the pass looked at it (aboveGate, taken before the step), or null.
    /// </summary>
    public static Violation? CheckPassStart(Zone zone, uint order, bool aboveGate, long freeBefore)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return aboveGate
            ? null
            : new Violation(Name, zone.Config.Name,
                $"a report only from a zone above low + {Capacity} << order {order} = {Gate(zone, order)} free pages",
                $"a pass reported with NR_FREE_PAGES {freeBefore} when it began");
    }
}
