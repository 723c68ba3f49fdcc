namespace BuddyModel;

/// <summary>
/// Told of every call that changes a zone's free lists or pageblock migratetypes, with the
/// call's arguments, at the moment the zone is about to act on it (Allocated: once it has
/// acted, with the pfn it chose). The kernel's counterpart is the mm tracepoints
/// (mm_page_alloc, mm_page_free, mm_page_alloc_extfrag); here it exists so that a differential
/// oracle can replay the same calls on a reference of its own. Called under zone->lock; an
/// observer must not call back into the zone's mutators. Null (the default) costs one test per call.
/// </summary>
public interface IZoneObserver
{
    /// <summary>__free_pages(pfn, order) of an allocated block, after its checks passed.</summary>
    void Freeing(Zone zone, int pfn, int order);

    /// <summary>An allocation of order and mt returned pfn (-1: it failed).</summary>
    void Allocated(Zone zone, int order, MigrateType mt, int pfn);

    /// <summary>Zone.SetPageblockMigratetype(pfn, mt), before anything changes.</summary>
    void SettingPageblockMigratetype(Zone zone, int pfn, MigrateType mt);

    /// <summary>__isolate_free_page(pfn, order) passed its watermark check and takes the block.</summary>
    void IsolatingFreePage(Zone zone, int pfn, int order);

    /// <summary>__putback_isolated_page(pfn, order), before the block goes back.</summary>
    void PuttingBackIsolatedPage(Zone zone, int pfn, int order);

    /// <summary>A hinting design's detach of the free block (v1 get_aeration_page).</summary>
    void DetachingFreeBlock(Zone zone, int pfn, int order);

    /// <summary>A hinting design frees a held block with its own migratetype and flags (v1 put_aeration_page).</summary>
    void PuttingBackHeldBlock(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags);

    /// <summary>list_rotate_to_front() of the free block at pfn on free_list[mt] of its order (page_reporting_cycle).</summary>
    void RotatingToFront(Zone zone, int pfn, int order, MigrateType mt);

    /// <summary>set_migratetype_isolate() of the pageblock at pfn (one step of an isolation walk), after its checks passed.</summary>
    void IsolatingPageblock(Zone zone, int pfn);

    /// <summary>unset_migratetype_isolate() of the isolated pageblock at pfn back to mt (one step of an isolation walk).</summary>
    void UnisolatingPageblock(Zone zone, int pfn, MigrateType mt);

    /// <summary>split_free_page() (6.0) of the free block at pfn of this order at pfn + offset, once it found the block unchanged.</summary>
    void SplittingFreePage(Zone zone, int pfn, int order, int offset);
}
