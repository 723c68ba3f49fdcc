using BuddyModel;
using Specs.Incremental;

namespace Specs.Oracle;

/// <summary>
/// The frame oracle's incremental comparison: Compare's walk over the regions ZoneDelta tiles,
/// which surround every change of the zone and every frame the reference marked (Mark records
/// them, as the block marked: the region is at least that block). Sound because the walk reads, per block of the zone's tiling, the zone's head and
/// the reference's frames of that block; a block outside every region is one of the verified
/// check's, unchanged on both sides (ZoneDelta.Regions says why), so its verdict is too.
/// </summary>
public sealed partial class ReferenceModel
{
    private readonly DirtySet _changed;      // heads of the blocks marked since the last verified comparison (absolute pfn)
    private readonly byte[] _changedOrder;   // the largest order marked at each

    /// <summary>Tell the zone's delta which frames the reference changed (before its Holds tiles the regions around them).</summary>
    public void MarkChanges(ZoneDelta zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        for (int k = 0; k < _changed.Count; k++)
            zone.MarkPoint(_changed[k], _changedOrder[_changed[k]]);
    }

    /// <summary>Whether Compare surely finds nothing: its walk over every region the delta tiled (the zone's changes and the reference's).</summary>
    public bool ChangesCompareEqual(ZoneDelta zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var z = zone.Zone;
        if (z.NrPages != NrPages || z.StartPfn != StartPfn)
            return false;
        for (int k = 0; k < zone.RegionCount; k++)
        {
            var (start, end) = zone.Region(k);
            if (CompareRange(z, start, end) is not null)
                return false;
        }
        return true;
    }

    /// <summary>The comparison is verified: forget the changes.</summary>
    public void ForgetChanges() => _changed.Clear();
}
