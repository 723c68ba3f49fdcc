namespace BuddyModel;

/// <summary>
/// The per-pageblock steps of mm/page_isolation.c, each one zone->lock hold in the kernel:
/// set_migratetype_isolate() with has_unmovable_pages(), unset_migratetype_isolate(), and the
/// splitting of a free block that straddles pageblocks: split_free_page() (5.19/6.0, its own
/// lock hold) or, from 6.10, move_freepages_block_isolate() with __free_one_page_maybe_split()
/// inside the same hold. PageIsolationWalk strings the steps together as
/// start_isolate_page_range() and undo_isolate_page_range() do. The caller holds Lock.
/// </summary>
public partial class Zone
{
    /// <summary>EBUSY, returned negated as the kernel does.</summary>
    public const int Ebusy = 16;

    /// <summary>ENOENT, returned negated as the kernel does.</summary>
    public const int Enoent = 2;

    /// <summary>The pfn of the first page of the pageblock containing pfn.</summary>
    public int PageblockStart(int pfn) => CheckPfn(pfn) & ~((1 << PageblockOrder) - 1);

    /// <summary>
    /// set_migratetype_isolate(): refuse (-EBUSY) a pageblock that is isolated already ("someone
    /// else must have raced") or holds an unmovable page in [checkStart, checkEnd) (5.2 checks
    /// the whole pageblock: pass its bounds; 6.0 the part of the caller's range inside it);
    /// otherwise mark it ISOLATE, move its free pages to the ISOLATE lists and take them out of
    /// NR_FREE_PAGES (6.10: splitting a larger free block that contains it). Returns 0.
    /// </summary>
    public int SetMigratetypeIsolate(int pfn, int checkStart, int checkEnd)
    {
        int start = PageblockStart(pfn);
        if (GetPageblockMigratetype(start) == MigrateType.Isolate)
            return -Ebusy;
        int from = Math.Max(start, checkStart);
        int to = Math.Min(start + (1 << PageblockOrder), checkEnd);
        if (HasUnmovablePages(from, to) >= 0)
            return -Ebusy;
        Observer?.IsolatingPageblock(this, start);
        IsolatePageblock(start);
        return 0;
    }

    /// <summary>
    /// has_unmovable_pages() over [from, to): the first pfn of an allocated block that is not
    /// movable, or -1. Free pages and pages with no reference (tails, blocks held off the lists)
    /// are skipped, as the kernel skips page_ref_count() == 0. Model simplification: an
    /// allocated block is movable exactly when it was allocated MOVABLE (the kernel asks
    /// PageLRU / __PageMovable); no reserved, hugetlb or CMA pages.
    /// </summary>
    public int HasUnmovablePages(int from, int to)
    {
        for (int p = Math.Max(StartPfn, from); p < Math.Min(to, EndPfn); p++)
        {
            var f = _flags[p - _start];
            if ((f & PageFlags.Buddy) != 0)
                p += (1 << _order[p - _start]) - 1;
            else if ((f & PageFlags.Allocated) != 0 && _listMt[p - _start] != MigrateType.Movable)
                return p;
        }
        return -1;
    }

    /// <summary>
    /// The work of set_migratetype_isolate() once its checks passed (also the one-step
    /// isolation of SetPageblockMigratetype). Up to 6.0: set_pageblock_migratetype() and
    /// move_freepages_block(), which moves only the free blocks whose head lies in the
    /// pageblock, whole, so a larger block headed here takes its other pageblocks to ISOLATE
    /// with it and a larger block headed in an earlier pageblock stays where it is (6.0 splits
    /// it afterwards, in a lock hold of its own). 6.10: move_freepages_block_isolate() splits a
    /// free block larger than a pageblock that contains this one, here and now.
    /// </summary>
    protected virtual void IsolatePageblock(int start)
    {
        NrIsolatePageblock++;
        if (Era >= KernelEra.V6_10 && SplitLargeBuddyContaining(start, MigrateType.Isolate))
            return;
        SetPageblockMigratetypeRaw(start, MigrateType.Isolate);
        NrFreePages -= MoveFreepagesBlock(start, MigrateType.Isolate, out _);
    }

