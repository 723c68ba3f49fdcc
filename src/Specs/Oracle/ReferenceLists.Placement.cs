using BuddyModel;

namespace Specs.Oracle;

/// <summary>
/// The free path and the calls that take a block off a list or put it back: __free_pages,
/// __free_one_page (merging and placement), __isolate_free_page, __putback_isolated_page, a
/// hinting design's detach and put-back, and list_rotate_to_front.
/// </summary>
public sealed partial class ReferenceLists
{
    public void Freeing(Zone zone, int pfn, int order)
    {
        if (!Begin($"__free_pages(pfn {pfn}, order {order})"))
            return;
        if (!_allocated.TryGetValue(pfn, out var a) || a.Order != order)
        {
            Fail($"pfn {pfn} allocated at order {order} before it is freed", $"the reference has {WhatIs(pfn)}", order, null, pfn);
            return;
        }
        _allocated.Remove(pfn);
        // free_one_page(): the migratetype is the pageblock's at the time of the free (6.10:
        // pageblock by pageblock when they differ).
        if (Era >= KernelEra.V6_10)
            FreeSplitByPageblock(zone, pfn, order);
        else
            FreeOnePage(zone, pfn, order, PageblockOf(pfn), FreeFlags.None);
    }

    /// <summary>
    /// 6.10's free of a block that may span pageblocks of different types
    /// (__free_one_page_maybe_split): if every pageblock it covers has the head's type, or it
    /// is no larger than a pageblock, one free by the head's type; otherwise one free per
    /// pageblock, each pageblock_order piece by its own pageblock's type, lowest first.
    /// </summary>
    private void FreeSplitByPageblock(Zone? zone, int pfn, int order)
    {
        int pageblock = 1 << PageblockOrder;
        var pieces = new List<int>();
        for (int p = pfn; p < pfn + (1 << order); p += pageblock)
            pieces.Add(p);
        bool allAlike = pieces.All(p => PageblockOf(p) == PageblockOf(pfn));
        if (order <= PageblockOrder || allAlike)
        {
            FreeOnePage(zone, pfn, order, PageblockOf(pfn), FreeFlags.None);
            return;
        }
        foreach (int p in pieces)
            FreeOnePage(zone, p, PageblockOrder, PageblockOf(p), FreeFlags.None);
    }

    public void IsolatingFreePage(Zone zone, int pfn, int order)
    {
        if (!Begin($"__isolate_free_page(pfn {pfn}, order {order})") || !TakeOff(pfn, order))
            return;
        // A block of at least half a pageblock turns each pageblock it starts or spans MOVABLE,
        // ISOLATE excepted.
        if (order >= PageblockOrder - 1)
            for (int p = pfn; p < pfn + (1 << order); p += 1 << PageblockOrder)
                if (PageblockOf(p) != MigrateType.Isolate)
                    SetPageblock(p, MigrateType.Movable);
    }

    public void DetachingFreeBlock(Zone zone, int pfn, int order)
    {
        if (Begin($"detach (hinting) of pfn {pfn}, order {order}"))
            TakeOff(pfn, order);
    }

    public void PuttingBackIsolatedPage(Zone zone, int pfn, int order)
    {
        if (!Begin($"__putback_isolated_page(pfn {pfn}, order {order})") || !GiveBack(pfn, order))
            return;
        FreeOnePage(zone, pfn, order, PageblockOf(pfn), PutbackFlags);
    }

    public void PuttingBackHeldBlock(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags)
    {
        if (!Begin($"put-back (hinting) of pfn {pfn}, order {order}, {MigrateTypes.Name(mt)}, flags {flags}") || !GiveBack(pfn, order))
            return;
        FreeOnePage(zone, pfn, order, mt, flags);
    }

    public void RotatingToFront(Zone zone, int pfn, int order, MigrateType mt)
    {
        if (!Begin($"list_rotate_to_front(pfn {pfn}) on free_area[{order}].free_list[{MigrateTypes.Name(mt)}]"))
            return;
        var list = ListOf(order, mt);
        int i = list.IndexOf(pfn);
        if (i < 0)
        {
            Fail($"pfn {pfn} on free_area[{order}].free_list[{MigrateTypes.Name(mt)}]", $"the reference has {WhatIs(pfn)}", order, mt, pfn);
            return;
        }
        Rotations++;
        // The blocks before pfn go, in their order, behind the last one.
        var before = list.GetRange(0, i);
        list.RemoveRange(0, i);
        list.AddRange(before);
        _changedLists.Mark(order * MigrateTypes.Count + (int)mt);
        foreach (int p in before)
            _placed[p] = new Placed(Rule.Rotated, _calls.Count - 1);
    }

    /// <summary>The fpi flags of __putback_isolated_page: 5.2 a plain free, 5.7 no report notification, 5.10 also to the tail.</summary>
    private FreeFlags PutbackFlags => Era switch
    {
        KernelEra.V5_2 => FreeFlags.None,
        KernelEra.V5_7 => FreeFlags.SkipNotify,
        _ => FreeFlags.SkipNotify | FreeFlags.ToTail,
    };

