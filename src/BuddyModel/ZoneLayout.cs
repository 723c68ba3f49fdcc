namespace BuddyModel;

/// <summary>
/// The zones of one guest (one NUMA node): ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ... in ascending
/// pfn order, each its own range of frames (zone_start_pfn .. zone_end_pfn - 1). MAX_ORDER and
/// pageblock_order are compile-time constants of the kernel, so every zone has the same ones.
/// Zones may leave holes between them (a hole is not guest RAM of any zone).
/// </summary>
public static class ZoneLayout
{
    /// <summary>Throws ArgumentException naming the zone when the list is not a layout a kernel could have.</summary>
    public static void Validate(IReadOnlyList<ZoneConfig> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        if (zones.Count == 0)
            throw new ArgumentException("a guest needs at least one zone", nameof(zones));
        for (int i = 0; i < zones.Count; i++)
        {
            var z = zones[i] ?? throw new ArgumentException($"zone #{i} is null", nameof(zones));
            z.Validate();
            if (i == 0)
                continue;
            var prev = zones[i - 1];
            if (z.MaxOrder != prev.MaxOrder || z.PageblockOrder != prev.PageblockOrder)
                throw new ArgumentException($"zone #{i} ({z.Name}) has MAX_ORDER {z.MaxOrder}, pageblock_order {z.PageblockOrder}; zone #{i - 1} ({prev.Name}) has {prev.MaxOrder}, {prev.PageblockOrder}: both are global", nameof(zones));
            if (z.StartPfn < prev.EndPfn)
                throw new ArgumentException($"zone #{i} ({z.Name}) starts at pfn {z.StartPfn}, inside or below zone #{i - 1} ({prev.Name}, pfn {prev.StartPfn}..{prev.EndPfn - 1}): zones are listed in ascending pfn order and never overlap", nameof(zones));
        }
    }

    /// <summary>One past the highest frame of any zone: the guest-physical frames a host must back.</summary>
    public static int EndPfn(IReadOnlyList<ZoneConfig> zones) => zones.Max(z => z.EndPfn);
}
