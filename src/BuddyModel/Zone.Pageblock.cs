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
    /// This is the memory-offline form (offline_pages isolates whole memory blocks) done in one
    /// step, with no has_unmovable_pages() refusal; the walk of start_isolate_page_range that
    /// other operations may interleave with, and its pageblock-granular 6.0 form, is
    /// PageIsolationWalk (Zone.PageIsolation.cs).
    /// </summary>
    public void SetPageblockMigratetype(int pfn, MigrateType mt)
    {
        if (!SpansPfn(pfn))
            throw new BadPageException(pfn, OutsideZone);
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
                    IsolatePageblock(p);
                else if (mt != MigrateType.Isolate && before == MigrateType.Isolate)
                    UnisolatePageblock(p, mt);
            }
            return;
        }
        SetPageblockMigratetypeRaw(start, mt);
        MoveFreepagesBlock(start, mt, out _);
    }

    /// <summary>set_pageblock_migratetype(): the pageblock bits only.</summary>
    protected void SetPageblockMigratetypeRaw(int pfn, MigrateType mt)
    {
        _pageblockMt[(pfn - _start) >> PageblockOrder] = mt;
        _changes?.Pageblocks.Mark((pfn - _start) >> PageblockOrder);
    }

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
            var f = _flags[p - _start];
            if ((f & PageFlags.Buddy) == 0)
            {
                if ((f & PageFlags.Allocated) != 0 && _listMt[p - _start] == MigrateType.Movable)
                    movablePages++;
                p++;
                continue;
            }
            int order = _order[p - _start];
            MoveToFreeArea(p, order, mt);
            p += 1 << order;
            pagesMoved += 1 << order;
        }
        return pagesMoved;
    }
}
