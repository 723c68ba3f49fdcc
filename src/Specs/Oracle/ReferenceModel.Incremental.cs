using BuddyModel;
using Specs.Incremental;

namespace Specs.Oracle;

/// <summary>
/// The frame oracle's incremental comparison: Compare's walk over the MAX_ORDER chunks where
/// either side changed. Sound because the walk reads, per block of the zone's tiling, the
/// zone's head and the reference's frames of that block; with every head aligned (ZoneDelta's
/// strict shape) a block never leaves its chunk, so the walk of a chunk neither side changed
/// reads what compared equal last time. The reference records every frame it marks (Mark).
/// </summary>
public sealed partial class ReferenceModel
{
    private readonly DirtySet _changed; // frames marked since the last verified comparison (absolute pfn)

    /// <summary>Tell the zone's delta which chunks the reference changed (before its Holds tiles them).</summary>
    public void MarkChangedChunks(ZoneDelta zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        for (int k = 0; k < _changed.Count; k++)
            zone.MarkChunkOf(_changed[k]);
    }

    /// <summary>Whether Compare surely finds nothing: its walk over every chunk the delta tiles (the zone's changes and the reference's).</summary>
    public bool ChangesCompareEqual(ZoneDelta zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var z = zone.Zone;
        if (z.NrPages != NrPages || z.StartPfn != StartPfn)
            return false;
        var chunks = zone.Chunks;
        for (int k = 0; k < chunks.Count; k++)
        {
            int start = StartPfn + (chunks[k] << zone.ChunkOrder);
            if (CompareRange(z, start, Math.Min(start + (1 << zone.ChunkOrder), EndPfn)) is not null)
                return false;
        }
        return true;
    }

    /// <summary>The comparison is verified: forget the changes.</summary>
    public void ForgetChanges() => _changed.Clear();
}
