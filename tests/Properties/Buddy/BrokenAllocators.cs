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

/// <summary>move_freepages_block() stops after the first free block of the pageblock.</summary>
public sealed class MoveFreepagesStopsAfterFirstBlock(ZoneConfig config) : Zone(config)
{
    protected override int MoveFreepagesBlock(int pfn, MigrateType mt, out int movablePages)
    {
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