    /// <summary>
    /// unset_migratetype_isolate(): a no-op unless the pageblock is ISOLATE. A free block of at
    /// least pageblock_order headed here whose buddy is not isolated is taken off
    /// (__isolate_free_page on an ISOLATE block: no watermark, no count) and freed again so
    /// that it merges (5.2: __free_pages(), which also notifies a hinting design; 5.7+:
    /// __putback_isolated_page(); 5.10+: to the tail). From 5.11 (era 6.0 here) a MAX_ORDER-1
    /// block is never taken that way (it has no buddy to merge with). A block whose buddy lies
    /// outside the zone is moved back instead. Otherwise the free blocks are moved back to mt
    /// and counted again (6.10: move_freepages_block_isolate(), splitting a larger block).
    /// </summary>
    public void UnsetMigratetypeIsolate(int pfn, MigrateType mt)
    {
        int start = PageblockStart(pfn);
        if (GetPageblockMigratetype(start) != MigrateType.Isolate)
            return;
        Observer?.UnisolatingPageblock(this, start, mt);
        UnisolatePageblock(start, mt);
    }

    /// <summary>The work of unset_migratetype_isolate() on the isolated pageblock at start (also the one-step undo of SetPageblockMigratetype).</summary>
    protected void UnisolatePageblock(int start, MigrateType mt)
    {
        int isolatedOrder = -1;
        int order = _order[start - _start];
        bool mayRefree = PageBuddy(start) && order >= PageblockOrder && (Era < KernelEra.V6_0 || order < MaxOrder - 1);
        if (mayRefree)
        {
            int buddyPfn = start ^ (1 << order);
            if (SpansPfn(buddyPfn) && GetPageblockMigratetype(buddyPfn) != MigrateType.Isolate)
            {
                isolatedOrder = order;
                DelPageFromFreeArea(start, isolatedOrder);
            }
        }
        NrIsolatePageblock--;
        if (isolatedOrder >= 0)
        {
            SetPageblockMigratetypeRaw(start, mt);
            FreeOnePage(start, isolatedOrder, mt, PutbackFlags); // 5.2: __free_pages(); 5.7+: __putback_isolated_page()
            if (!PageBuddy(start) || _order[start - _start] != isolatedOrder)
                Reach.Hit(GuardedRule.UnisolateFreesToMerge);
            return;
        }
        if (Era >= KernelEra.V6_10 && SplitLargeBuddyContaining(start, mt))
            return;
        NrFreePages += MoveFreepagesBlock(start, mt, out _);
        SetPageblockMigratetypeRaw(start, mt);
    }

    /// <summary>
    /// split_free_page() (5.19/6.0): under its own zone->lock hold, split the free block at pfn
    /// of this order at pfn + splitPfnOffset, freeing each piece through __free_one_page with
    /// its own pageblock's migratetype (FPI_NONE, so a hinting design is notified). Pieces take
    /// the largest order that both the pfn's alignment and the remaining offset allow. Returns
    /// -ENOENT when the block changed since the unlocked scan saw it (no longer free, or of
    /// another order), 0 otherwise. NR_FREE_PAGES loses the block by its head's pageblock
    /// migratetype, as the kernel's __mod_zone_freepage_state does, and regains each piece by
    /// its own.
    /// </summary>
    public int SplitFreePage(int pfn, int order, int splitPfnOffset)
    {
        ValidateBlock(pfn, order);
        if (splitPfnOffset == 0)
            return 0;
        if (!PageBuddy(pfn) || _order[pfn - _start] != order)
            return -Enoent;
        Observer?.SplittingFreePage(this, pfn, order, splitPfnOffset);
        if (GetPageblockMigratetype(pfn) != MigrateType.Isolate)
            NrFreePages -= 1 << order;
        DelPageFromFreeArea(pfn, order);
        int end = pfn + (1 << order);
        int offset = splitPfnOffset;
        for (int p = pfn; p < end;)
        {
            int alignOrder = p == 0 ? order : System.Numerics.BitOperations.TrailingZeroCount(p);
            int pieceOrder = Math.Min(alignOrder, System.Numerics.BitOperations.Log2((uint)offset));
            FreeOnePage(p, pieceOrder, GetPageblockMigratetype(p), FreeFlags.None);
            p += 1 << pieceOrder;
            offset -= 1 << pieceOrder;
            if (offset == 0)
                offset = end - p; // the first part is done: now the second
        }
        return 0;
    }

