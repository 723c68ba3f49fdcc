using BuddyModel;

namespace Specs.Incremental;

/// <summary>The list part of the incremental buddy check: the walks of the touched lists, the nodes they must reach, the counters.</summary>
public sealed partial class ZoneDelta
{
    /// <summary>
    /// Every node that must be reached is either on no list and no free head (nothing to find),
    /// or a free head with list links: its list, by its recorded order and migratetype, is
    /// walked. A free head without links or a linked page that is no free head breaks the strict
    /// shape: false (the full check decides whether it is a violation).
    /// </summary>
    private bool LabelsKnown()
    {
        var lists = _zone.Lists;
        for (int k = 0; k < _mustReach.Count; k++)
        {
            int pfn = _mustReach[k] + _start;
            bool buddy = _zone.PageBuddy(pfn);
            bool linked = lists.Next(pfn) != FreeListNodes.Poison || lists.Prev(pfn) != FreeListNodes.Poison;
            if (!buddy && !linked)
                continue;
            if (buddy != linked)
                return false;
            int order = _zone.PageOrder(pfn);
            var mt = _zone.BlockMigratetype(pfn);
            if (order >= _zone.MaxOrder || (uint)mt >= MigrateTypes.Count)
                return false;
            _touchedLists.Mark(order * MigrateTypes.Count + (int)mt);
        }
        return true;
    }

    /// <summary>Walk every touched list with Exclusive location's and Counters match contents' per-node tests; then every node that must be reached was.</summary>
    private bool ListsHold()
    {
        for (int k = 0; k < _touchedLists.Count; k++)
            if (!WalkList(_touchedLists[k]))
                return false;
        var lists = _zone.Lists;
        for (int k = 0; k < _mustReach.Count; k++)
        {
            int i = _mustReach[k];
            int pfn = i + _start;
            bool listedOrFree = _zone.PageBuddy(pfn) || lists.Next(pfn) != FreeListNodes.Poison || lists.Prev(pfn) != FreeListNodes.Poison;
            if (listedOrFree && _reached[i] != _generation)
                return false;
        }
        return true;
    }

    private bool WalkList(int li)
    {
        int order = li / MigrateTypes.Count;
        var mt = (MigrateType)(li % MigrateTypes.Count);
        var lists = _zone.Lists;
        int nodeCount = lists.Count;
        int head = _zone.ListHead(order, mt);
        int prev = head;
        int n = lists.Next(head);
        int count = 0, aerated = 0;
        while (true)
        {
            if (!lists.IsNode(n) || lists.Prev(n) != prev)
                return false;
            if (n == head)
                break;
            if (_zone.IsListHead(n))
                return false;
            int i = n - _start;
            if (_reached[i] == _generation || ++count > nodeCount)
                return false;
            _reached[i] = _generation;
            var f = _zone.Flags(n);
            if ((f & PageFlags.Buddy) == 0 || _zone.PageOrder(n) != order || _zone.BlockMigratetype(n) != mt)
                return false;
            if ((f & PageFlags.Aerated) != 0)
                aerated++;
            prev = n;
            n = lists.Next(n);
        }
        _newLength[li] = count;
        _newAerated[li] = aerated;
        return true;
    }

    /// <summary>
    /// nr_free of every order and NR_FREE_PAGES against the list lengths: the verified sums
    /// (kept per order) moved by what the walked lists gained or lost.
    /// </summary>
    private bool CountersHold()
    {
        int maxOrder = _zone.MaxOrder;
        Span<int> blocks = stackalloc int[maxOrder];
        _orderBlocks.AsSpan().CopyTo(blocks);
        long pages = _allocatablePages;
        for (int k = 0; k < _touchedLists.Count; k++)
        {
            int li = _touchedLists[k];
            int order = li / MigrateTypes.Count;
            int delta = _newLength[li] - _length[li];
            blocks[order] += delta;
            if ((MigrateType)(li % MigrateTypes.Count) != MigrateType.Isolate)
                pages += (long)delta << order;
        }
        for (int order = 0; order < maxOrder; order++)
            if (blocks[order] != _zone.NrFree(order))
                return false;
        return pages == _zone.NrFreePages;
    }
}
