using BuddyModel;

namespace Properties.Buddy;

// Deliberately broken buddy allocators (Hypothesis-style): each one plants a bug a kernel
// developer could plausibly write. The generic properties must catch every one of them with a
// short counterexample; none of the checks knows about any particular variant.

/// <summary>__free_one_page's merge loop stops one order early: it never forms a MAX_ORDER-1 block.</summary>
public sealed class MergeStopsOneOrderEarly(ZoneConfig config) : Zone(config)
{
    protected override bool PageIsBuddy(int buddyPfn, int order) =>
        order < MaxOrder - 2 && base.PageIsBuddy(buddyPfn, order);
}

/// <summary>expand() puts the upper half back one order too high (the order it had before the split).</summary>
public sealed class ExpandReturnsHalfAtWrongOrder(ZoneConfig config) : Zone(config)
{
    protected override void Expand(int pfn, int low, int high, MigrateType mt)
    {
        int size = 1 << high;
        while (high > low)
        {
            high--;
            size >>= 1;
            AddToFreeArea(pfn + size, high + 1, mt);
        }
    }
}

/// <summary>The free path forgets nr_free++ when it links the freed block.</summary>
public sealed class FreeForgetsNrFree(ZoneConfig config) : Zone(config)
{
    [Harness.NotModelState("set only while FreeOnePage runs, false again when it returns")]
    private bool _inFree;

    protected override void FreeOnePage(int pfn, int order, MigrateType mt, FreeFlags flags)
    {
        _inFree = true;
        base.FreeOnePage(pfn, order, mt, flags);
        _inFree = false;
    }

    protected override void AddToFreeArea(int pfn, int order, MigrateType mt)
    {
        base.AddToFreeArea(pfn, order, mt);
        if (_inFree)
            NrFreeArray[order]--;
    }

    protected override void AddToFreeAreaTail(int pfn, int order, MigrateType mt)
    {
        base.AddToFreeAreaTail(pfn, order, mt);
        if (_inFree)
            NrFreeArray[order]--;
    }
}

/// <summary>
/// The fallback's move_to_free_area() links the block into the new migratetype's list without
/// taking it off the old one: list_add instead of list_move, leaving it on two lists.
/// </summary>
public sealed class FallbackLeavesBlockOnTwoLists(ZoneConfig config) : Zone(config)
{
    protected override void MoveToFreeArea(int pfn, int order, MigrateType mt) => AddToFreeArea(pfn, order, mt);
}

/// <summary>
/// move_freepages_block() to MIGRATE_ISOLATE (set_migratetype_isolate) stops after the first
/// free block of the pageblock. Only isolation is broken: a short move elsewhere (a steal, a
/// retype) is a placement difference the placement oracle names first; this one leaves a free
/// block of an isolated pageblock on an allocatable list, which is Block shape's to catch.
/// </summary>
public sealed class MoveFreepagesStopsAfterFirstBlock(ZoneConfig config) : Zone(config)
{
    protected override int MoveFreepagesBlock(int pfn, MigrateType mt, out int movablePages)
    {
        if (mt != MigrateType.Isolate)
            return base.MoveFreepagesBlock(pfn, mt, out movablePages);
        movablePages = 0;
        int start = pfn & ~((1 << PageblockOrder) - 1);
        for (int p = start; p < start + (1 << PageblockOrder); p++)
        {
            if (!PageBuddy(p))
                continue;
            int order = PageOrder(p);
            MoveToFreeArea(p, order, mt);
            return 1 << order;
        }
        return 0;
    }
}

/// <summary>
/// Every "tail" insertion of the free path (buddy_merge_likely, shuffle_pick_tail,
/// FPI_TO_TAIL) goes to the head instead: add_to_free_list where add_to_free_list_tail belongs.
/// Frames, counters and merging stay right; only the order of the lists is wrong.
/// </summary>
public sealed class TailFreeGoesToHead : Zone
{
    private readonly bool _booted;

    /// <summary>The boot frees stay right (the zone starts as it should); every free after them is broken.</summary>
    public TailFreeGoesToHead(ZoneConfig config) : base(config) => _booted = true;

    protected override void AddToFreeAreaTail(int pfn, int order, MigrateType mt)
    {
        if (_booted)
            AddToFreeArea(pfn, order, mt);
        else
            base.AddToFreeAreaTail(pfn, order, mt);
    }
}

/// <summary>
/// steal_suitable_fallback() claims the wrong pageblocks: change_pageblock_range() for a stolen
/// block of pageblock_order or more starts one pageblock late, so it retypes the pageblocks from
/// the second one of the block to the first one past it (inside the zone), and leaves the
/// first one as it was. The block itself moves to the right list; only migratetypes are wrong.
/// </summary>
public sealed class StealRetypesWrongPageblock(ZoneConfig config) : Zone(config)
{
    protected override void StealSuitableFallback(int pfn, int currentOrder, MigrateType startType, bool wholeBlock)
    {
        if (currentOrder < PageblockOrder)
        {
            base.StealSuitableFallback(pfn, currentOrder, startType, wholeBlock);
            return;
        }
        for (int p = pfn + (1 << PageblockOrder); p <= pfn + (1 << currentOrder) && p < NrPages; p += 1 << PageblockOrder)
            SetPageblockMigratetypeRaw(p, startType);
        MoveToFreeArea(pfn, currentOrder, startType); // single_page, as the kernel goes on
    }
}

/// <summary>
/// A 5.10 allocator whose __putback_isolated_page puts the block back at the head: the
/// FPI_TO_TAIL of 5.10 is dropped (as 5.7 did, where buddy_merge_likely decided). The boot
/// frees keep theirs.
/// </summary>
public sealed class PutbackAtHead : Zone
{
    private readonly bool _booted;

    public PutbackAtHead(ZoneConfig config) : base(config, KernelEra.V5_10) => _booted = true;

    protected override void FreeOnePage(int pfn, int order, MigrateType mt, FreeFlags flags)
    {
        if (_booted && flags == PutbackFlags)
            flags &= ~FreeFlags.ToTail;
        base.FreeOnePage(pfn, order, mt, flags);
    }
}