    /// <summary>
    /// move_freepages_block_isolate()'s split (6.10): when a free block larger than a pageblock
    /// contains the pageblock at start (headed here, or an earlier head straddling it:
    /// find_large_buddy), take it off its list and out of the count of its list, set the
    /// pageblock to mt, and free it again by pageblocks (__free_one_page_maybe_split). Returns
    /// whether there was such a block; the caller moves the pageblock's blocks otherwise.
    /// </summary>
    private bool SplitLargeBuddyContaining(int start, MigrateType mt)
    {
        if (PageblockOrder >= MaxOrder - 1)
            return false; // "No splits needed if buddies can't span multiple blocks"
        int head = FindLargeBuddy(start);
        if (head < 0)
            return false;
        int order = _order[head - _start];
        if (_listMt[head - _start] != MigrateType.Isolate)
            NrFreePages -= 1 << order;
        DelPageFromFreeArea(head, order);
        SetPageblockMigratetypeRaw(start, mt);
        FreeOnePageMaybeSplit(head, order, FreeFlags.None);
        return true;
    }

    /// <summary>The head of a free block of order above pageblock_order that contains pfn, or -1 (find_large_buddy plus the "starting block" case).</summary>
    private int FindLargeBuddy(int pfn)
    {
        for (int order = PageblockOrder + 1; order < MaxOrder; order++)
        {
            int head = pfn & ~((1 << order) - 1);
            if ((_flags[head - _start] & PageFlags.Buddy) != 0 && _order[head - _start] == order)
                return head;
        }
        return -1;
    }

    /// <summary>
    /// __free_one_page_maybe_split() (6.10+ free_one_page and isolation): a block larger than a
    /// pageblock whose pageblocks differ in migratetype is freed pageblock by pageblock, each
    /// piece to its own pageblock's list; any other block whole, by its head's pageblock.
    /// (6.10 to 6.12 always freed by pageblocks, split_large_buddy(); the pieces merge back
    /// when their types agree, so the lists end the same up to order and notifications.)
    /// </summary>
    protected virtual void FreeOnePageMaybeSplit(int pfn, int order, FreeFlags flags)
    {
        var mt = GetPageblockMigratetype(pfn);
        int end = pfn + (1 << order);
        bool equal = true;
        for (int p = pfn + (1 << PageblockOrder); p < end && equal; p += 1 << PageblockOrder)
            equal = GetPageblockMigratetype(p) == mt;
        if (order <= PageblockOrder || equal)
        {
            FreeOnePage(pfn, order, mt, flags);
            return;
        }
        for (int p = pfn; p < end; p += 1 << PageblockOrder)
            FreeOnePage(p, PageblockOrder, GetPageblockMigratetype(p), flags);
    }

    private readonly List<PageIsolationWalk> _walks = new();

    /// <summary>
    /// The isolation walks under way on this zone (model bookkeeping, not kernel state): the
    /// specification reads it to know which pageblocks are being converted, where the kernel's
    /// free lists are allowed to disagree with the pageblock bits for a while.
    /// </summary>
    public IReadOnlyList<PageIsolationWalk> IsolationWalks => _walks;

    /// <summary>The walk under way whose range holds pfn, or null.</summary>
    public PageIsolationWalk? IsolationWalkAt(int pfn)
    {
        foreach (var w in _walks)
            if (pfn >= w.StartPfn && pfn < w.EndPfn)
                return w;
        return null;
    }

    internal void RegisterIsolationWalk(PageIsolationWalk walk)
    {
        _walks.Add(walk);
        TouchWalkRange(walk);
    }

    internal void UnregisterIsolationWalk(PageIsolationWalk walk)
    {
        _walks.Remove(walk);
        TouchWalkRange(walk);
    }

    /// <summary>A walk's range changes what Block shape allows there (InTransition): record its pageblocks as changed.</summary>
    private void TouchWalkRange(PageIsolationWalk walk)
    {
        if (_changes is not { } log)
            return;
        for (int p = Math.Max(walk.StartPfn, StartPfn); p < Math.Min(walk.EndPfn, EndPfn); p += 1 << PageblockOrder)
            log.Pageblocks.Mark((p - _start) >> PageblockOrder);
    }
}
