using BuddyModel;

namespace Specs.Incremental;

/// <summary>
/// The incremental check of one zone's buddy invariants (Exclusive location, Counters match
/// contents, Maximal merging, Block shape): what changed since the last verified check (the
/// zone's ZoneChangeLog, recorded at the stores), a shadow of the verified state of every node
/// that changed, and the per-list counts of that state. Holds answers "surely every buddy
/// invariant holds now"; false means "maybe not", and the caller runs the full check, which
/// names the violation exactly as it always did. So the incremental check never has to
/// produce a message, only never to answer true where the full check would find a violation.
///
/// The argument rests on two facts about the last verified state: every buddy invariant held,
/// and a stronger shape held that correct models keep (call it strict): every block head is
/// aligned to its order (so every aligned block of any order is either inside one block or
/// tiled by blocks inside it), and a page with list links is a free head (and the other way round). Resync
/// establishes both over the whole zone (after a full check); each Holds re-establishes them
/// over what changed. Where strict fails but the full check passes (a model that leaves stale
/// links on an allocated page, say), the caller stays with full checks until a later full
/// check finds the shape strict again: slower, never less sound.
///
/// Per invariant, why checking the changes sees every violation the full check sees (see the
/// files of this class for the code):
/// - Exclusive location, lists: every list that holds a changed node, before (the shadow's
///   label) or now (its recorded order and migratetype), is walked whole with the full check's
///   link tests. A list not walked has no changed node on it, head included, so its walk is the
///   verified one. Every changed page and every old neighbour of a changed node that is linked
///   or PageBuddy must be reached by the walk of its own list: a node that is neither changed
///   nor such a neighbour reaches, backwards over unchanged links, either its list head or a
///   neighbour that was reached, so it is reached too (nothing falls off into a headless cycle).
/// - Exclusive location, coverage; Block shape; Maximal merging: a page's verdict depends on
///   its own flags, order and links, on its buddy's, on the pageblocks under its block and its
///   buddy's and on the isolation walks over them; every such change marks the page or the
///   pageblock (walks mark their range when they begin and end). The aligned block around
///   every change, as large as the block there before and now, is tiled again from its first
///   page (ZoneDelta.Regions says why that is enough): heads aligned and inside it, one state
///   each, the tails of changed heads clean, every changed head met as a head; the Block shape
///   pageblock rule and the merge rule for every free head there. The hinting-flag rule is per
///   page: checked on every changed page.
/// - Counters match contents: nr_free and NR_FREE_PAGES are compared in full every time
///   against the list lengths (walked lists counted anew, the others as verified), because a
///   broken allocator may write nr_free without a record (Zone.NrFreeArray).
/// </summary>
public sealed partial class ZoneDelta
{
    private readonly Zone _zone;
    private readonly int _start;
    private readonly int _nrPages;
    private readonly int _chunkOrder;

    // The verified state of every node (index: node id - zone_start_pfn).
    private readonly int[] _oldNext;
    private readonly int[] _oldPrev;
    private readonly PageFlags[] _oldFlags;
    private readonly byte[] _oldOrder;
    private readonly MigrateType[] _oldMt;

    // Per list (index: order * MigrateTypes.Count + mt): blocks and aerated blocks, verified and as walked now.
    private readonly int[] _length;
    private readonly int[] _aerated;
    private readonly int[] _newLength;
    private readonly int[] _newAerated;
    private readonly int[] _orderBlocks;   // per order: the sum of _length over its lists
    private readonly int[] _orderAerated;  // per order: the sum of _aerated
    private long _allocatablePages;        // pages on the lists other than Isolate ones, by _length

