namespace BuddyModel;

/// <summary>The free path: __free_pages() -> free_one_page() -> __free_one_page() (mm/page_alloc.c, 5.2).</summary>
public partial class Zone
{
    /// <summary>
    /// __free_pages(page, order) for a block this zone handed out. Refuses, with a
    /// BadPageException naming the pfn, a double free, a block that is not allocated, a tail
    /// page, a misaligned pfn and a wrong order.
    /// </summary>
    public void Free(int pfn, int order)
    {
        ValidateBlock(pfn, order);
        var f = _flags[pfn - _start];
        if ((f & PageFlags.Buddy) != 0)
            throw new BadPageException(pfn, $"double free: already free (order-{_order[pfn - _start]} block on free_list[{MigrateTypes.Name(_listMt[pfn - _start])}])");
        if ((f & PageFlags.Held) != 0)
            throw new BadPageException(pfn, $"freeing a block that is not allocated: it is held off the free lists (order {_order[pfn - _start]}); put it back instead");
        if ((f & PageFlags.Allocated) == 0)
            throw new BadPageException(pfn, "freeing a block that is not allocated: no allocated block starts here (a tail page, or a page inside a free block)");
        if (_order[pfn - _start] != order)
            throw new BadPageException(pfn, $"freed at order {order} but allocated at order {_order[pfn - _start]}");
        Observer?.Freeing(this, pfn, order);
        _flags[pfn - _start] &= ~PageFlags.Allocated;
        Touch(pfn);
        // free_one_page(): the migratetype is the pageblock's at the time of the free; from 6.10
        // a block over pageblocks of different migratetypes is freed pageblock by pageblock.
        if (Era >= KernelEra.V6_10)
            FreeOnePageMaybeSplit(pfn, order, FreeFlags.None);
        else
            FreeOnePage(pfn, order, GetPageblockMigratetype(pfn), FreeFlags.None);
    }

    /// <summary>
    /// __free_one_page(): merge with free buddies as far as allowed, then place the block at the
    /// head or (merge likely, shuffle, or a caller's ToTail/Hinted) at the tail, then tell the
    /// hinting design.
    /// </summary>
    protected virtual void FreeOnePage(int pfn, int order, MigrateType mt, FreeFlags flags)
    {
        int origOrder = order;
        if (mt != MigrateType.Isolate)
            NrFreePages += 1 << order; // __mod_zone_freepage_state(zone, 1 << order, migratetype)

        // Merging within a pageblock is always allowed; above pageblock_order it must not join
        // an isolated pageblock with a non-isolated one.
        int maxOrder = Math.Min(MaxOrder, PageblockOrder + 1);
        while (true)
        {
            while (order < maxOrder - 1)
            {
                int buddyPfn = pfn ^ (1 << order);
                if (!PageIsBuddy(buddyPfn, order))
                {
                    Reach.Hit(WhyNoMerge(buddyPfn));
                    goto doneMerging;
                }
                DelPageFromFreeArea(buddyPfn, order);
                pfn &= buddyPfn; // combined_pfn
                order++;
            }
            if (maxOrder >= MaxOrder)
            {
                if (PageIsBuddy(pfn ^ (1 << order), order))
                    Reach.Hit(GuardedRule.MergeCappedAtMaxOrder);
                break;
            }
            if (NrIsolatePageblock > 0)
            {
                int buddyPfn = pfn ^ (1 << order);
                var buddyMt = GetPageblockMigratetype(buddyPfn);
                if (mt != buddyMt && (mt == MigrateType.Isolate || buddyMt == MigrateType.Isolate))
                {
                    if (order < MaxOrder - 1 && PageIsBuddy(buddyPfn, order))
                        Reach.Hit(GuardedRule.MergeRefusedByIsolation); // with effect only below the MAX_ORDER-1 cap
                    goto doneMerging;
                }
            }
            maxOrder++;
        }

    doneMerging:
        // A placement rule has an effect only when the list holds a block (head differs from tail).
        bool forced = (flags & (FreeFlags.ToTail | FreeFlags.Hinted)) != 0;
        bool placementMatters = !Lists.IsEmpty(HeadOf(order, mt));
        // 5.10: FPI_TO_TAIL is tested first, so such a free draws no shuffle bit; only 5.10+
        // passes it. v1's aerated free (5.2) is placed after the usual choice was made, so it
        // still draws one (an assumption: the series does not say otherwise).
        bool toTail;
        if ((flags & FreeFlags.ToTail) != 0)
        {
            toTail = true;
            if (placementMatters)
                Reach.Hit(GuardedRule.PlaceTailFpiToTail);
        }
        else if (_shuffle != null && order >= MaxOrder - 1)
        {
            toTail = ShufflePickTail();
            if (toTail && !forced && placementMatters)
                Reach.Hit(GuardedRule.PlaceTailShuffle);
        }
        else
        {
            toTail = BuddyMergeLikely(pfn, order);
            if (!forced && placementMatters)
            {
                if (toTail)
                    Reach.Hit(GuardedRule.PlaceTailMergeLikely);
                else if (order == MaxOrder - 2 && PageIsBuddy(HigherBuddy(pfn, order), order + 1))
                    Reach.Hit(GuardedRule.MergeLikelyCappedBelowMaxOrder);
            }
        }
        if ((flags & FreeFlags.Hinted) != 0)
        {
            if (!toTail && placementMatters)
                Reach.Hit(GuardedRule.PlaceTailHinted);
            toTail = true;
        }

        if (toTail)
            AddToFreeAreaTail(pfn, order, mt);
        else
            AddToFreeArea(pfn, order, mt);

        // The design sees every free with its flags and decides itself whether to notify.
        if (!_hintingOff)
            _hinting.FreeOnePageDone(this, pfn, order, mt, flags, order != origOrder);
    }

