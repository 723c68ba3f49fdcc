using BuddyModel;

namespace Specs.Oracle;

/// <summary>
/// Pageblock migratetypes and the moves they cause: the zone's SetPageblockMigratetype
/// (set_pageblock_migratetype with move_freepages_block, and isolation of the whole
/// MAX_ORDER-aligned range by set/unset_migratetype_isolate), the isolation walk's steps (one
/// pageblock's set or unset, split_free_page), move_freepages_block and move_to_free_list.
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
                Isolate(zone, p);
            else if (mt != MigrateType.Isolate && before == MigrateType.Isolate)
                UnsetIsolate(zone, p, mt);
        }
    }

    public void IsolatingPageblock(Zone zone, int pfn)
    {
        if (!Begin($"set_migratetype_isolate(pfn {pfn})"))
            return;
        WalkSteps++;
        if (PageblockOf(pfn) == MigrateType.Isolate)
        {
            Fail($"the pageblock of pfn {pfn} not isolated yet when set_migratetype_isolate() takes it", "it is Isolate in the reference", null, MigrateType.Isolate, pfn);
            return;
        }
        Isolate(zone, pfn);
    }

    public void UnisolatingPageblock(Zone zone, int pfn, MigrateType mt)
    {
        if (!Begin($"unset_migratetype_isolate(pfn {pfn}, {MigrateTypes.Name(mt)})"))
            return;
        WalkSteps++;
        if (PageblockOf(pfn) != MigrateType.Isolate)
        {
            Fail($"the pageblock of pfn {pfn} isolated when unset_migratetype_isolate() gives it back", $"it is {MigrateTypes.Name(PageblockOf(pfn))} in the reference", null, PageblockOf(pfn), pfn);
            return;
        }
        UnsetIsolate(zone, pfn & ~((1 << PageblockOrder) - 1), mt);
    }

    /// <summary>
    /// split_free_page() (6.0): the free block at pfn leaves its list, and its pages are freed
    /// again in pieces that end exactly at pfn + offset and at the block's end. Each piece is
    /// the largest power of two that is aligned at its first pfn and fits in what is left of
    /// the current part; each is freed (and may merge) by its own pageblock's type.
    /// </summary>
    public void SplittingFreePage(Zone zone, int pfn, int order, int offset)
    {
        if (!Begin($"split_free_page(pfn {pfn}, order {order}, offset {offset})"))
            return;
        WalkSteps++;
        if (!IsFreeHead(pfn, order))
        {
            Fail($"a free order-{order} block at pfn {pfn} for split_free_page()", $"the reference has {WhatIs(pfn)}", order, null, pfn);
            return;
        }
        Remove(pfn);
        int end = pfn + (1 << order);
        int p = pfn;
        foreach (int partEnd in new[] { pfn + offset, end })
        {
            while (p < partEnd)
            {
                int k = order;
                while ((p % (1 << k)) != 0 || p + (1 << k) > partEnd)
                    k--;
                FreeOnePage(zone, p, k, PageblockOf(p), FreeFlags.None);
                p += 1 << k;
            }
        }
    }

    /// <summary>
    /// set_migratetype_isolate() of the pageblock at pfn once its checks passed. Up to 6.0:
    /// retype it and move the free blocks headed in it (a larger block headed here takes its
    /// other pageblocks along; one headed before it stays). 6.10 (move_freepages_block_isolate):
    /// a free block larger than a pageblock that covers this one leaves its list, the pageblock
    /// is retyped, and the block is freed again split by pageblock.
    /// </summary>
    private void Isolate(Zone zone, int pfn)
    {
        int start = pfn & ~((1 << PageblockOrder) - 1);
        if (SplitLargerFreeBlock(zone, start, MigrateType.Isolate))
            return;
        SetPageblock(start, MigrateType.Isolate);
        MoveFreepagesBlock(start, MigrateType.Isolate);
    }

    /// <summary>
    /// 6.10's move_freepages_block_isolate() split: a free block larger than a pageblock that
    /// covers the pageblock at start leaves its list, the pageblock becomes mt, and the block
    /// is freed again split by pageblock. False (nothing done) before 6.10 or with no such block.
    /// </summary>
    private bool SplitLargerFreeBlock(Zone zone, int start, MigrateType mt)
    {
        if (Era < KernelEra.V6_10 || LargerFreeBlockCovering(start) is not int head)
            return false;
        int order = _free[head].Order;
        Remove(head);
        SetPageblock(start, mt);
        FreeSplitByPageblock(zone, head, order);
        return true;
    }

    /// <summary>The head of a free block of order above pageblock_order whose pages include pfn, or null.</summary>
    private int? LargerFreeBlockCovering(int pfn)
    {
        foreach (var (head, b) in _free)
            if (b.Order > PageblockOrder && head <= pfn && pfn < head + (1 << b.Order))
                return head;
        return null;
    }

    /// <summary>
    /// unset_migratetype_isolate(): a free block of pageblock_order or more at the pageblock's
    /// start whose buddy is not isolated (and, from 5.11, era 6.0 here, that is below
    /// MAX_ORDER-1: such a block has no buddy to merge with) is taken off and freed again, as
    /// __putback_isolated_page frees in this era, so that it merges; otherwise 6.10 splits a
    /// larger free block that covers the pageblock, as set_migratetype_isolate() does, and
    /// every other era moves the pageblock's free blocks back. The pageblock is retyped before
    /// the free, after the move.
    /// </summary>
    private void UnsetIsolate(Zone zone, int start, MigrateType mt)
    {
        if (_free.TryGetValue(start, out var b) && b.Order >= PageblockOrder && (Era < KernelEra.V6_0 || b.Order < MaxOrder - 1))
        {
            int buddy = start ^ (1 << b.Order);
            if ((uint)(buddy - StartPfn) < (uint)NrPages && PageblockOf(buddy) != MigrateType.Isolate)
            {
                Remove(start);
                SetPageblock(start, mt);
                FreeOnePage(zone, start, b.Order, mt, PutbackFlags);
                return;
            }
        }
        if (SplitLargerFreeBlock(zone, start, mt))
            return;
        MoveFreepagesBlock(start, mt);
        SetPageblock(start, mt);
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
