namespace BuddyModel;

/// <summary>
/// What changed in a zone since an incremental checker last looked: every list node whose
/// links were written (a page's lru node or a list head, FreeListNodes), every page whose
/// flags, order or recorded migratetype were written, and every pageblock whose migratetype
/// was written or whose isolation walk began or ended. Recorded at the stores themselves, not
/// at the calls, so that a subclass (a deliberately broken allocator) that changes state on a
/// path of its own is recorded too; the one store it can make unrecorded is to nr_free
/// (NrFreeArray) and the zone counters, which the checker compares in full every time.
/// A record, not kernel state: the kernel has no counterpart.
/// </summary>
public sealed class ZoneChangeLog
{
    /// <summary>A log for a zone: node ids StartPfn .. StartPfn + Lists.Count - 1, pageblocks 0 .. NrPages >> PageblockOrder - 1.</summary>
    public ZoneChangeLog(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        FirstNode = zone.StartPfn;
        Nodes = new DirtySet(zone.Lists.Count);
        Pageblocks = new DirtySet(zone.NrPages >> zone.PageblockOrder);
    }

    /// <summary>The node id that index 0 of Nodes stands for (zone_start_pfn).</summary>
    public int FirstNode { get; }

    /// <summary>Nodes (pages and list heads) written, as node id - FirstNode.</summary>
    public DirtySet Nodes { get; }

    /// <summary>Pageblocks written, by index within the zone.</summary>
    public DirtySet Pageblocks { get; }

    /// <summary>Record a write to node id (a pfn or a list head).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Node(int id) => Nodes.Mark(id - FirstNode);

    /// <summary>Forget everything recorded (the checker has looked).</summary>
    public void Clear()
    {
        Nodes.Clear();
        Pageblocks.Clear();
    }
}
