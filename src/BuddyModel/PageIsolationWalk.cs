namespace BuddyModel;

/// <summary>Which way a walk converts its pageblocks.</summary>
public enum IsolationDirection
{
    /// <summary>start_isolate_page_range(): pageblocks are being set to MIGRATE_ISOLATE.</summary>
    Isolating,
    /// <summary>undo_isolate_page_range(), or the undo of a failed start: pageblocks are being given back.</summary>
    Unisolating,
}

/// <summary>
/// start_isolate_page_range() / undo_isolate_page_range() (mm/page_isolation.c) as a resumable
/// walk: each Step() is one zone->lock hold of the kernel's walk (one set_migratetype_isolate,
/// unset_migratetype_isolate or split_free_page), so that frees, allocations and the hinting
/// workers can run between two pageblocks, exactly where the kernel drops the lock. The caller
/// holds zone->lock during Step(), as around every Zone operation.
///
/// By the zone's era:
/// - up to 5.10 (alloc_contig_range of 5.2..5.18): the range is widened to MAX_ORDER_NR_PAGES
///   (pfn_max_align_down/up) and isolated pageblock by pageblock, ascending; a refusal
///   (-EBUSY) undoes the pageblocks isolated so far, one lock hold each, ascending.
/// - 6.0 (5.19+): the range is pageblock-aligned. isolate_single_pageblock() isolates the first
///   pageblock, then (lock dropped) scans the MAX_ORDER-aligned block before the range start
///   for a free block that straddles it and splits it with split_free_page() (one lock hold
///   each; -ENOENT rescans the same pfn); then the same for the last pageblock and the range
///   end; then the middle pageblocks ascending. A refusal of the last pageblock unsets the
///   first; of a middle one, undoes the isolated ones before it and then the last.
/// - 6.10: as 6.0, but set_migratetype_isolate() splits straddling free blocks itself, so the
///   scans have nothing to split.
///
/// What differs from the kernel, written down:
/// - The scans read the zone while the model's caller holds the lock; the kernel reads
///   PageBuddy/buddy_order without it (racy by design; split_free_page rechecks).
/// - No migration: isolate_single_pageblock() migrates an in-use compound page that straddles
///   the boundary (or fails); the model's allocations are plain alloc_pages() blocks, not
///   compound, and the kernel steps over those page by page, so the model steps over them too.
///   alloc_contig_range()'s migration, test_pages_isolated() and isolate_freepages_range() are
///   not part of the walk (the operation language has __isolate_free_page for the last).
/// - No memory holes, no zone boundary inside a MAX_ORDER block, no isolation flags
///   (MEMORY_OFFLINE, REPORT_FAILURE), no memory-isolation notifier, no CMA.
/// - A walk is registered with its zone until it is done (Zone.IsolationWalks), model
///   bookkeeping that the specification reads: while a walk converts its range, free pages of
///   the range may sit on either kind of list, as in the kernel; the kernel keeps no such record.
/// </summary>
public sealed class PageIsolationWalk
{
    private enum Phase { First, ScanFirst, Last, ScanLast, Middle, Unsetting, Done }

    private readonly Zone _zone;
    private readonly int _pageblock;
    private readonly Queue<int> _unset = new();
    private Phase _phase;
    private int _cursor;

    private PageIsolationWalk(Zone zone, int startPfn, int endPfn, IsolationDirection direction)
    {
        _zone = zone;
        _pageblock = 1 << zone.PageblockOrder;
        StartPfn = startPfn;
        EndPfn = endPfn;
        Direction = direction;
        zone.RegisterIsolationWalk(this);
    }

    /// <summary>The zone walked.</summary>
    public Zone Zone => _zone;

    /// <summary>First pfn of the range the walk converts (after the era's alignment).</summary>
    public int StartPfn { get; }

    /// <summary>One past the last pfn of the range.</summary>
    public int EndPfn { get; }

    /// <summary>Isolating, or Unisolating (an undo, or the undo of a refused start).</summary>
    public IsolationDirection Direction { get; private set; }

    /// <summary>Whether the walk has returned.</summary>
    public bool Done => _phase == Phase.Done;

    /// <summary>What the kernel function returns: 0, or -EBUSY for a refused start.</summary>
    public int Result { get; private set; }

    /// <summary>Lock holds taken so far.</summary>
    public int Steps { get; private set; }

