namespace BuddyModel;

/// <summary>
/// Pageblock migratetypes: set_pageblock_migratetype(), move_freepages_block(), and the
/// set/unset_migratetype_isolate() pair of mm/page_isolation.c.
/// </summary>
public partial class Zone
{
    /// <summary>
    /// Change the migratetype of the pageblock containing pfn, moving its free blocks to the new
    /// type's lists, as a steal does (set_pageblock_migratetype() plus move_freepages_block()).
    ///
    /// Isolation (to or from ISOLATE) works on the whole MAX_ORDER-aligned range containing
    /// pfn, pageblock by pageblock, as start_isolate_page_range() / undo_isolate_page_range()
    /// do for their callers: alloc_contig_range() and memory offlining align their ranges to
    /// MAX_ORDER_NR_PAGES precisely so that no free block straddles an isolated and a
    /// non-isolated pageblock. The model keeps that discipline instead of splitting blocks.
    /// </summary>
    public void SetPageblockMigratetype(int pfn, MigrateType mt)
    {
        if ((uint)pfn >= (uint)NrPages)
            throw new BadPageException(pfn, $"outside zone {Config.Name} (pfn 0..{NrPages - 1})");
        if ((uint)mt >= MigrateTypes.Count)
            throw new BadPageException(pfn, $"migratetype {(int)mt} out of range");
        Observer?.SettingPageblockMigratetype(this, pfn, mt);
        int start = pfn & ~((1 << PageblockOrder) - 1);
        var old = GetPageblockMigratetype(start);
        if (old == mt)
            return;
        if (mt == MigrateType.Isolate || old == MigrateType.Isolate)
        {
            int rangeStart = pfn & ~(Config.MaxOrderNrPages - 1);
            for (int p = rangeStart; p < rangeStart + Config.MaxOrderNrPages; p += 1 << PageblockOrder)
            {
                var before = GetPageblockMigratetype(p);
                if (mt == MigrateType.Isolate && before != MigrateType.Isolate)
                    SetMigratetypeIsolate(p);
                else if (mt != MigrateType.Isolate && before == MigrateType.Isolate)
                    UnsetMigratetypeIsolate(p, mt);
            }
            return;
        }
        SetPageblockMigratetypeRaw(start, mt);
        MoveFreepagesBlock(start, mt, out _);
    }

    /// <summary>set_pageblock_migratetype(): the pageblock bits only.</summary>
    protected void SetPageblockMigratetypeRaw(int pfn, MigrateType mt) => _pageblockMt[pfn >> PageblockOrder] = mt;

    /// <summary>
    /// move_freepages_block(): move every free block headed in the pageblock of pfn to
    /// free_list[mt] of its order. Returns the pages moved; movablePages counts allocated
    /// movable heads (the kernel's PageLRU/__PageMovable pages).
    /// </summary>
    protected virtual int MoveFreepagesBlock(int pfn, MigrateType mt, out int movablePages)
    {
        int start = pfn & ~((1 << PageblockOrder) - 1);
        int end = start + (1 << PageblockOrder);
        int pagesMoved = 0;
        movablePages = 0;
        for (int p = start; p < end;)
        {
            var f = _flags[p];
            if ((f & PageFlags.Buddy) == 0)
            {
                if ((f & PageFlags.Allocated) != 0 && _listMt[p] == MigrateType.Movable)
                    movablePages++;
                p++;
                continue;
            }
            int order = _order[p];
            MoveToFreeArea(p, order, mt);
            p += 1 << order;
            pagesMoved += 1 << order;
        }
        return pagesMoved;
    }

    /// <summary>set_migratetype_isolate() (5.2): move the pageblock's free blocks to ISOLATE and out of NR_FREE_PAGES.</summary>
    private void SetMigratetypeIsolate(int start)
    {
        SetPageblockMigratetypeRaw(start, MigrateType.Isolate);
        NrIsolatePageblock++;
        int nrPages = MoveFreepagesBlock(start, MigrateType.Isolate, out _);
        NrFreePages -= nrPages;
    }

    /// <summary>
    /// unset_migratetype_isolate() (5.2): a free block of at least pageblock_order whose buddy is
    /// not isolated is taken off and freed again (__isolate_free_page + __free_pages, which also
    /// notifies a hinting design), so that it merges; the rest is moved back. A MAX_ORDER-1 block
    /// whose buddy lies outside the zone is moved back instead. From 5.7 the block is freed
    /// again with __putback_isolated_page (no reporting notification; 5.10: to the tail).
    /// </summary>
    private void UnsetMigratetypeIsolate(int start, MigrateType mt)
    {
        int isolatedOrder = -1;
        if (PageBuddy(start) && _order[start] >= PageblockOrder)
        {
            int buddyPfn = start ^ (1 << _order[start]);
            if ((uint)buddyPfn < (uint)NrPages && GetPageblockMigratetype(buddyPfn) != MigrateType.Isolate)
            {
                isolatedOrder = _order[start];
                DelPageFromFreeArea(start, isolatedOrder); // __isolate_free_page on an ISOLATE block: no watermark, no count
            }
        }
        if (isolatedOrder < 0)
            NrFreePages += MoveFreepagesBlock(start, mt, out _);
        SetPageblockMigratetypeRaw(start, mt);
        NrIsolatePageblock--;
        if (isolatedOrder >= 0)
            FreeOnePage(start, isolatedOrder, mt, PutbackFlags); // 5.2: __free_pages(); 5.7+: __putback_isolated_page()
    }
}
