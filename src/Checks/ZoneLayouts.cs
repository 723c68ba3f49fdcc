using BuddyModel;
using FsCheck;
using FsCheck.Fluent;

namespace Checks;

/// <summary>
/// Guests of several small zones for the generators: a fraction of the generated scenarios
/// (MultiZoneWeight in MultiZoneWeight + SingleZoneWeight) runs on one of these, so that the
/// per-zone rules and the rules across zones (v1's "at most one ACTIVE zone" with its global
/// boundary array, the merged design's walk over every zone, the host telling the zones' frames
/// apart) are checked by check and the properties, not only by the Coyote scenarios. Named as
/// an x86-64 guest's zones, in ascending pfn order, each start MAX_ORDER_NR_PAGES-aligned; one
/// layout leaves a hole between DMA32 and Normal (as the PCI hole below 4 GiB does).
/// </summary>
public static class ZoneLayouts
{
    /// <summary>Relative weight of a single-zone scenario in the default mix.</summary>
    public const int SingleZoneWeight = 3;

    /// <summary>Relative weight of a multi-zone scenario in the default mix.</summary>
    public const int MultiZoneWeight = 1;

    /// <summary>Zones of nrPages each, back to back from pfn 0 (hole: pages left free between the last two).</summary>
    public static ZoneConfig[] Stack(ZoneConfig shape, int[] nrPages, string[] names, int hole = 0)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(nrPages);
        ArgumentNullException.ThrowIfNull(names);
        var zones = new ZoneConfig[nrPages.Length];
        int start = 0;
        for (int i = 0; i < nrPages.Length; i++)
        {
            if (i == nrPages.Length - 1 && i > 0)
                start += hole;
            zones[i] = shape with { Name = names[i], StartPfn = start, NrPages = nrPages[i] };
            start += nrPages[i];
        }
        ZoneLayout.Validate(zones);
        return zones;
    }

    /// <summary>One layout of the list per scenario, or (weights permitting) a single zone of the other list.</summary>
    public static Gen<ZoneConfig[]> Mixed(ZoneConfig[] single, ZoneConfig[][] layouts) =>
        Gen.Frequency(
            (SingleZoneWeight, Gen.Elements(single).Select(z => new[] { z })),
            (MultiZoneWeight, Gen.Elements(layouts)));

    /// <summary>The zones after the first, or null for a single zone (Scenario.MoreZones).</summary>
    public static IReadOnlyList<ZoneConfig>? More(ZoneConfig[] layout) => layout.Length > 1 ? layout[1..] : null;
}
