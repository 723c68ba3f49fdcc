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
}
