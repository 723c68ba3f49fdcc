using BuddyModel;

namespace Specs.Oracle;

/// <summary>
/// Which block an allocation takes (__rmqueue: __rmqueue_smallest, else __rmqueue_fallback and
/// again), how expand() splits it, and what a steal moves and retypes (steal_suitable_fallback).
/// </summary>
public sealed partial class ReferenceLists
{
    /// <summary>fallbacks[][] of mm/page_alloc.c, written out again: the types each request falls back to, in order.</summary>
    private static MigrateType[] FallbacksOf(MigrateType mt) => mt switch
    {
        MigrateType.Unmovable => [MigrateType.Reclaimable, MigrateType.Movable],
        MigrateType.Movable => [MigrateType.Reclaimable, MigrateType.Unmovable],
        MigrateType.Reclaimable => [MigrateType.Unmovable, MigrateType.Movable],
        _ => [],
    };

    private string _takeReason = "";

    public void Allocated(Zone zone, int order, MigrateType mt, int pfn)
    {
        if (!Begin($"alloc_pages(order {order}, {MigrateTypes.Name(mt)})"))
            return;
        int expected = Allocate(order, mt);
        if (expected == pfn)
            return;
        Fail(expected < 0 ? "no block: the reference has none to give (every list this request may reach is empty)"
                : $"pfn {expected}: {_takeReason}",
            pfn < 0 ? "the allocation failed" : $"the allocator returned pfn {pfn}",
            order, mt, expected >= 0 ? expected : pfn);
    }

    /// <summary>__rmqueue(): the smallest order's head of mt, else steal once and try again; -1 when nothing can be stolen.</summary>
    private int Allocate(int order, MigrateType mt)
    {
        string steal = "";
        while (true)
        {
            int pfn = TakeSmallest(order, mt);
            if (pfn >= 0)
            {
                _allocated.Add(pfn, (order, mt));
                _takeReason = steal + _takeReason;
                return pfn;
            }
            if (!StealFallback(order, mt, out steal))
                return -1;
        }
    }

    /// <summary>__rmqueue_smallest(): the head of free_list[mt] of the smallest order that has one, split down by expand().</summary>
    private int TakeSmallest(int order, MigrateType mt)
    {
        for (int o = order; o < MaxOrder; o++)
        {
            var list = ListOf(o, mt);
            if (list.Count == 0)
                continue;
            int pfn = list[0];
            Remove(pfn);
            Expand(pfn, order, o, mt);
            _takeReason = $"the head of free_area[{o}].free_list[{MigrateTypes.Name(mt)}], the smallest order with a block of that type"
                + (o > order ? $", split down to order {order}" : "");
            return pfn;
        }
        return -1;
    }

    /// <summary>expand(): each unused upper half goes to the head of free_list[mt] of its order, the largest first.</summary>
    private void Expand(int pfn, int low, int high, MigrateType mt)
    {
        while (high > low)
        {
            high--;
            InsertHead(pfn + (1 << high), high, mt, Rule.ExpandHead);
        }
    }

    /// <summary>
    /// __rmqueue_fallback(): from the largest order down, the first order with a block on a
    /// fallback list; a movable request that may not claim the pageblock takes the smallest
    /// such order instead. The head of that list is stolen.
    /// </summary>
    private bool StealFallback(int order, MigrateType startMt, out string what)
    {
        what = "";
        for (int o = MaxOrder - 1; o >= order; o--)
        {
            if (FindFallback(o, startMt, out bool canSteal) is not { } fallback)
                continue;
            if (!canSteal && startMt == MigrateType.Movable && o > order)
            {
                MigrateType? smallest;
                o = order;
                while ((smallest = FindFallback(o, startMt, out canSteal)) is null)
                    o++;
                fallback = smallest.Value;
            }
            int pfn = ListOf(o, fallback)[0];
            what = $"after stealing the head of free_area[{o}].free_list[{MigrateTypes.Name(fallback)}] (pfn {pfn}{(canSteal ? ", may claim its pageblock" : "")}): ";
            Steal(pfn, o, startMt, canSteal);
            return true;
        }
        return false;
    }

    /// <summary>find_suitable_fallback() (only_stealable false): the first non-empty fallback list of this order.</summary>
    private MigrateType? FindFallback(int order, MigrateType mt, out bool canSteal)
    {
        canSteal = false;
        foreach (var fallback in FallbacksOf(mt))
        {
            if (ListOf(order, fallback).Count == 0)
                continue;
            // can_steal_fallback()
            canSteal = order >= PageblockOrder || order >= PageblockOrder / 2
                || mt == MigrateType.Reclaimable || mt == MigrateType.Unmovable;
            return fallback;
        }
        return null;
    }

    /// <summary>
    /// steal_suitable_fallback(): a block of pageblock_order or more retypes every pageblock it
    /// spans and moves alone. A smaller one that may claim the pageblock moves every free block
    /// of its pageblock, and the pageblock is retyped when at least half of it is free or
    /// alike (for a movable request: allocated movable heads; for another one out of a movable
    /// pageblock: the pages neither free nor movable). Otherwise the block moves alone.
    /// </summary>
    private void Steal(int pfn, int order, MigrateType startMt, bool wholeBlock)
    {
        var oldBlockType = PageblockOf(pfn);
        if (order >= PageblockOrder)
        {
            for (int p = pfn; p < pfn + (1 << order); p += 1 << PageblockOrder)
                SetPageblock(p, startMt);
        }
        else if (wholeBlock)
        {
            var (freePages, movablePages) = MoveFreepagesBlock(pfn, startMt);
            int alikePages = startMt == MigrateType.Movable ? movablePages
                : oldBlockType == MigrateType.Movable ? (1 << PageblockOrder) - (freePages + movablePages)
                : 0;
            if (freePages > 0)
            {
                if (freePages + alikePages >= 1 << (PageblockOrder - 1))
                    SetPageblock(pfn, startMt);
                return;
            }
        }
        MoveToList(pfn, startMt);
    }
}
