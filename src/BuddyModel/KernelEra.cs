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
}
