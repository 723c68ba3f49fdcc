using BuddyModel;

namespace Specs.Incremental;

/// <summary>
/// The block part of the incremental buddy check: the blocks around every change tiled again,
/// and the per-page rules on changed pages.
///
/// A change at page p (a store to it, its pageblock's bits, a frame the frame oracle marked)
/// is looked at through a region: the aligned block around p of the larger of the orders of
/// the block that covered p at the verified check (the shadow) and the block that covers it
/// now, at least the point's own order (pageblock_order for a pageblock). Why tiling the
/// regions is enough: take a page x in no region. The block B that covered it at the verified
/// check has no changed page: a changed page of B would have a region of at least B's order
/// around it, which holds B and so x. So B is still there, whole, with its head and its clean
/// tails, and no region reaches into it (regions and B are aligned blocks: one inside the
/// other, and B inside a region would put x in it; a region inside B has its changed page in
/// B). So the tiling is the regions' blocks, each checked inside its region, and the verified
/// blocks outside them: aligned, one state per head, nothing covered twice. A region's
/// verdicts: the Block shape pageblock rule of a free head depends on its own pages' pageblocks
/// (a changed pageblock is a point of at least pageblock_order, so the free block that covers
/// it, or the ones inside it, are in its region); the merge rule of a pair depends on both
/// blocks and the pageblocks of the pair: a changed block is checked with its buddy, and a
/// changed pageblock lies in one of the pair's blocks, which is then in its region.
/// </summary>
public sealed partial class ZoneDelta
{
    private bool RegionsHold()
    {
        for (int k = 0; k < _points.Count; k++)
        {
            int i = _points[k];
            int order = Math.Max(_pointOrder[i], Math.Max(CoveringOrder(i, verified: true), CoveringOrder(i, verified: false)));
            int start = i & ~((1 << order) - 1);
            if (!_regions.Contains(start))
                _regionOrder[start] = 0;
            _regions.Mark(start);
            if (order > _regionOrder[start])
                _regionOrder[start] = (byte)order;
        }
        for (int k = 0; k < _regions.Count; k++)
        {
            int i = _regions[k];
            if (!TileRegion(i + _start, _regionOrder[i]))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The order of the block that covers page index i, in the verified state (the shadow for a
    /// changed page, the page itself otherwise) or now: its head is the first of i, i rounded
    /// down to 2, 4, ... that heads a block (so with aligned heads). The chunk's order when no
    /// such head is found or it does not reach i (then the tiling of the chunk decides).
    /// </summary>
    private int CoveringOrder(int i, bool verified)
    {
        for (int o = 0; o <= _chunkOrder; o++)
        {
            int h = i & ~((1 << o) - 1);
            bool old = verified && _log.Nodes.Contains(h);
            var f = (old ? _oldFlags[h] : _zone.Flags(h + _start)) & StateFlags;
            if (f == 0)
                continue;
            int order = old ? _oldOrder[h] : _zone.PageOrder(h + _start);
            return order <= _chunkOrder && h + (1 << order) > i ? order : _chunkOrder;
        }
        return _chunkOrder;
    }

    /// <summary>
    /// Exclusive location's tiling over one region, strict (aligned heads inside the region),
    /// with Block shape's pageblock rule and Maximal merging's rule for every free head met. A
    /// head's tails are scanned when the head changed; an unchanged head keeps its order, and
    /// a tail of it that changed is a changed page, which ChangedPagesHold requires to be met
    /// as a head here (so it cannot hide in a tail).
    /// </summary>
    private bool TileRegion(int start, int regionOrder)
    {
        int end = Math.Min(start + (1 << regionOrder), _zone.EndPfn);
        int q = start;
        while (q < end)
        {
            var state = _zone.Flags(q) & StateFlags;
            if (state == 0 || (state & (state - 1)) != 0)
                return false;
            int order = _zone.PageOrder(q);
            if (order >= _zone.MaxOrder)
                return false;
            int size = 1 << order;
            if ((q & (size - 1)) != 0 || q + size > end)
                return false;
            _headAt[q - _start] = _generation;
            if (_log.Nodes.Contains(q - _start))
            {
                for (int t = q + 1; t < q + size; t++)
                    if ((_zone.Flags(t) & StateFlags) != 0)
                        return false;
            }
            if (state == PageFlags.Buddy && !FreeHeadHolds(q, order))
                return false;
            q += size;
        }
        return true;
    }

    /// <summary>Block shape's pageblock rule and Maximal merging's rule for the free head at pfn (listed on its recorded list: ListsHold).</summary>
    private bool FreeHeadHolds(int pfn, int order)
    {
        var listMt = _zone.BlockMigratetype(pfn);
        bool isolateList = listMt == MigrateType.Isolate;
        int pageblock = 1 << _zone.PageblockOrder;
        for (int p = pfn; p < pfn + (1 << order); p += pageblock)
            if ((_zone.GetPageblockMigratetype(p) == MigrateType.Isolate) != isolateList && _zone.IsolationWalkAt(p) is null)
                return false;
        if (order >= _zone.MaxOrder - 1)
            return true;
        int buddy = pfn ^ (1 << order);
        return !(_zone.SpansPfn(buddy)
            && _zone.PageBuddy(buddy)
            && _zone.PageOrder(buddy) == order
            && _zone.Lists.IsLinked(buddy)
            && !(order >= _zone.PageblockOrder && InvolvesIsolation(pfn, buddy, order)));
    }

    /// <summary>Maximal merging's excuse, as there: either block on an Isolate list, or a pageblock of the pair isolated.</summary>
    private bool InvolvesIsolation(int pfn, int buddy, int order)
    {
        if (_zone.BlockMigratetype(pfn) == MigrateType.Isolate || _zone.BlockMigratetype(buddy) == MigrateType.Isolate)
            return true;
        int start = Math.Min(pfn, buddy) & ~((1 << (order + 1)) - 1);
        int end = Math.Min(start + (1 << (order + 1)), _zone.EndPfn);
        for (int p = start; p < end; p += 1 << _zone.PageblockOrder)
            if (_zone.GetPageblockMigratetype(p) == MigrateType.Isolate)
                return true;
        return false;
    }

    /// <summary>Every changed page that heads a block was met as a head by its chunk's tiling; Block shape's hinting-flag rule on every changed page.</summary>
    private bool ChangedPagesHold()
    {
        var nodes = _log.Nodes;
        for (int k = 0; k < nodes.Count; k++)
        {
            int i = nodes[k];
            if (i >= _nrPages)
                continue;
            var f = _zone.Flags(i + _start);
            if ((f & StateFlags) != 0 && _headAt[i] != _generation)
                return false;
            if ((f & HintingFlags) != 0 && (f & PageFlags.Buddy) == 0)
                return false;
        }
        return true;
    }

    private const PageFlags StateFlags = PageFlags.Buddy | PageFlags.Allocated | PageFlags.Held;
    private const PageFlags HintingFlags = PageFlags.Aerated | PageFlags.Reported;
}
