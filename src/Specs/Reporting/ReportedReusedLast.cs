using BuddyModel;

namespace Specs.Reporting;

/// <summary>
/// Reported blocks reused last (a performance property, counted rather than enforced): an
/// allocation should take an unreported block when the list it takes from has one, because
/// reusing a reported block costs the guest a fault and a zeroed page from the host. 5.7 put
/// reported blocks back where buddy_merge_likely said, often the head; 5.10 put them at the tail.
/// </summary>
public static class ReportedReusedLast
{
    public const string Name = "Reported blocks reused last";

    public const string Guarantee = "the guest reuses memory the host still backs before memory it gave back";

    /// <summary>What an allocation is about to take, as far as reporting goes.</summary>
    public enum Take
    {
        /// <summary>An unreported block, or nothing from this migratetype's lists.</summary>
        Unreported,
        /// <summary>A PG_reported block, and every block of that list is reported.</summary>
        Reported,
        /// <summary>A PG_reported block from the head of a list that also holds an unreported one.</summary>
        ReportedBeforeUnreported,
    }

    /// <summary>
    /// Before alloc_pages(order, mt): what __rmqueue_smallest is about to take (the head of the
    /// first non-empty list of order >= order). Fallback to another migratetype is not looked
    /// at. Under zone->lock.
    /// </summary>
    public static Take WhatAllocationTakes(Zone zone, int order, MigrateType mt)
    {
        ArgumentNullException.ThrowIfNull(zone);
        for (int o = order; o < zone.MaxOrder; o++)
        {
            int head = zone.ListHead(o, mt);
            int first = zone.Lists.Next(head);
            if (first == head)
                continue;
            if ((zone.Flags(first) & PageFlags.Reported) == 0)
                return Take.Unreported;
            int steps = 0;
            for (int n = zone.Lists.Next(first); n != head && steps++ <= zone.NrPages; n = zone.Lists.Next(n))
                if ((zone.Flags(n) & PageFlags.Reported) == 0)
                    return Take.ReportedBeforeUnreported;
            return Take.Reported;
        }
        return Take.Unreported;
    }
}
