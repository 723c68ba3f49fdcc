using BuddyModel;

namespace Aeration;

/// <summary>
/// boundary[MAX_ORDER - AERATOR_MIN_ORDER][MIGRATE_TYPES] of mm/aeration.c: one global array of
/// list-node pointers, shared by all zones, so only one zone may be ACTIVE at a time. A
/// boundary points at the first (topmost) aerated block of its list, or at the list head when
/// none is aerated; "tail" insertions go in just above it.
/// The model stores (zone, node id) so that using one zone's boundary in another zone is
/// visible instead of silently indexing the wrong list.
/// </summary>
public sealed class AeratorBoundary
{
    private readonly int _minOrder;
    private readonly (Zone? Zone, int Node)[,] _boundary;

    public AeratorBoundary(int minOrder, int maxOrder)
    {
        _minOrder = minOrder;
        _boundary = new (Zone?, int)[maxOrder - minOrder, MigrateTypes.Count];
    }

    /// <summary>AERATOR_MIN_ORDER.</summary>
    public int MinOrder => _minOrder;

    /// <summary>The raw entry: which zone's node the pointer refers to (null zone: never set).</summary>
    public (Zone? Zone, int Node) Get(int order, MigrateType mt) => _boundary[order - _minOrder, (int)mt];

    /// <summary>aerator_reset_boundary(): point at the list head of the zone's free_list.</summary>
    public void Reset(Zone zone, int order, MigrateType mt)
    {
        _boundary[order - _minOrder, (int)mt] = (zone, zone.ListHead(order, mt));
        Version++;
    }

    /// <summary>aerator_add_to_boundary(): the block at pfn is now the topmost aerated block.</summary>
    public void Add(Zone zone, int pfn, int order, MigrateType mt)
    {
        _boundary[order - _minOrder, (int)mt] = (zone, pfn);
        Version++;
    }

    /// <summary>Counts the writes to the array (not kernel state): an incremental checker compares the boundaries only when it moved.</summary>
    public long Version { get; private set; }

    /// <summary>
    /// Canonical state (exhaustive exploration): every entry as (the zone's index in zones, or
    /// -1 when never set; the node id: a pfn or a list head's id). The caller decides whether
    /// the array is live (Aerator.WriteCanonicalState writes it only while a zone is ACTIVE).
    /// </summary>
    public void WriteCanonicalState(ICanonicalStateSink sink, IReadOnlyList<Zone> zones)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(zones);
        foreach (var (zone, node) in _boundary)
        {
            int index = -1;
            for (int i = 0; i < zones.Count; i++)
                if (ReferenceEquals(zones[i], zone))
                    index = i;
            sink.Add(index);
            sink.Add(zone is null ? 0 : node);
        }
    }

    /// <summary>
    /// __aerator_del_from_boundary(): the block at pfn leaves its list; if it is the boundary,
    /// the boundary moves to the next node toward the tail. Returns whether it moved.
    /// </summary>
    public bool Del(Zone zone, int pfn, int order, MigrateType mt)
    {
        ref var b = ref _boundary[order - _minOrder, (int)mt];
        if (b.Zone != zone || b.Node != pfn)
            return false;
        b = (zone, zone.Lists.Next(pfn));
        Version++;
        return true;
    }
}
