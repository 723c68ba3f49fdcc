using BuddyModel;

namespace Aeration.Fixes;

/// <summary>The fixes for the v1 findings, each switchable so that a test can show which fix a finding needs.</summary>
[Flags]
public enum V1Fixes
{
    None = 0,
    /// <summary>Fill skips MIGRATE_ISOLATE (finding: NR_FREE_PAGES drifts).</summary>
    SkipIsolateInFill = 1,
    /// <summary>Screen the halves expand() adds (finding: expand-made raw blocks never request a pass).</summary>
    ScreenExpand = 2,
    /// <summary>Screen a block that loses its mark (finding: a moved block is never reprocessed).</summary>
    ScreenMove = 4,
    /// <summary>Fill keeps the low watermark (finding: fill has no watermark check).</summary>
    KeepLowWatermark = 8,
    All = SkipIsolateInFill | ScreenExpand | ScreenMove | KeepLowWatermark,
}

/// <summary>
/// The v1 aerator with the fixes for the flaws this suite found in it, each as it was later
/// done upstream (mm/page_reporting.c) or as the smallest change that makes the invariants hold.
/// Every fix is named after the finding test that shows v1 without it failing; each can be
/// switched off alone (V1Fixes) to show that its finding comes back.
/// </summary>
public class AeratorWithFixes(IReadOnlyList<Zone> zones, AeratorConfig config, V1Fixes fixes = V1Fixes.All) : Aerator(zones, config)
{
    /// <summary>The fixes in force.</summary>
    public V1Fixes Fixes { get; } = fixes;

    /// <inheritdoc/>
    public override bool KeepsLowWatermark => (Fixes & V1Fixes.KeepLowWatermark) != 0;

    /// <summary>
    /// Fix "fill takes isolated blocks": page_reporting_process_zone() skips MIGRATE_ISOLATE.
    /// v1 took blocks off the ISOLATE lists and subtracted them from NR_FREE_PAGES, which never
    /// counted them, so NR_FREE_PAGES drifted down by every isolated block it hinted.
    /// </summary>
    protected override bool FillsFrom(MigrateType mt) => (Fixes & V1Fixes.SkipIsolateInFill) == 0 || mt != MigrateType.Isolate;

    /// <summary>
    /// Fix "no watermark check in fill": v1 takes blocks whatever the zone's free memory, so a
    /// batch can take the last memory above the low watermark away while the host works.
    /// mm/page_reporting.c checks the low watermark (plus a batch's worth) before a zone and
    /// uses the watermark-checked __isolate_free_page; the model's fix takes a block only when
    /// NR_FREE_PAGES stays above the low watermark without it.
    /// </summary>
    protected override int GetAerationPage(AerationZone az, int order, MigrateType mt)
    {
        var zone = az.Zone;
        if (KeepsLowWatermark && zone.NrFreePages - (1L << order) <= zone.Watermark.Low)
        {
            if (HasRawBlock(zone, order, mt))
                Reach.Hit(GuardedRule.FillStopsAtLowWatermark);
            _stoppedByWatermark = true;
            return -1;
        }
        return base.GetAerationPage(az, order, mt);
    }

    /// <summary>For the reachability counts: whether the list holds a raw block the fill could have taken (plain reads only).</summary>
    private static bool HasRawBlock(Zone zone, int order, MigrateType mt)
    {
        int head = zone.ListHead(order, mt);
        for (int n = zone.Lists.Next(head); n != head; n = zone.Lists.Next(n))
            if ((zone.Flags(n) & PageFlags.Aerated) == 0)
                return true;
        return false;
    }

    private bool _stoppedByWatermark;

    /// <summary>
    /// Canonical state: the base aerator's. The fixes add one field, the watermark-stop flag,
    /// and it is dead between two steps: Fill clears it before anything reads it, and its one
    /// reader (KeepRequested) runs at the end of that same Fill. The fix set is configuration.
    /// </summary>
    public override void WriteCanonicalState(ICanonicalStateSink sink) => base.WriteCanonicalState(sink);

    /// <summary>
    /// Part of the watermark fix: when the watermark, not a lack of raw blocks, stopped a fill
    /// while other blocks are out, the zone stays REQUESTED; after the drain returns them the
    /// next fill can go on. With nothing out, low memory ends the zone's pass (no busy loop).
    /// </summary>
    protected override bool KeepRequested(AeratorDevInfo dev, AerationZone az)
    {
        bool stopped = _stoppedByWatermark;
        _stoppedByWatermark = false;
        return stopped && dev.Batch.Count > 0;
    }

    /// <summary>Each fill starts with no watermark stop recorded.</summary>
    public override void Fill(AeratorDevInfo dev, AerationZone az)
    {
        _stoppedByWatermark = false;
        base.Fill(dev, az);
    }

    /// <summary>
    /// Fix "raw blocks from expand are never noticed": v1 screens only frees, so the halves that
    /// expand() splits off an aerated block are raw blocks that never request a pass; once the
    /// worker is idle a zone can stay at or above HWM raw blocks forever (progress fails). The
    /// fix runs the same screen for each half expand() adds.
    /// </summary>
    public override void AddedByExpand(Zone zone, int pfn, int order, MigrateType mt)
    {
        if ((Fixes & V1Fixes.ScreenExpand) != 0)
            NotifyFree(Of(zone), order);
    }

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
        if (wasAerated && (Fixes & V1Fixes.ScreenMove) != 0)
            NotifyFree(Of(zone), order);
    }
}
