using BuddyModel;

namespace Properties.Isolation;

// Deliberately broken isolation (6.10 era, the allocator of mainline): each plants a bug a
// kernel developer could write in mm/page_isolation.c or the split free. The generic
// invariants must catch every one with a short counterexample; no check knows about them.

/// <summary>set_migratetype_isolate() sets the pageblock bits but forgets move_freepages_block(): the pageblock's free pages stay on their allocatable lists.</summary>
public sealed class IsolateForgetsToMoveFreePages(ZoneConfig config) : Zone(config, KernelEra.V6_10)
{
    protected override void IsolatePageblock(int start)
    {
        NrIsolatePageblock++;
        SetPageblockMigratetypeRaw(start, MigrateType.Isolate);
    }
}

/// <summary>__free_one_page_maybe_split() loses the last pageblock of a block it splits: those frames are on no list and not allocated.</summary>
public sealed class SplitLosesLastPageblock(ZoneConfig config) : Zone(config, KernelEra.V6_10)
{
    protected override void FreeOnePageMaybeSplit(int pfn, int order, FreeFlags flags)
    {
        int end = pfn + (1 << order);
        var mt = GetPageblockMigratetype(pfn);
        bool equal = true;
        for (int p = pfn; p < end; p += 1 << PageblockOrder)
            equal &= GetPageblockMigratetype(p) == mt;
        if (order <= PageblockOrder || equal)
        {
            FreeOnePage(pfn, order, mt, flags);
            return;
        }
        for (int p = pfn; p < end - (1 << PageblockOrder); p += 1 << PageblockOrder)
            FreeOnePage(p, PageblockOrder, GetPageblockMigratetype(p), flags);
    }
}

/// <summary>__free_one_page_maybe_split() splits by pageblocks but frees every piece with the head's migratetype: pieces of an isolated pageblock land on an allocatable list, or the reverse.</summary>
public sealed class SplitPutsPiecesOnHeadsList(ZoneConfig config) : Zone(config, KernelEra.V6_10)
{
    protected override void FreeOnePageMaybeSplit(int pfn, int order, FreeFlags flags)
    {
        var mt = GetPageblockMigratetype(pfn);
        if (order <= PageblockOrder)
        {
            FreeOnePage(pfn, order, mt, flags);
            return;
        }
        for (int p = pfn; p < pfn + (1 << order); p += 1 << PageblockOrder)
            FreeOnePage(p, PageblockOrder, mt, flags);
    }
}

/// <summary>
/// __free_one_page_maybe_split() frees the pieces of a block it splits highest pfn first: every
/// piece lands on its own pageblock's list, and every count is right, but two pieces that end
/// at the head of the same list stand in the opposite order. Only the placement oracle sees it.
/// </summary>
public sealed class SplitFreesHighestPieceFirst(ZoneConfig config) : Zone(config, KernelEra.V6_10)
{
    protected override void FreeOnePageMaybeSplit(int pfn, int order, FreeFlags flags)
    {
        var mt = GetPageblockMigratetype(pfn);
        int end = pfn + (1 << order);
        bool equal = true;
        for (int p = pfn; p < end; p += 1 << PageblockOrder)
            equal &= GetPageblockMigratetype(p) == mt;
        if (order <= PageblockOrder || equal)
        {
            FreeOnePage(pfn, order, mt, flags);
            return;
        }
        for (int p = end - (1 << PageblockOrder); p >= pfn; p -= 1 << PageblockOrder)
            FreeOnePage(p, PageblockOrder, GetPageblockMigratetype(p), flags);
    }
}
