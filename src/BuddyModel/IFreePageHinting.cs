namespace BuddyModel;

/// <summary>
/// Flags of a free into the buddy lists: the kernel's fpi_t (5.8+) plus v1's "aerated" argument
/// of __free_one_page.
/// </summary>
[Flags]
public enum FreeFlags : byte
{
    None = 0,
    /// <summary>FPI_TO_TAIL: place the block with a "tail" insertion whatever buddy_merge_likely says.</summary>
    ToTail = 1 << 0,
    /// <summary>FPI_SKIP_REPORT_NOTIFY: the hinting design is not to be notified of this free.</summary>
    SkipNotify = 1 << 1,
    /// <summary>v1: the block comes back from the host; the design marks it unless it merged.</summary>
    Hinted = 1 << 2,
}

/// <summary>
/// The small interface through which a hinting design plugs into the allocator: the hooks the
/// v1 series added to mm/page_alloc.c and include/linux/mmzone.h. Every hook runs under
/// zone->lock, from inside an allocator operation; a hook must not call back into the
/// allocator's list operations.
/// </summary>
public interface IFreePageHinting
{
    /// <summary>
    /// Where a "tail" insertion on free_area[order].free_list[mt] goes: the node before which the
    /// block is linked. The list head itself means the true tail (the default).
    /// </summary>
    int GetTail(Zone zone, int order, MigrateType mt);

    /// <summary>
    /// The free block at pfn (PageBuddy, order) is about to leave its free list (allocation,
    /// merge, move to another list, isolation). Called while it is still linked, so that
    /// zone.Lists.Next(pfn) is its successor.
    /// </summary>
    void DelFromFreeList(Zone zone, int pfn, int order, MigrateType mt);

    /// <summary>
    /// End of __free_one_page: the block at pfn, of its final order, is on free_list[mt].
    /// merged is true when it combined with a buddy on the way.
    /// </summary>
    void FreeOnePageDone(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags, bool merged);

    /// <summary>
    /// expand() put an unused upper half (pfn, order) at the head of free_list[mt] while splitting
    /// a block for an allocation. v1 has no hook here; a design may use it to notice raw blocks
    /// that appear without a free.
    /// </summary>
    void AddedByExpand(Zone zone, int pfn, int order, MigrateType mt);
}

/// <summary>No hinting: tail insertions go to the true tail, nothing is marked or notified.</summary>
public sealed class NoHinting : IFreePageHinting
{
    public static readonly NoHinting Instance = new();

    private NoHinting() { }

    public int GetTail(Zone zone, int order, MigrateType mt) => zone.ListHead(order, mt);

    public void DelFromFreeList(Zone zone, int pfn, int order, MigrateType mt) { }

    public void FreeOnePageDone(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags, bool merged) { }

    public void AddedByExpand(Zone zone, int pfn, int order, MigrateType mt) { }
}
