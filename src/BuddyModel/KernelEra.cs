namespace BuddyModel;

/// <summary>
/// Which kernel's mm/page_alloc.c a zone behaves like, where the free page reporting work changed
/// it. The default, V5_2, is the base of the v1 aeration series and every existing scenario.
/// </summary>
public enum KernelEra : byte
{
    /// <summary>
    /// Linux 5.2: a hinting flag survives every list operation (the v1 design clears its own
    /// flag through the hooks); __putback_isolated_page is a plain free that notifies the
    /// hinting design; move_to_free_area moves to the head.
    /// </summary>
    V5_2 = 0,

    /// <summary>
    /// Linux 5.7 (free page reporting merged): del_page_from_free_list clears PG_reported (so
    /// an allocation, a merge and an isolation lose it), move_to_free_list keeps it;
    /// __putback_isolated_page frees with FPI_SKIP_REPORT_NOTIFY (5.7: the "report" argument
    /// false) and places the block by buddy_merge_likely.
    /// </summary>
    V5_7 = 1,

    /// <summary>
    /// Linux 5.10: as V5_7, and __putback_isolated_page adds FPI_TO_TAIL, move_to_free_list
    /// moves to the tail, and the boot-time frees of __free_pages_core go to the tail
    /// (FPI_TO_TAIL), so memory is handed out from low pfns first.
    /// </summary>
    V5_10 = 2,

    /// <summary>
    /// As V5_10 (with the 5.11 rule that unset_migratetype_isolate never re-frees a MAX_ORDER-1
    /// block), and alloc_contig_range isolates at pageblock granularity: start_isolate_page_range
    /// isolates the first and the last pageblock with isolate_single_pageblock(), which after
    /// set_migratetype_isolate() drops zone->lock, scans the MAX_ORDER-aligned block before
    /// the boundary and splits a free block that straddles it with split_free_page() under a
    /// zone->lock hold of its own. Merged for 5.19 (Zi Yan, "mm: make alloc_contig_range work at
    /// pageblock granularity", with the 5.19/6.0 fixes: split_free_page rechecks the block and
    /// returns -ENOENT, pieces take min(__ffs(pfn), __fls(offset))); named after 6.0 here.
    /// Between the two lock holds a free block may lie across an isolated and a non-isolated
    /// pageblock: the suite finds that window (see PageIsolationWalk).
    /// </summary>
    V6_0 = 3,

    /// <summary>
    /// As V6_0, with the 6.10 rework of isolation (Johannes Weiner's "freelist migratetype
    /// hygiene" series, merged for 6.10, commit fd919a85cd55 "mm: page_isolation: prepare for
    /// hygienic freelists"; this era was named 6.9 here until that date was checked): set_migratetype_isolate()/unset_migratetype_isolate() go through
    /// move_freepages_block_isolate(), which splits a free block larger than a pageblock that
    /// contains the pageblock into pageblock-sized pieces (split_large_buddy) in the same
    /// zone->lock hold, so isolate_single_pageblock() no longer splits free pages; and
    /// free_one_page() frees a block whose pageblocks differ in migratetype in pageblock-sized
    /// pieces, each to its own pageblock's list (__free_one_page_maybe_split, today's form).
    /// The other 6.x changes (per-migratetype free counts, freelist type warnings, the
    /// retyping in move_freepages_block) are not modelled. The allocator of the mainline
    /// version of the merged design.
    /// </summary>
    V6_10 = 4,
}