    /// <summary>
    /// page_is_buddy(): the buddy is a free head of exactly this order in this zone (the kernel
    /// also refuses a buddy of another zone: page_zone_id; with an aligned zone_start_pfn every
    /// buddy below MAX_ORDER-1 lies in the zone, and the range test stands for that rule).
    /// </summary>
    protected virtual bool PageIsBuddy(int buddyPfn, int order) =>
        SpansPfn(buddyPfn) && (_flags[buddyPfn - _start] & PageFlags.Buddy) != 0 && _order[buddyPfn - _start] == order;

    /// <summary>
    /// buddy_merge_likely(): if the buddy of the next-higher order is free, the block is likely to
    /// coalesce soon, so it goes to the tail where it is less likely to be allocated first.
    /// </summary>
    protected bool BuddyMergeLikely(int pfn, int order)
    {
        if (order >= MaxOrder - 2)
            return false;
        return PageIsBuddy(HigherBuddy(pfn, order), order + 1);
    }

    /// <summary>The buddy, of order + 1, of the block that pfn would form with its buddy.</summary>
    private static int HigherBuddy(int pfn, int order) => (pfn & ~(1 << order)) ^ (1 << (order + 1));

    /// <summary>Which page_is_buddy rule refused the merge with the buddy at buddyPfn (for the reachability counts).</summary>
    private GuardedRule WhyNoMerge(int buddyPfn)
    {
        if (!SpansPfn(buddyPfn))
            return GuardedRule.MergeBuddyOutsideZone;
        var f = _flags[buddyPfn - _start];
        return (f & PageFlags.Buddy) != 0 ? GuardedRule.MergeBuddyOtherOrder
            : (f & PageFlags.Held) != 0 ? GuardedRule.MergeBuddyHeld
            : GuardedRule.MergeBuddyNotFree;
    }

    /// <summary>shuffle_pick_tail(): one random bit from the seeded generator.</summary>
    private bool ShufflePickTail()
    {
        _shuffleDraws++;
        return _shuffle!.Next(2) == 1;
    }

    private long _shuffleDraws; // bits drawn so far: with the seed, the generator's whole state
}
