using BuddyModel;

namespace Specs.Oracle;

/// <summary>
/// Pageblock migratetypes and the moves they cause: the zone's SetPageblockMigratetype
/// (set_pageblock_migratetype with move_freepages_block, and isolation of the whole
/// MAX_ORDER-aligned range by set/unset_migratetype_isolate), move_freepages_block and
/// move_to_free_list.
/// </summary>
public sealed partial class ReferenceLists
{
    public void SettingPageblockMigratetype(Zone zone, int pfn, MigrateType mt)
    {
        if (!Begin($"set pageblock of pfn {pfn} to {MigrateTypes.Name(mt)}"))
            return;
        int start = pfn & ~((1 << PageblockOrder) - 1);
        var old = PageblockOf(start);
        if (old == mt)
            return;
        if (mt != MigrateType.Isolate && old != MigrateType.Isolate)
        {
            SetPageblock(start, mt);
            MoveFreepagesBlock(start, mt);
            return;
        }
        int rangeStart = pfn & ~((1 << (MaxOrder - 1)) - 1);
        for (int p = rangeStart; p < rangeStart + (1 << (MaxOrder - 1)); p += 1 << PageblockOrder)
        {
            var before = PageblockOf(p);
            if (mt == MigrateType.Isolate && before != MigrateType.Isolate)
            {
                SetPageblock(p, MigrateType.Isolate); // set_migratetype_isolate()
                MoveFreepagesBlock(p, MigrateType.Isolate);
            }
            else if (mt != MigrateType.Isolate && before == MigrateType.Isolate)
                UnsetIsolate(zone, p, mt);
        }
    }

    /// <summary>
    /// unset_migratetype_isolate(): a free block of pageblock_order or more at the pageblock's
    /// start whose buddy is not isolated is taken off and freed again, as
    /// __putback_isolated_page frees in this era, so that it merges; otherwise the pageblock's
    /// free blocks move back. The pageblock is retyped before the free.
    /// </summary>
    private void UnsetIsolate(Zone zone, int start, MigrateType mt)
    {
        int order = -1;
        if (_free.TryGetValue(start, out var b) && b.Order >= PageblockOrder)
        {
            int buddy = start ^ (1 << b.Order);
            if ((uint)(buddy - StartPfn) < (uint)NrPages && PageblockOf(buddy) != MigrateType.Isolate)
            {
                order = b.Order;
                Remove(start);
            }
        }
        if (order < 0)
            MoveFreepagesBlock(start, mt);
        SetPageblock(start, mt);
        if (order >= 0)
            FreeOnePage(zone, start, order, mt, PutbackFlags);
    }

    /// <summary>
    /// move_freepages_block(): every free block headed in the pageblock of pfn, in pfn order,
    /// moves to free_list[mt] of its order. Returns the pages moved and the allocated heads
    /// in it that were allocated movable.
    /// </summary>
    private (int FreePages, int MovablePages) MoveFreepagesBlock(int pfn, MigrateType mt)
    {
        int start = pfn & ~((1 << PageblockOrder) - 1);
        int freePages = 0, movablePages = 0;
        for (int p = start; p < start + (1 << PageblockOrder); p++)
        {
            if (_free.TryGetValue(p, out var f))
            {
                MoveToList(p, mt);
                freePages += 1 << f.Order;
                p += (1 << f.Order) - 1;
            }
            else if (_allocated.TryGetValue(p, out var a) && a.Mt == MigrateType.Movable)
                movablePages++;
        }
        return (freePages, movablePages);
    }

    /// <summary>move_to_free_list(): to the head of the other list (5.2, 5.7), to its tail (5.10+). The true tail: no design tail.</summary>
    private void MoveToList(int pfn, MigrateType mt)
    {
        int order = _free[pfn].Order;
        Remove(pfn);
        if (Era >= KernelEra.V5_10)
            InsertTrueTail(pfn, order, mt, Rule.MovedTail);
        else
            InsertHead(pfn, order, mt, Rule.MovedHead);
    }
}
