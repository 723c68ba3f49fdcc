namespace BuddyModel;

/// <summary>The free_area list primitives of include/linux/mmzone.h, with the hinting hooks of the v1 series.</summary>
public partial class Zone
{
    /// <summary>add_to_free_area(): link a free block at the head of free_list[mt].</summary>
    protected virtual void AddToFreeArea(int pfn, int order, MigrateType mt)
    {
        SetPageOrder(pfn, order, PageFlags.Buddy);
        _listMt[pfn - _start] = mt;
        Touch(pfn);
        Lists.Add(pfn, HeadOf(order, mt));
        _nrFree[order]++;
    }

    /// <summary>
    /// add_to_free_area_tail(): link a free block at the "tail" of free_list[mt]; the hinting
    /// design decides where the tail is (v1: just above the boundary while aeration is active).
    /// </summary>
    protected virtual void AddToFreeAreaTail(int pfn, int order, MigrateType mt)
    {
        SetPageOrder(pfn, order, PageFlags.Buddy);
        _listMt[pfn - _start] = mt;
        Touch(pfn);
        int head = HeadOf(order, mt);
        int tail = _hintingOff ? head : _hinting.GetTail(this, order, mt);
        if (tail != head)
            Reach.Hit(GuardedRule.AeratorTailAtBoundary); // v1 aerator_get_tail: in above the aerated blocks
        Lists.AddTail(pfn, tail);
        _nrFree[order]++;
    }

    /// <summary>
    /// del_page_from_free_area() (5.2) / del_page_from_free_list() (5.7+): unlink a free block
    /// and clear PageBuddy; from 5.7 on also PG_reported (the kernel's "clear reported state").
    /// The hinting design is told first, while the block is still linked (v1 moves the boundary
    /// to the next node here).
    /// </summary>
    protected virtual void DelPageFromFreeArea(int pfn, int order)
    {
        if (!_hintingOff)
            _hinting.DelFromFreeList(this, pfn, order, _listMt[pfn - _start]);
        Lists.Del(pfn);
        if ((_flags[pfn - _start] & ~_keptOnDel & PageFlags.Reported) != 0)
            Reach.Hit(GuardedRule.DelClearsReported);
        Touch(pfn);
        _flags[pfn - _start] &= _keptOnDel; // __ClearPageBuddy; 5.2: a hinting flag is the design's to clear; 5.7+: PG_reported goes
        _nrFree[order]--;
    }

    /// <summary>
    /// move_to_free_area() (5.2) / move_to_free_list() (5.7+): move a free block to another
    /// migratetype's list, at the head (5.2, 5.7) or the tail (5.10+). The block's flags,
    /// PG_reported included, stay: a reported block may sit on any list, ISOLATE too.
    /// </summary>
    protected virtual void MoveToFreeArea(int pfn, int order, MigrateType mt)
    {
        if (!_hintingOff)
            _hinting.DelFromFreeList(this, pfn, order, _listMt[pfn - _start]);
        if (_moveToTail)
        {
            if (!Lists.IsEmpty(HeadOf(order, mt)))
                Reach.Hit(GuardedRule.MoveToTail);
            Lists.MoveTail(pfn, HeadOf(order, mt));
        }
        else
            Lists.Move(pfn, HeadOf(order, mt));
        _listMt[pfn - _start] = mt;
        Touch(pfn);
    }
}
