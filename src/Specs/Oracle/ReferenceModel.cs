using BuddyModel;
using static Specs.Buddy.BuddyInvariants;

namespace Specs.Oracle;

/// <summary>
/// The differential oracle: a trivially correct model of which page frames are free, allocated
/// or held, with no lists, no orders of free blocks and no merging. A test drives the buddy
/// model and reports each outcome here; every method checks that the outcome is one a correct
/// allocator may produce, then updates the reference. A method that returns a violation leaves
/// the reference unchanged. Compare checks that the buddy model's whole state matches.
/// </summary>
public sealed partial class ReferenceModel
{
    /// <summary>The invariant name in this oracle's violations.</summary>
    public const string InvariantName = "Differential oracle";

    /// <summary>Where a page frame is, as far as the reference knows.</summary>
    public enum FrameState : byte
    {
        Free = 0,
        Allocated = 1,
        Held = 2,
    }

    // Indexed by absolute pfn, 0 .. EndPfn - 1; the entries below StartPfn are never used (a
    // zone at pfn S costs S unused bytes here, which keeps every index the zone's own pfn).
    private readonly byte[] _state;       // FrameState per frame
    private readonly byte[] _headOrder;   // order + 1 at the head of an allocated or held block, else 0
    private readonly Dictionary<int, int> _allocated = new();
    private readonly Dictionary<int, int> _held = new();

