using BuddyModel;

namespace Specs.Incremental;

/// <summary>The block part of the incremental buddy check: the changed chunks tiled again, and the per-page rules on changed pages.</summary>
public sealed partial class ZoneDelta
{
    private bool ChunksHold()
    {
        for (int k = 0; k < _chunks.Count; k++)
            if (!TileChunk(_chunks[k]))
                return false;
        return true;
    }

    /// <summary>
    /// Exclusive location's tiling over one chunk, strict (aligned heads inside the chunk), with
    /// Block shape's pageblock rule and Maximal merging's rule for every free head met. A
    /// head's tails are scanned when the head changed; an unchanged head keeps its order, and
    /// a tail of it that changed is a changed page, which ChangedPagesHold requires to be met
    /// as a head here (so it cannot hide in a tail).
    /// </summary>
    private bool TileChunk(int chunk)
    {
        int start = _start + (chunk << _chunkOrder);
        int end = Math.Min(start + (1 << _chunkOrder), _zone.EndPfn);
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
