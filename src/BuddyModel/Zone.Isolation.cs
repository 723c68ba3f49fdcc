namespace BuddyModel;

/// <summary>
/// Taking a free block off the lists for a kernel user and putting it back:
/// __isolate_free_page() and __putback_isolated_page(), plus the plain detach a v1-style
/// hinting design uses. A block taken off is "held": neither free nor allocated.
/// </summary>
public partial class Zone
{
    /// <summary>
    /// __isolate_free_page(): take the free block at pfn (a free head of this order) off its
    /// list, refusing (false) when the zone would drop to its min watermark
    /// (WMARK_MIN + 2^order, order-0 check). A block of at least half a pageblock
    /// (order >= pageblock_order - 1) turns each pageblock it starts or spans MOVABLE unless the
    /// pageblock is ISOLATE (the kernel also spares CMA and HIGHATOMIC, which the model has not).
    /// Same in every era up to 6.x (6.10 moved the retyping into move_freepages_block; not modelled).
    /// From 5.7 on, taking the block off its list clears PG_reported (del_page_from_free_list).
    /// </summary>
    public bool IsolateFreePage(int pfn, int order)
    {
        RequireFreeHead(pfn, order);
        var mt = GetPageblockMigratetype(pfn);
        if (mt != MigrateType.Isolate)
        {
            long watermark = Watermark.Min + (1L << order);
            if (!ZoneWatermarkOk(0, watermark))
            {
                Reach.Hit(GuardedRule.IsolateRefusedByWatermark);
                return false;
            }
            NrFreePages -= 1 << order;
        }
        else
        {
            Reach.Hit(GuardedRule.IsolateFromIsolatedPageblock);
        }
        Observer?.IsolatingFreePage(this, pfn, order);
        DelPageFromFreeArea(pfn, order);
        SetPageOrder(pfn, order, PageFlags.Held);
        if (order >= PageblockOrder - 1)
        {
            for (int p = pfn; p < pfn + (1 << order); p += 1 << PageblockOrder)
            {
                var pageblockMt = GetPageblockMigratetype(p);
                if (pageblockMt == MigrateType.Isolate)
                {
                    Reach.Hit(GuardedRule.IsolateKeepsIsolatedPageblock);
                    continue;
                }
                if (pageblockMt != MigrateType.Movable)
                    Reach.Hit(GuardedRule.IsolateRetypesPageblock);
                SetPageblockMigratetypeRaw(p, MigrateType.Movable);
            }
        }
        return true;
    }

    /// <summary>
    /// __putback_isolated_page(): a kernel user of __isolate_free_page() returns the block to
    /// the list of its pageblock's migratetype. By era:
    /// - 5.2: the ordinary free path, which notifies the hinting design (compaction's
    ///   release_freepages() and unset_migratetype_isolate() return isolated pages with
    ///   __free_pages()).
    /// - 5.7: __free_one_page with report = false (FPI_SKIP_REPORT_NOTIFY): no notification,
    ///   placed by buddy_merge_likely like any free.
    /// - 5.10+: FPI_SKIP_REPORT_NOTIFY | FPI_TO_TAIL: always at the tail.
    /// </summary>
    public void PutbackIsolatedPage(int pfn, int order)
    {
        ValidateBlock(pfn, order);
        RequireHeld(pfn, order);
        Observer?.PuttingBackIsolatedPage(this, pfn, order);
        FreeHeldBlock(pfn, order, GetPageblockMigratetype(pfn), PutbackFlags);
    }

    /// <summary>The fpi flags of __putback_isolated_page in this zone's era.</summary>
    public FreeFlags PutbackFlags => Era switch
    {
        KernelEra.V5_2 => FreeFlags.None,
        KernelEra.V5_7 => FreeFlags.SkipNotify,
        _ => FreeFlags.SkipNotify | FreeFlags.ToTail,
    };

    /// <summary>
    /// For hinting designs (v1 get_aeration_page): take the free block at pfn off its list and
    /// out of NR_FREE_PAGES with no watermark check. The block becomes held. As in v1,
    /// __mod_zone_freepage_state(zone, -(1 << order), mt) is applied whatever the list, ISOLATE
    /// included (the kernel's helper has no isolate test, unlike the free path).
    /// </summary>
    public void DetachFreeBlock(int pfn, int order)
    {
        RequireFreeHead(pfn, order);
        Observer?.DetachingFreeBlock(this, pfn, order);
        NrFreePages -= 1 << order;
        DelPageFromFreeArea(pfn, order);
        SetPageOrder(pfn, order, PageFlags.Held);
    }

    /// <summary>
    /// Free a held block through __free_one_page with the given migratetype and flags
    /// (v1 drain: the recorded migratetype and Hinted).
    /// </summary>
    public void PutbackHeldBlock(int pfn, int order, MigrateType mt, FreeFlags flags)
    {
        ValidateBlock(pfn, order);
        RequireHeld(pfn, order);
        if ((uint)mt >= MigrateTypes.Count)
            throw new BadPageException(pfn, $"migratetype {(int)mt} out of range");
        Observer?.PuttingBackHeldBlock(this, pfn, order, mt, flags);
        FreeHeldBlock(pfn, order, mt, flags);
    }

    private void FreeHeldBlock(int pfn, int order, MigrateType mt, FreeFlags flags)
    {
        _flags[pfn - _start] &= ~PageFlags.Held;
        Touch(pfn);
        FreeOnePage(pfn, order, mt, flags);
    }

    private void RequireHeld(int pfn, int order)
    {
        if ((_flags[pfn - _start] & PageFlags.Held) == 0)
            throw new BadPageException(pfn, $"putting back a block that is not held: {Describe(pfn)}");
        if (_order[pfn - _start] != order)
            throw new BadPageException(pfn, $"put back at order {order} but held at order {_order[pfn - _start]}");
    }

    /// <summary>
    /// list_rotate_to_front(&amp;page->lru, list) on a free list (page_reporting_cycle): the free
    /// block at pfn becomes the first of free_list[mt] of its order, the blocks before it move,
    /// in order, to the tail.
    /// </summary>
    public void RotateFreeListToFront(int pfn, int order, MigrateType mt)
    {
        RequireFreeHead(pfn, order);
        if (_listMt[pfn - _start] != mt)
            throw new BadPageException(pfn, $"not on free_list[{MigrateTypes.Name(mt)}]: {Describe(pfn)}");
        Observer?.RotatingToFront(this, pfn, order, mt);
        Lists.RotateToFront(pfn, HeadOf(order, mt));
    }

    private void RequireFreeHead(int pfn, int order)
    {
        ValidateBlock(pfn, order);
        if (!PageBuddy(pfn))
            throw new BadPageException(pfn, $"not a free block: {Describe(pfn)}");
        if (_order[pfn - _start] != order)
            throw new BadPageException(pfn, $"free block has order {_order[pfn - _start]}, not {order}");
    }
}
