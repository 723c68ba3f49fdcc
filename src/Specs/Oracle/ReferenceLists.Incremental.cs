using BuddyModel;
using Specs.Incremental;

namespace Specs.Oracle;

/// <summary>
/// The placement oracle's incremental comparison: only the lists and pageblocks that changed
/// since the last verified comparison, on either side. A list the reference did not change
/// (its primitives Insert, Remove and the rotation record every change) and the zone did not
/// change (no node of it written: ZoneDelta walks exactly those) is the pair that compared
/// equal last time; a pageblock neither side wrote, likewise. The first failure of a call is
/// kept and checked every time.
/// </summary>
public sealed partial class ReferenceLists
{
    private readonly DirtySet _changedLists;
    private readonly DirtySet _changedPageblocks;

    /// <summary>Whether the lists and pageblocks that changed on either side surely still compare equal (false: compare in full).</summary>
    public bool ChangesCompareEqual(ZoneDelta zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (_first is not null)
            return false;
        var z = zone.Zone;
        for (int k = 0; k < _changedLists.Count; k++)
            if (!ListEqual(z, _changedLists[k]))
                return false;
        var touched = zone.TouchedLists;
        for (int k = 0; k < touched.Count; k++)
            if (!_changedLists.Contains(touched[k]) && !ListEqual(z, touched[k]))
                return false;
        var pageblocks = zone.Pending.Pageblocks;
        for (int k = 0; k < _changedPageblocks.Count; k++)
            if (!PageblockEqual(z, _changedPageblocks[k]))
                return false;
        for (int k = 0; k < pageblocks.Count; k++)
            if (!PageblockEqual(z, pageblocks[k]))
                return false;
        return true;
    }

    /// <summary>The comparison is verified: forget the changes.</summary>
    public void ForgetChanges()
    {
        _changedLists.Clear();
        _changedPageblocks.Clear();
    }

    private bool ListEqual(Zone zone, int li) => CompareList(zone, li / MigrateTypes.Count, (MigrateType)(li % MigrateTypes.Count)) is null;

    private bool PageblockEqual(Zone zone, int index) =>
        zone.GetPageblockMigratetype(StartPfn + (index << PageblockOrder)) == _pageblock[index];
}