    // Scratch of one check.
    private readonly int[] _reached; // page index -> _generation when a walk met it
    private readonly int[] _headAt;  // page index -> _generation when a region's tiling met it as a head
    private int _generation;
    private readonly DirtySet _touchedLists;
    private readonly DirtySet _mustReach;
    private readonly DirtySet _points;       // page index of a change (a page, a pageblock's first page, a frame the oracle marked)
    private readonly byte[] _pointOrder;     // the least order of the region around a point
    private readonly DirtySet _regions;      // page index of a region's first page
    private readonly byte[] _regionOrder;    // its order
    private ZoneChangeLog _log;
    private ZoneChangeLog _checked;

    /// <summary>A delta for zone, recording from now on (the zone's ChangeLog). Its first Holds must be a Resync.</summary>
    public ZoneDelta(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        _zone = zone;
        _start = zone.StartPfn;
        _nrPages = zone.NrPages;
        _chunkOrder = zone.MaxOrder - 1;
        int nodes = zone.Lists.Count;
        _oldNext = new int[nodes];
        _oldPrev = new int[nodes];
        _oldFlags = new PageFlags[_nrPages];
        _oldOrder = new byte[_nrPages];
        _oldMt = new MigrateType[_nrPages];
        int lists = zone.MaxOrder * MigrateTypes.Count;
        _length = new int[lists];
        _aerated = new int[lists];
        _newLength = new int[lists];
        _newAerated = new int[lists];
        _orderBlocks = new int[zone.MaxOrder];
        _orderAerated = new int[zone.MaxOrder];
        _reached = new int[_nrPages];
        _headAt = new int[_nrPages];
        _touchedLists = new DirtySet(lists);
        _mustReach = new DirtySet(_nrPages);
        _points = new DirtySet(_nrPages);
        _pointOrder = new byte[_nrPages];
        _regions = new DirtySet(_nrPages);
        _regionOrder = new byte[_nrPages];
        _log = new ZoneChangeLog(zone);
        _checked = new ZoneChangeLog(zone);
        zone.ChangeLog = _log;
    }

    /// <summary>The zone.</summary>
    public Zone Zone => _zone;

    /// <summary>
    /// The changes the last Holds covered (valid from its Commit to the next Begin): the design's
    /// incremental checks read the changed pages and pageblocks here.
    /// </summary>
    public ZoneChangeLog Checked => _checked;

    /// <summary>The changes the check under way covers (from Begin to Commit).</summary>
    public ZoneChangeLog Pending => _log;

    /// <summary>The lists walked by the last Holds (index order * MigrateTypes.Count + mt): every list with a changed node.</summary>
    public DirtySet TouchedLists => _touchedLists;

    /// <summary>The regions tiled by the last Holds (aligned blocks around every change; RegionsHold).</summary>
    public int RegionCount => _regions.Count;

    /// <summary>Region k: its first pfn and one past its last.</summary>
    public (int Start, int End) Region(int k)
    {
        int i = _regions[k];
        return (i + _start, Math.Min(i + _start + (1 << _regionOrder[i]), _zone.EndPfn));
    }

    /// <summary>Aerated blocks on the lists of order, as of the last Holds that answered true.</summary>
    public int AeratedOn(int order) => _orderAerated[order];

    /// <summary>Mark the block of this order at pfn, and the blocks around it, for tiling (the frame oracle's own changes; call between Begin and Holds).</summary>
    public void MarkPoint(int pfn, int order)
    {
        // Its first page and its last at its order (the region around each holds the block
        // when it is aligned; both ends when it is not), and one point per chunk it crosses.
        long end = Math.Min((long)pfn + (1L << Math.Min(order, 30)), _zone.EndPfn);
        int least = Math.Min(order, _chunkOrder);
        for (long p = Math.Max(pfn, _start); p < end; p += 1 << _chunkOrder)
            Point((int)p - _start, least);
        if (end - 1 >= _start && end - 1 >= pfn)
            Point((int)(end - 1) - _start, least);
    }

    private void Point(int i, int order)
    {
        if (!_points.Contains(i))
            _pointOrder[i] = 0;
        _points.Mark(i);
        if (order > _pointOrder[i])
            _pointOrder[i] = (byte)order;
    }