    /// <summary>A reference for a zone of nrPages frames from startPfn (zone_start_pfn), all free (as after boot).</summary>
    public ReferenceModel(int nrPages, int startPfn = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nrPages);
        ArgumentOutOfRangeException.ThrowIfNegative(startPfn);
        NrPages = nrPages;
        StartPfn = startPfn;
        EndPfn = checked(startPfn + nrPages);
        _state = new byte[EndPfn];
        _headOrder = new byte[EndPfn];
        _changed = new DirtySet(EndPfn);
        _changedOrder = new byte[EndPfn];
    }

    /// <summary>The zone's first frame.</summary>
    public int StartPfn { get; }

    /// <summary>One past the zone's last frame.</summary>
    public int EndPfn { get; }

    /// <summary>The zone's name in violations; taken from the zone each time one is passed in.</summary>
    public string ZoneName { get; set; } = "Normal";

    /// <summary>Number of page frames.</summary>
    public int NrPages { get; }

    /// <summary>Where the frame is.</summary>
    public FrameState StateOf(int pfn) => (FrameState)_state[pfn];

    /// <summary>Allocated blocks: head pfn -> order.</summary>
    public IReadOnlyDictionary<int, int> Allocated => _allocated;

    /// <summary>Held blocks (isolate_free_page, hinting detach): head pfn -> order.</summary>
    public IReadOnlyDictionary<int, int> Held => _held;

    /// <summary>
    /// The buddy model handed out the block at pfn of 2^order pages, asked for as mt. Every frame
    /// must be free here, the block aligned and inside the zone, and no frame in an isolated
    /// pageblock. Marks the block allocated.
    /// </summary>
    public Violation? OnAllocated(Zone zone, int pfn, int order, MigrateType mt)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ZoneName = zone.Config.Name;
        string what = $"the allocator returned pfn {pfn} for an order-{order} {MigrateTypes.Name(mt)} request";
        if (BadBlock(zone.Config.Name, pfn, order, what, MigrateTypes.Name(mt)) is { } bad)
            return bad;
        int size = 1 << order;
        int busy = _state.AsSpan(pfn, size).IndexOfAnyExcept((byte)FrameState.Free);
        if (busy >= 0)
            return new Violation(InvariantName, zone.Config.Name,
                Expected: $"an order-{order} block whose every page is free",
                Found: $"{what}, but pfn {pfn + busy} is {Describe(pfn + busy)}",
                Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: pfn + busy,
                Where: $"allocation at pfn {pfn}");
        for (int p = pfn; p < pfn + size; p += 1 << zone.PageblockOrder)
        {
            // undo_isolate_page_range() gives its range back pageblock by pageblock: a block
            // freed back whole may be taken before its last pageblock is unisolated.
            if (zone.GetPageblockMigratetype(p) == MigrateType.Isolate
                && zone.IsolationWalkAt(p) is not { Direction: IsolationDirection.Unisolating })
                return new Violation(InvariantName, zone.Config.Name,
                    Expected: "no page of an isolated (MIGRATE_ISOLATE) pageblock handed out",
                    Found: $"{what}, and pageblock {p >> zone.PageblockOrder} (pfn {p & ~((1 << zone.PageblockOrder) - 1)}) of it is isolated",
                    Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: pfn,
                    Where: $"allocation at pfn {pfn}");
        }
        Mark(pfn, order, FrameState.Allocated);
        _allocated.Add(pfn, order);
        return null;
    }

    /// <summary>
    /// The buddy model found no block for an order-order request. Wrong when the reference has an
    /// aligned run of 2^order free frames in non-isolated pageblocks: every non-isolated list is
    /// reachable from any request through fallback, so that run must have been allocatable.
    /// </summary>
    public Violation? OnAllocationFailed(Zone zone, int order)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ZoneName = zone.Config.Name;
        if ((uint)order >= (uint)zone.MaxOrder)
            return null; // the allocator refuses such a request itself
        int size = 1 << order;
        int pageblockOrder = zone.PageblockOrder;
        int limit = Math.Min(EndPfn, zone.EndPfn);
        for (int start = StartPfn; start + size <= limit; start += size)
        {
            int busy = _state.AsSpan(start, size).IndexOfAnyExcept((byte)FrameState.Free);
            if (busy >= 0)
                continue;
            bool isolated = false;
            for (int p = start; p < start + size; p += 1 << pageblockOrder)
                isolated |= zone.GetPageblockMigratetype(p) == MigrateType.Isolate || zone.IsolationWalkAt(p) is not null; // a walk may hide its range's free pages until it returns
            if (isolated)
                continue;
            return new Violation(InvariantName, zone.Config.Name,
                Expected: $"an order-{order} block: pfns {start}..{start + size - 1} are all free and in non-isolated pageblocks ({MigrateTypes.Name(zone.GetPageblockMigratetype(start))}), reachable through fallback",
                Found: $"the allocator returned no block (-1); the zone says pfn {start} is {FrameState(zone, start)}",
                Order: order,
                Migratetype: MigrateTypes.Name(zone.GetPageblockMigratetype(start)),
                Pfn: start,
                Where: $"allocation failure, NR_FREE_PAGES {zone.NrFreePages}");
        }
        return null;
    }

    /// <summary>The block at pfn of 2^order pages, allocated earlier, was freed. Marks it free.</summary>
    public Violation? OnFreed(int pfn, int order) => Release(pfn, order, _allocated, "freed", "allocated");

    /// <summary>
    /// The free block at pfn of 2^order pages was taken off the lists (__isolate_free_page, or a
    /// hinting design's detach). Every frame must be free; marks the block held.
    /// </summary>
    public Violation? OnHeld(int pfn, int order)
    {
        string what = $"the order-{order} block at pfn {pfn} was taken off the free lists";
        if (BadBlock(null, pfn, order, what, null) is { } bad)
            return bad;
        int busy = _state.AsSpan(pfn, 1 << order).IndexOfAnyExcept((byte)FrameState.Free);
        if (busy >= 0)
            return new Violation(InvariantName, ZoneName,
                Expected: $"an order-{order} block whose every page is free",
                Found: $"{what}, but pfn {pfn + busy} is {Describe(pfn + busy)}",
                Order: order, Pfn: pfn + busy, Where: $"isolation of pfn {pfn}");
        Mark(pfn, order, FrameState.Held);
        _held.Add(pfn, order);
        return null;
    }

    /// <summary>The held block at pfn of 2^order pages was put back on the free lists. Marks it free.</summary>
    public Violation? OnReturned(int pfn, int order) => Release(pfn, order, _held, "put back", "held");

    /// <summary>
    /// The buddy model's state must equal the reference: the frames in free blocks on free lists
    /// are exactly the free frames here, and the allocated and held blocks (head and order) are
    /// exactly the ones here. Names the first pfn where they differ. Reads the block structure
    /// from the head pages, trusting Exclusive location for the lists themselves.
    /// </summary>
    public Violation? Compare(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ZoneName = zone.Config.Name;
        if (zone.NrPages != NrPages || zone.StartPfn != StartPfn)
            return new Violation(InvariantName, zone.Config.Name,
                Expected: $"a zone of {NrPages} pages from pfn {StartPfn}", Found: $"{zone.NrPages} pages from pfn {zone.StartPfn}");
        return CompareRange(zone, StartPfn, EndPfn);
    }

    /// <summary>Compare's walk over pfn start .. end - 1 (start a block head: the zone start, or a chunk's first page).</summary>
    private Violation? CompareRange(Zone zone, int start, int end)
    {
        var lists = zone.Lists;
        int p = start;
        while (p < end)
        {
            var f = zone.Flags(p) & StateFlags;
            int order = zone.PageOrder(p);
            if (order >= zone.MaxOrder)
                return Differ(zone, p, order, $"pfn {p} is a {HeadState(zone, p)} with an order out of range");
            int size = 1 << order;
            if (f == PageFlags.Buddy && lists.IsLinked(p))
            {
                int blockEnd = Math.Min(p + size, EndPfn);
                int busy = -1;
                if (blockEnd - p <= 16)
                {
                    for (int q = p; q < blockEnd; q++)
                    {
                        if (_state[q] != (byte)FrameState.Free)
                        {
                            busy = q - p;
                            break;
                        }
                    }
                }
                else
                    busy = _state.AsSpan(p, blockEnd - p).IndexOfAnyExcept((byte)FrameState.Free);
                if (busy >= 0)
                    return Differ(zone, p + busy, order,
                        p + busy == p ? $"pfn {p} is a {HeadState(zone, p)}" : $"pfn {p + busy} is in the {HeadState(zone, p)} at pfn {p}");
                p = blockEnd;
            }
            else if (f == PageFlags.Allocated || f == PageFlags.Held)
            {
                var want = f == PageFlags.Allocated ? FrameState.Allocated : FrameState.Held;
                if (_state[p] != (byte)want || _headOrder[p] != order + 1)
                    return Differ(zone, p, order, $"pfn {p} is a {HeadState(zone, p)}");
                p += size; // the reference's block at p has the same order, so it covers the same frames
            }
            else
            {
                return Differ(zone, p, f == 0 ? null : order,
                    f == 0 ? $"pfn {p} is {FrameState(zone, p)}"
                    : f == PageFlags.Buddy ? $"pfn {p} is a {HeadState(zone, p)} but on no list ({Links(zone, p)})"
                    : $"pfn {p} is a {HeadState(zone, p)}");
            }
        }
        return null;
    }

    private Violation Differ(Zone zone, int pfn, int? order, string found) =>
        new(InvariantName, zone.Config.Name,
            Expected: $"the reference's state: pfn {pfn} is {Describe(pfn)}",
            Found: $"in the buddy model {found}",
            Order: order,
            Migratetype: (zone.Flags(pfn) & StateFlags) != 0 ? MigrateTypes.Name(zone.BlockMigratetype(pfn)) : null,
            Pfn: pfn,
            Where: $"pageblock {pfn >> zone.PageblockOrder} ({MigrateTypes.Name(zone.GetPageblockMigratetype(pfn))})");

    private Violation? Release(int pfn, int order, Dictionary<int, int> blocks, string verb, string state)
    {
        if (blocks.TryGetValue(pfn, out int had) && had == order)
        {
            Mark(pfn, order, FrameState.Free);
            blocks.Remove(pfn);
            return null;
        }
        return new Violation(InvariantName, ZoneName,
            Expected: $"an order-{order} block {state} at pfn {pfn} before it is {verb}",
            Found: pfn >= StartPfn && pfn < EndPfn ? $"pfn {pfn} is {Describe(pfn)}" : $"pfn {pfn} is outside the zone ({StartPfn}..{EndPfn - 1})",
            Order: order, Pfn: pfn, Where: $"{verb} at pfn {pfn}");
    }

    private Violation? BadBlock(string? zoneName, int pfn, int order, string what, string? mt)
    {
        if ((uint)order > 30 || pfn < StartPfn || (long)pfn + (1L << order) > EndPfn)
            return new Violation(InvariantName, zoneName ?? ZoneName,
                Expected: $"a block inside the zone (pfn {StartPfn}..{EndPfn - 1})",
                Found: what, Order: order, Migratetype: mt, Pfn: pfn);
        if ((pfn & ((1 << order) - 1)) != 0)
            return new Violation(InvariantName, zoneName ?? ZoneName,
                Expected: $"an order-{order} block aligned to {1 << order} pages",
                Found: what, Order: order, Migratetype: mt, Pfn: pfn);
        return null;
    }

    private void Mark(int pfn, int order, FrameState state)
    {
        _state.AsSpan(pfn, 1 << order).Fill((byte)state);
        if (!_changed.Contains(pfn))
            _changedOrder[pfn] = 0;
        _changed.Mark(pfn);
        _changedOrder[pfn] = (byte)Math.Max(_changedOrder[pfn], order);
        _headOrder[pfn] = state == FrameState.Free ? (byte)0 : (byte)(order + 1);
    }

    /// <summary>The reference's view of a frame, in words.</summary>
    private string Describe(int pfn)
    {
        var state = (FrameState)_state[pfn];
        if (state == FrameState.Free)
            return "free";
        for (int o = 0; o <= 30; o++)
        {
            int head = pfn & ~((1 << o) - 1);
            int headOrder = _headOrder[head] - 1;
            if (headOrder >= 0 && (FrameState)_state[head] == state && head + (1L << headOrder) > pfn)
                return head == pfn
                    ? $"{state.ToString().ToLowerInvariant()} as the head of an order-{headOrder} block"
                    : $"{state.ToString().ToLowerInvariant()} inside the order-{headOrder} block at pfn {head}";
            if (head == 0)
                break;
        }
        return state.ToString().ToLowerInvariant();
    }
}
