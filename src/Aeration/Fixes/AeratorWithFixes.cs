using BuddyModel;

namespace Aeration.Fixes;

/// <summary>
/// The v1 aerator with the fixes for the flaws this suite found in it, each as it was later
/// done upstream (mm/page_reporting.c) or as the smallest change that makes the invariants hold.
/// Every fix is named after the finding test that shows v1 without it failing.
/// </summary>
public class AeratorWithFixes(IReadOnlyList<Zone> zones, AeratorConfig config) : Aerator(zones, config)
{
    /// <summary>
    /// Fix "fill takes isolated blocks": page_reporting_process_zone() skips MIGRATE_ISOLATE.
    /// v1 took blocks off the ISOLATE lists and subtracted them from NR_FREE_PAGES, which never
    /// counted them, so NR_FREE_PAGES drifted down by every isolated block it hinted.
    /// </summary>
    protected override bool FillsFrom(MigrateType mt) => mt != MigrateType.Isolate;

    /// <summary>
    /// Fix "raw blocks from expand are never noticed": v1 screens only frees, so the halves that
    /// expand() splits off an aerated block are raw blocks that never request a pass; once the
    /// worker is idle a zone can stay at or above HWM raw blocks forever (progress fails). The
    /// fix runs the same screen for each half expand() adds.
    /// </summary>
    public override void AddedByExpand(Zone zone, int pfn, int order, MigrateType mt) => NotifyFree(Of(zone), order);

    /// <summary>
    /// Fix "a moved block loses its mark and is never reprocessed": move_to_free_area() (a
    /// pageblock changing migratetype, a fallback steal) clears PageAerated so the block is
    /// "reprocessed later", but nothing requests that pass; the block stays raw for good. The
    /// fix screens the order whenever an aerated block loses its mark (on an allocation this
    /// can request a pass one step early, which only costs a fill).
    /// </summary>
    public override void DelFromFreeList(Zone zone, int pfn, int order, MigrateType mt)
    {
        bool wasAerated = (zone.Flags(pfn) & PageFlags.Aerated) != 0;
        base.DelFromFreeList(zone, pfn, order, mt);
        if (wasAerated)
            NotifyFree(Of(zone), order);
    }
}
