namespace BuddyModel;

/// <summary>The allocation path: rmqueue() -> __rmqueue() (mm/page_alloc.c, 5.2), without per-cpu lists.</summary>
public partial class Zone
{
    /// <summary>
    /// Allocate a block of 2^order pages of migratetype mt: __rmqueue_smallest, and when that
    /// finds nothing, __rmqueue_fallback and retry. Returns the head pfn, or -1 when no block
    /// can be had. Watermarks are not checked here: that is the caller's (get_page_from_freelist)
    /// business; see ZoneWatermarkOk.
    /// </summary>
    public int Allocate(int order, MigrateType mt)
    {
        ValidateOrder(order);
        if ((int)mt >= MigrateTypes.PcpTypes)
            throw new BadPageException(-1, $"cannot allocate migratetype {MigrateTypes.Name(mt)}: only Unmovable, Movable and Reclaimable are requested");
        int pfn;
        while ((pfn = RmqueueSmallest(order, mt)) < 0)
        {
            if (!RmqueueFallback(order, mt))
            {
                Reach.Hit(GuardedRule.AllocFallbackFindsNothing);
                Observer?.Allocated(this, order, mt, -1);
                return -1;
            }
            Reach.Hit(GuardedRule.AllocFallbackSteals);
        }
        SetPageOrder(pfn, order, PageFlags.Allocated);
        _listMt[pfn - _start] = mt; // set_pcppage_migratetype
        Touch(pfn);
        NrFreePages -= 1 << order;
        Observer?.Allocated(this, order, mt, pfn);
        return pfn;
    }

    /// <summary>
    /// __rmqueue_smallest(): the first block of the smallest order >= order on free_list[mt],
    /// taken from the head and split down by expand().
    /// </summary>
    protected int RmqueueSmallest(int order, MigrateType mt)
    {
        for (int currentOrder = order; currentOrder < MaxOrder; currentOrder++)
        {
            int head = HeadOf(currentOrder, mt);
            int pfn = Lists.Next(head);
            if (pfn == head)
                continue;
            if (currentOrder > order)
                Reach.Hit(GuardedRule.AllocSplitLargerBlock);
            DelPageFromFreeArea(pfn, currentOrder);
            Expand(pfn, order, currentOrder, mt);
            return pfn;
        }
        return -1;
    }

    /// <summary>
    /// expand(): split a block of order high down to order low, putting each unused upper half
    /// at the head of free_list[mt] of its order.
    /// </summary>
    protected virtual void Expand(int pfn, int low, int high, MigrateType mt)
    {
        int size = 1 << high;
        while (high > low)
        {
            high--;
            size >>= 1;
            AddToFreeArea(pfn + size, high, mt);
            if (!_hintingOff)
                _hinting.AddedByExpand(this, pfn + size, high, mt);
        }
    }

    /// <summary>
    /// __rmqueue_fallback(): steal the largest block of a fallback migratetype (or, for a movable
    /// request that may not steal the whole pageblock, the smallest), and move it, possibly with
    /// its whole pageblock, to the requested type's list. Returns whether anything was moved.
    /// </summary>
    protected bool RmqueueFallback(int order, MigrateType startMt)
    {
        int currentOrder;
        int fallbackMt = -1;
        bool canSteal = false;
        for (currentOrder = MaxOrder - 1; currentOrder >= order; currentOrder--)
        {
            fallbackMt = FindSuitableFallback(currentOrder, startMt, onlyStealable: false, out canSteal);
            if (fallbackMt < 0)
                continue;
            // A movable request that cannot steal the pageblock takes the smallest block instead,
            // to avoid fragmenting other types' pageblocks.
            if (!canSteal && startMt == MigrateType.Movable && currentOrder > order)
                goto findSmallest;
            goto doSteal;
        }
        return false;

    findSmallest:
        int largest = currentOrder;
        for (currentOrder = order; currentOrder < MaxOrder; currentOrder++)
        {
            fallbackMt = FindSuitableFallback(currentOrder, startMt, onlyStealable: false, out canSteal);
            if (fallbackMt >= 0)
                break;
        }
        if (currentOrder < largest)
            Reach.Hit(GuardedRule.FallbackMovableTakesSmallest);

    doSteal:
        int pfn = Lists.Next(HeadOf(currentOrder, (MigrateType)fallbackMt));
        StealSuitableFallback(pfn, currentOrder, startMt, canSteal);
        return true;
    }

    /// <summary>find_suitable_fallback(): the first non-empty fallback list of this order, or -1.</summary>
    protected int FindSuitableFallback(int order, MigrateType mt, bool onlyStealable, out bool canSteal)
    {
        canSteal = false;
        if (_nrFree[order] == 0)
            return -1;
        foreach (var fallbackMt in MigrateTypes.Fallbacks(mt))
        {
            if (Lists.IsEmpty(HeadOf(order, fallbackMt)))
                continue;
            if (CanStealFallback(order, mt))
                canSteal = true;
            if (!onlyStealable || canSteal)
                return (int)fallbackMt;
        }
        return -1;
    }

    /// <summary>can_steal_fallback(): whether the whole pageblock may be claimed.</summary>
    protected bool CanStealFallback(int order, MigrateType startMt) =>
        order >= PageblockOrder
        || order >= PageblockOrder / 2
        || startMt == MigrateType.Reclaimable
        || startMt == MigrateType.Unmovable;

    /// <summary>
    /// steal_suitable_fallback(): claim the pageblock(s) for startType when the block spans them
    /// or when enough of the pageblock is free or alike; otherwise move just this block.
    /// </summary>
    protected virtual void StealSuitableFallback(int pfn, int currentOrder, MigrateType startType, bool wholeBlock)
    {
        var oldBlockType = GetPageblockMigratetype(pfn);
        if (currentOrder >= PageblockOrder)
        {
            Reach.Hit(GuardedRule.StealPageblockRange);
            ChangePageblockRange(pfn, currentOrder, startType);
        }
        else if (wholeBlock)
        {
            int freePages = MoveFreepagesBlock(pfn, startType, out int movablePages);
            int alikePages = startType == MigrateType.Movable ? movablePages
                : oldBlockType == MigrateType.Movable ? (1 << PageblockOrder) - (freePages + movablePages)
                : 0;
            if (freePages > 0)
            {
                bool claim = freePages + alikePages >= 1 << (PageblockOrder - 1);
                if (oldBlockType != startType)
                    Reach.Hit(claim ? GuardedRule.StealClaimsPageblock : GuardedRule.StealPageblockNotClaimed);
                if (claim)
                    SetPageblockMigratetypeRaw(pfn, startType);
                return;
            }
            Reach.Hit(GuardedRule.StealMovedNothing);
        }
        else
        {
            Reach.Hit(GuardedRule.StealSingleBlock);
        }
        MoveToFreeArea(pfn, currentOrder, startType); // single_page
    }

    /// <summary>change_pageblock_range(): set the migratetype of every pageblock of a block of order >= pageblock_order.</summary>
    private void ChangePageblockRange(int pfn, int order, MigrateType mt)
    {
        int nrPageblocks = 1 << (order - PageblockOrder);
        for (int i = 0; i < nrPageblocks; i++)
            SetPageblockMigratetypeRaw(pfn + (i << PageblockOrder), mt);
    }
}