    /// <summary>
    /// start_isolate_page_range() as alloc_contig_range() calls it for [startPfn, endPfn), with
    /// migratetype MOVABLE: the range is aligned for the zone's era (MAX_ORDER up to 5.10,
    /// pageblock from 6.0). Nothing happens until the first Step().
    /// </summary>
    public static PageIsolationWalk Start(Zone zone, int startPfn, int endPfn)
    {
        var (start, end) = Align(zone, startPfn, endPfn);
        var walk = new PageIsolationWalk(zone, start, end, IsolationDirection.Isolating);
        walk._phase = Phase.First;
        return walk;
    }

    /// <summary>undo_isolate_page_range() over [startPfn, endPfn) aligned as Start aligns it, back to MOVABLE.</summary>
    public static PageIsolationWalk Undo(Zone zone, int startPfn, int endPfn)
    {
        var (start, end) = Align(zone, startPfn, endPfn);
        var walk = new PageIsolationWalk(zone, start, end, IsolationDirection.Unisolating);
        for (int p = start; p < end; p += walk._pageblock)
            walk._unset.Enqueue(p);
        walk._phase = Phase.Unsetting;
        return walk;
    }

    /// <summary>The range as the era's callers align it, clamped to the zone.</summary>
    public static (int Start, int End) Align(Zone zone, int startPfn, int endPfn)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (startPfn < zone.StartPfn || endPfn > zone.EndPfn || startPfn >= endPfn)
            throw new BadPageException(startPfn, $"isolation range {startPfn}..{endPfn - 1} is empty or outside zone {zone.Config.Name} (pfn {zone.StartPfn}..{zone.EndPfn - 1})");
        int align = zone.Era >= KernelEra.V6_0 ? 1 << zone.PageblockOrder : Math.Max(zone.Config.MaxOrderNrPages, 1 << zone.PageblockOrder);
        int start = startPfn & ~(align - 1);
        int end = Math.Min(zone.EndPfn, (endPfn + align - 1) & ~(align - 1));
        return (start, end);
    }

    /// <summary>
    /// One zone->lock hold of the walk (the caller holds the lock), and what it did; "returned"
    /// once the walk is done. Scans that find nothing to split take no step of their own.
    /// </summary>
    public string Step()
    {
        if (Done)
            return "returned";
        while (true)
        {
            string? did = _phase switch
            {
                Phase.First => IsolateFirst(),
                Phase.ScanFirst => Scan(StartPfn, StartPfn, Phase.Last),
                Phase.Last => IsolateLast(),
                Phase.ScanLast => Scan(EndPfn, EndPfn - _pageblock, Phase.Middle),
                Phase.Middle => IsolateMiddle(),
                Phase.Unsetting => UnsetNext(),
                _ => null,
            };
            if (did is not null)
                Steps++;
            if (Done)
            {
                _zone.UnregisterIsolationWalk(this);
                string returned = Result == 0 ? "returned 0" : $"returned {Result} (-EBUSY)";
                return did is null ? returned : $"{did}; {returned}";
            }
            if (did is not null)
                return did;
        }
    }

    private bool Pageblock60 => _zone.Era >= KernelEra.V6_0;

    /// <summary>set_migratetype_isolate() of the first pageblock (5.x: of each pageblock in turn).</summary>
    private string? IsolateFirst()
    {
        if (!Pageblock60)
        {
            _cursor = StartPfn;
            _phase = Phase.Middle;
            return null;
        }
        if (Isolate(StartPfn) is { } refused)
        {
            Finish(-Zone.Ebusy);
            return refused;
        }
        _cursor = StartPfn & ~(_zone.Config.MaxOrderNrPages - 1);
        _phase = Phase.ScanFirst;
        return $"set_migratetype_isolate(pfn {StartPfn})";
    }

    /// <summary>isolate_single_pageblock() of the last pageblock (skip_isolation when it is the first).</summary>
    private string? IsolateLast()
    {
        int last = EndPfn - _pageblock;
        _cursor = last & ~(_zone.Config.MaxOrderNrPages - 1);
        _phase = Phase.ScanLast;
        if (last == StartPfn)
            return null;
        if (Isolate(last) is { } refused)
        {
            _unset.Enqueue(StartPfn);
            Unwind();
            return refused;
        }
        return $"set_migratetype_isolate(pfn {last})";
    }

    /// <summary>The middle pageblocks ascending (5.x: every pageblock of the range).</summary>
    private string? IsolateMiddle()
    {
        int stop = Pageblock60 ? EndPfn - _pageblock : EndPfn;
        if (_cursor >= stop)
        {
            Finish(0);
            return null;
        }
        int pfn = _cursor;
        _cursor += _pageblock;
        if (Isolate(pfn) is { } refused)
        {
            for (int p = StartPfn; p < pfn; p += _pageblock)
                _unset.Enqueue(p);
            if (Pageblock60 && EndPfn - _pageblock > StartPfn)
                _unset.Enqueue(EndPfn - _pageblock);
            Unwind();
            return refused;
        }
        return $"set_migratetype_isolate(pfn {pfn})";
    }

    /// <summary>
    /// isolate_single_pageblock()'s scan of [MAX_ORDER-aligned start, boundary) for a free block
    /// that crosses the boundary: split it (one lock hold), or go on to the next phase. From
    /// 6.10 a free page needs no split here (set_migratetype_isolate split it).
    /// </summary>
    private string? Scan(int boundary, int isolatedPageblock, Phase next)
    {
        if (_zone.Era >= KernelEra.V6_10 || boundary >= _zone.EndPfn || boundary <= _zone.StartPfn)
        {
            Enter(next);
            return null;
        }
        while (_cursor < boundary)
        {
            int pfn = _cursor;
            if (!_zone.PageBuddy(pfn))
            {
                _cursor++; // in-use (not compound), held, or a tail: the kernel's pfn++
                continue;
            }
            int order = _zone.PageOrder(pfn);
            if (pfn + (1 << order) > boundary)
            {
                int rc = _zone.SplitFreePage(pfn, order, boundary - pfn);
                if (rc == 0)
                    _cursor = pfn + (1 << order);
                return rc == 0
                    ? $"split_free_page(pfn {pfn}, order {order}, offset {boundary - pfn}) at the boundary of pageblock {isolatedPageblock >> _zone.PageblockOrder}"
                    : $"split_free_page(pfn {pfn}, order {order}) returned {rc} (-ENOENT): scan again";
            }
            _cursor = pfn + (1 << order);
        }
        Enter(next);
        return null;
    }

    private void Enter(Phase next)
    {
        _phase = next;
        if (next == Phase.Middle)
            _cursor = StartPfn + _pageblock; // 6.0: the pageblocks between the first and the last
    }

    /// <summary>unset_migratetype_isolate() of the next queued pageblock that is isolated.</summary>
    private string? UnsetNext()
    {
        while (_unset.Count > 0)
        {
            int pfn = _unset.Dequeue();
            if (_zone.GetPageblockMigratetype(pfn) != MigrateType.Isolate)
                continue; // undo_isolate_page_range skips a pageblock that is not isolated
            _zone.UnsetMigratetypeIsolate(pfn, MigrateType.Movable);
            return $"unset_migratetype_isolate(pfn {pfn}, Movable)";
        }
        Finish(Result);
        return null;
    }

    /// <summary>set_migratetype_isolate() with the era's has_unmovable_pages() bounds; null when it succeeded, else the refusal.</summary>
    private string? Isolate(int pfn)
    {
        // 5.2 checks the whole pageblock; 6.0 the intersection with the range, which is
        // pageblock-aligned here, so also the whole pageblock.
        int rc = _zone.SetMigratetypeIsolate(pfn, pfn, pfn + _pageblock);
        if (rc == 0)
            return null;
        bool already = _zone.GetPageblockMigratetype(pfn) == MigrateType.Isolate;
        return $"set_migratetype_isolate(pfn {pfn}) refused (-EBUSY): " + (already
            ? "the pageblock is isolated already"
            : $"unmovable page at pfn {_zone.HasUnmovablePages(pfn, pfn + _pageblock)}");
    }

    /// <summary>A refused start: give back what was isolated, then return -EBUSY.</summary>
    private void Unwind()
    {
        Direction = IsolationDirection.Unisolating;
        Result = -Zone.Ebusy;
        _phase = Phase.Unsetting;
    }

    private void Finish(int result)
    {
        Result = result;
        _phase = Phase.Done;
    }

    /// <summary>The walk's canonical state (Zone.WriteCanonicalState): its range, direction, phase, cursor, queued unsets and result; not Steps, a count no step reads.</summary>
    public void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(StartPfn);
        sink.Add(EndPfn);
        sink.Add((long)Direction | ((long)_phase << 8));
        sink.Add(_cursor);
        sink.Add(Result);
        sink.Add(_unset.Count);
        foreach (int p in _unset)
            sink.Add(p);
    }

    public override string ToString() =>
        $"{(Direction == IsolationDirection.Isolating ? "start_isolate_page_range" : "undo_isolate_page_range")}(pfn {StartPfn}..{EndPfn - 1})";
}
