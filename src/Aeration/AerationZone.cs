using Kernel;
using BuddyModel;

namespace Aeration;

/// <summary>The zone flag bits the v1 series added to enum zone_flags.</summary>
public enum ZoneFlag
{
    /// <summary>ZONE_AERATION_REQUESTED: the zone wants a pass of the aerator.</summary>
    AerationRequested = 0,
    /// <summary>ZONE_AERATION_ACTIVE: the boundaries are valid for this zone and tail insertions honour them.</summary>
    AerationActive = 1,
}

/// <summary>
/// The aeration state of one zone. In v1 these are fields of struct zone (the flag bits in
/// zone->flags) and of struct free_area (nr_free_aerated); the model keeps them beside the buddy
/// model's Zone so that the allocator itself stays free of any hinting design.
/// </summary>
public sealed class AerationZone
{
    public AerationZone(Zone zone)
    {
        Zone = zone;
        NrFreeAerated = new int[zone.MaxOrder];
        Lock = new ZoneSpinLock(zone.Lock);
    }

    /// <summary>The buddy zone.</summary>
    public Zone Zone { get; }

    /// <summary>zone->flags (aeration bits).</summary>
    public FlagBits<ZoneFlag> Flags { get; } = new();

    /// <summary>free_area[order].nr_free_aerated.</summary>
    public int[] NrFreeAerated { get; }

    /// <summary>zone->lock.</summary>
    public ZoneSpinLock Lock { get; }

    /// <summary>aerator_raw_pages(): nr_free - nr_free_aerated of one order.</summary>
    public int RawBlocks(int order) => Zone.NrFree(order) - NrFreeAerated[order];

    /// <summary>
    /// Canonical state (exhaustive exploration): the aeration flag bits (REQUESTED, ACTIVE) and
    /// nr_free_aerated per order. The buddy zone writes its own state (PageAerated is one of its
    /// page flags); the lock is not state between two steps (it is free there).
    /// </summary>
    public void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Flags.WriteCanonicalState(sink);
        foreach (int n in NrFreeAerated)
            sink.Add(n);
    }

    public override string ToString() => Zone.Config.Name;
}