    /// <summary>
    /// Start a check: collect the lists and points the changes since the last verified check
    /// touch. everything: as if every node and pageblock changed (Resync).
    /// </summary>
    public void Begin(bool everything)
    {
        if (everything)
        {
            _log.Nodes.MarkAll();
            _log.Pageblocks.MarkAll();
        }
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_reached);
            Array.Clear(_headAt);
            _generation = 1;
        }
        _touchedLists.Clear();
        _mustReach.Clear();
        _points.Clear();
        _regions.Clear();
        if (everything)
            for (int i = 0; i < _nrPages; i += 1 << _chunkOrder)
                Point(i, _chunkOrder);
        var nodes = _log.Nodes;
        for (int k = 0; k < nodes.Count; k++)
        {
            int i = nodes[k];
            if (i >= _nrPages)
                _touchedLists.Mark(i - _nrPages); // a list head: node ids after the zone's pages, order * Count + mt
            else
            {
                if ((_oldFlags[i] & PageFlags.Buddy) != 0)
                    _touchedLists.Mark(_oldOrder[i] * MigrateTypes.Count + (int)_oldMt[i]);
                _mustReach.Mark(i);
                if (!everything)
                    Point(i, 0);
            }
            MustReachNode(_oldNext[i]);
            MustReachNode(_oldPrev[i]);
        }
        var pageblocks = _log.Pageblocks;
        for (int k = 0; k < pageblocks.Count && !everything; k++)
            Point(pageblocks[k] << _zone.PageblockOrder, _zone.PageblockOrder);
    }

    private void MustReachNode(int id)
    {
        int i = id - _start;
        if ((uint)i < (uint)_nrPages)
            _mustReach.Mark(i);
    }

    /// <summary>
    /// Whether every buddy invariant surely holds (and the strict shape with it), given that
    /// they held at the last verified check. Call after Begin (and MarkPoint).
    /// </summary>
    public bool Holds() => LabelsKnown() && ListsHold() && CountersHold() && RegionsHold() && ChangedPagesHold();

    /// <summary>
    /// The state checked is the verified one now: the shadow takes the changed nodes, the
    /// counts the walked lists, and the log starts afresh (the covered changes stay readable
    /// in Checked).
    /// </summary>
    public void Commit()
    {
        var lists = _zone.Lists;
        var nodes = _log.Nodes;
        for (int k = 0; k < nodes.Count; k++)
        {
            int i = nodes[k];
            _oldNext[i] = lists.Next(i + _start);
            _oldPrev[i] = lists.Prev(i + _start);
            if (i < _nrPages)
            {
                int pfn = i + _start;
                _oldFlags[i] = _zone.Flags(pfn);
                _oldOrder[i] = (byte)_zone.PageOrder(pfn);
                _oldMt[i] = _zone.BlockMigratetype(pfn);
            }
        }
        for (int k = 0; k < _touchedLists.Count; k++)
        {
            int li = _touchedLists[k];
            int order = li / MigrateTypes.Count;
            int delta = _newLength[li] - _length[li];
            _orderBlocks[order] += delta;
            if ((MigrateType)(li % MigrateTypes.Count) != MigrateType.Isolate)
                _allocatablePages += (long)delta << order;
            _orderAerated[order] += _newAerated[li] - _aerated[li];
            _length[li] = _newLength[li];
            _aerated[li] = _newAerated[li];
        }
        (_log, _checked) = (_checked, _log);
        _log.Clear();
        _zone.ChangeLog = _log;
    }

    /// <summary>After a check that was not verified: keep recording, and let the next check be a Resync.</summary>
    public void Abandon() => _checked.Clear();

    /// <summary>Resync over the whole zone: true when the strict shape holds everywhere (the full check has just passed).</summary>
    public bool Resync()
    {
        Begin(everything: true);
        if (!Holds())
            return false;
        Commit();
        return true;
    }
}