    /// <summary>A free block leaves the lists and is held; false (and a failure) when the reference has no such free block.</summary>
    private bool TakeOff(int pfn, int order)
    {
        if (!IsFreeHead(pfn, order))
        {
            Fail($"a free order-{order} block at pfn {pfn}", $"the reference has {WhatIs(pfn)}", order, null, pfn);
            return false;
        }
        Remove(pfn);
        _held.Add(pfn, order);
        return true;
    }

    /// <summary>A held block is no longer held; false (and a failure) when the reference holds no such block.</summary>
    private bool GiveBack(int pfn, int order)
    {
        if (!_held.TryGetValue(pfn, out int h) || h != order)
        {
            Fail($"an order-{order} block held at pfn {pfn} before it is put back", $"the reference has {WhatIs(pfn)}", order, null, pfn);
            return false;
        }
        _held.Remove(pfn);
        return true;
    }

    /// <summary>
    /// __free_one_page(): merge with the free buddy while there is one of the same order (never
    /// at MAX_ORDER-1, and from pageblock_order up not across an isolated and a non-isolated
    /// pageblock), then place the merged block: FPI_TO_TAIL (5.10) at the tail; at the shuffle
    /// order (MAX_ORDER-1) with shuffling configured by a draw of shuffle_pick_tail (the same
    /// seeded generator as the zone's: the kernel's bit stream is random, the model's is
    /// seeded, and the oracle draws exactly when the kernel draws); otherwise at the tail when
    /// buddy_merge_likely (order below MAX_ORDER-2 and the next-order buddy of the merged block
    /// is free), else at the head. v1's hinted put-back goes to the tail whatever was chosen.
    /// zone is where the design's tail is asked for; null (boot) means the true tail.
    /// </summary>
    private void FreeOnePage(Zone? zone, int pfn, int order, MigrateType mt, FreeFlags flags)
    {
        while (order < MaxOrder - 1)
        {
            int buddy = pfn ^ (1 << order);
            if (!IsFreeHead(buddy, order))
                break;
            if (order >= PageblockOrder && AnyPageblockIsolated())
            {
                var buddyMt = PageblockOf(buddy);
                if (mt != buddyMt && (mt == MigrateType.Isolate || buddyMt == MigrateType.Isolate))
                    break;
            }
            Remove(buddy);
            pfn &= buddy;
            order++;
        }

        Rule rule;
        if ((flags & FreeFlags.ToTail) != 0)
            rule = Rule.ToTail;
        else if (_shuffle is not null && order >= MaxOrder - 1)
            rule = _shuffle.Next(2) == 1 ? Rule.ShuffleTail : Rule.ShuffleHead;
        else if (order < MaxOrder - 2 && IsFreeHead((pfn & ~(1 << order)) ^ (1 << (order + 1)), order + 1))
            rule = Rule.MergeLikelyTail;
        else
            rule = Rule.FreedAtHead;
        if ((flags & FreeFlags.Hinted) != 0)
            rule = Rule.HintedTail;

        if (rule is Rule.FreedAtHead or Rule.ShuffleHead)
            InsertHead(pfn, order, mt, rule);
        else
            Insert(pfn, order, mt, TailIndex(zone, order, mt), rule);
    }

    /// <summary>
    /// Where a tail insertion on free_list[mt] of this order goes: before the block the design
    /// names as its tail (v1 while a pass is active: the boundary), or at the true tail when the
    /// design names the list head. A named block that left its list during this call stands for
    /// the block that followed it.
    /// </summary>
    private int TailIndex(Zone? zone, int order, MigrateType mt)
    {
        var list = ListOf(order, mt);
        if (zone is null)
            return list.Count;
        int node = DesignTail(zone, order, mt);
        if (zone.IsListHead(node))
            return list.Count;
        while (node >= 0 && _departed.TryGetValue(node, out int next))
            node = next;
        if (node < 0)
            return list.Count;
        int i = list.IndexOf(node);
        if (i < 0)
        {
            Fail($"the design's tail of free_area[{order}].free_list[{MigrateTypes.Name(mt)}] to be a block of that list or its head",
                $"pfn {node}, and the reference has {WhatIs(node)}", order, mt, node);
            return list.Count;
        }
        DesignTailInsertions++;
        return i;
    }

    private bool AnyPageblockIsolated() => Array.IndexOf(_pageblock, MigrateType.Isolate) >= 0;

    private MigrateType PageblockOf(int pfn) => _pageblock[(pfn - StartPfn) >> PageblockOrder];

    private void SetPageblock(int pfn, MigrateType mt)
    {
        _pageblock[(pfn - StartPfn) >> PageblockOrder] = mt;
        _changedPageblocks.Mark((pfn - StartPfn) >> PageblockOrder);
    }

    /// <summary>What the reference knows of a pfn, in words.</summary>
    private string WhatIs(int pfn)
    {
        if (_free.TryGetValue(pfn, out var f))
            return $"a free order-{f.Order} block on free_list[{MigrateTypes.Name(f.Mt)}] at pfn {pfn}";
        if (_allocated.TryGetValue(pfn, out var a))
            return $"an allocated order-{a.Order} {MigrateTypes.Name(a.Mt)} block at pfn {pfn}";
        if (_held.TryGetValue(pfn, out int h))
            return $"a held order-{h} block at pfn {pfn}";
        return $"no block starting at pfn {pfn}";
    }
}
