namespace Simulation;

/// <summary>One zone's watermarks in pages (zone->_watermark[WMARK_MIN/LOW/HIGH]) and its lowmem_reserve[] row.</summary>
public sealed record ZoneWatermarks(string Zone, long Min, long Low, long High, IReadOnlyList<long> LowmemReserve);

/// <summary>
/// The watermarks of a guest's zones as the kernel sets them at boot (mm/page_alloc.c, read in
/// 6.1 and 6.12; the same arithmetic since 4.6):
/// 1. init_per_zone_wmark_min(): min_free_kbytes = int_sqrt(lowmem_kbytes * 16), clamped to
///    128 .. 262144 KiB (65536 before 5.7, "mm/page_alloc: increase default min_free_kbytes
///    bound"), lowmem_kbytes being nr_free_buffer_pages() * 4: at this first call every
///    watermark is 0, so the sum of the zones' managed pages.
/// 2. __setup_per_zone_wmarks(): pages_min = min_free_kbytes / 4; per zone
///    min = pages_min * managed / lowmem_pages (truncating), tmp = max(min / 4,
///    mult_frac(managed, watermark_scale_factor = 10, 10000)), low = min + tmp, high = low + tmp.
///    No boost (watermark_boost is 0 at boot).
/// 3. setup_per_zone_lowmem_reserve(): for a zone i and each higher zone j, lowmem_reserve[j] =
///    the managed pages of zones i+1..j / sysctl_lowmem_reserve_ratio[i] (DMA 256, DMA32 256,
///    Normal 32); 0 for j &lt;= i.
/// 4. With transparent huge pages enabled (always or madvise, as distro kernels boot),
///    khugepaged's set_recommended_min_free_kbytes() raises min_free_kbytes to
///    pageblock_nr_pages * nr_zones * (2 + MIGRATE_PCPTYPES^2), at most 5 % of
///    nr_free_buffer_pages() (managed minus high watermark, summed, with step 2's watermarks),
///    when that is more, and sets the watermarks again (step 2). lowmem_reserve does not depend
///    on it.
/// </summary>
public static class ZoneWatermarkSetup
{
    /// <summary>watermark_scale_factor's default.</summary>
    public const int WatermarkScaleFactor = 10;

    /// <summary>MIGRATE_PCPTYPES: Unmovable, Movable, Reclaimable.</summary>
    public const int MigratePcpTypes = 3;

    /// <summary>min_free_kbytes' clamp, and its upper bound before 5.7.</summary>
    public const long MinFreeKbytesFloor = 128, MinFreeKbytesCeiling = 262144, MinFreeKbytesCeilingBefore5_7 = 65536;

    /// <summary>The result: min_free_kbytes and each zone's watermarks, in the zones' order.</summary>
    public sealed record Result(long MinFreeKbytes, IReadOnlyList<ZoneWatermarks> Zones);

    /// <summary>The boot watermarks of zones (in ascending order, DMA first); thp: khugepaged's raise; before5_7: the 65536 KiB bound.</summary>
    public static Result Compute(IReadOnlyList<GuestZone> zones, int pageblockOrder = 9, bool thp = true, bool before5_7 = false)
    {
        ArgumentNullException.ThrowIfNull(zones);
        if (zones.Count == 0)
            throw new ArgumentException("a guest needs at least one zone", nameof(zones));
        long managed = zones.Sum(z => z.ManagedPages);
        long kbytes = IntSqrt(managed * 4 * 16);
        long minFree = Math.Clamp(kbytes, MinFreeKbytesFloor, before5_7 ? MinFreeKbytesCeilingBefore5_7 : MinFreeKbytesCeiling);
        var marks = Watermarks(zones, minFree);
        if (thp)
        {
            long pageblock = 1L << pageblockOrder;
            int populated = zones.Count(z => z.ManagedPages > 0);
            long recommended = pageblock * populated * (2 + MigratePcpTypes * MigratePcpTypes);
            long freeBuffer = zones.Zip(marks).Sum(p => Math.Max(0, p.First.ManagedPages - p.Second.High));
            recommended = Math.Min(recommended, freeBuffer / 20) * 4;   // pages to KiB
            if (recommended > minFree)
            {
                minFree = recommended;
                marks = Watermarks(zones, minFree);
            }
        }
        var reserve = LowmemReserve(zones);
        return new Result(minFree, zones.Select((z, i) => new ZoneWatermarks(z.Name, marks[i].Min, marks[i].Low, marks[i].High, reserve[i])).ToArray());
    }

    /// <summary>sysctl_lowmem_reserve_ratio[] of a zone by name (DMA 256, DMA32 256, Normal 32).</summary>
    public static int LowmemReserveRatio(string zone) => zone switch
    {
        "DMA" or "DMA32" => 256,
        "Normal" => 32,
        _ => 0,
    };

    private static (long Min, long Low, long High)[] Watermarks(IReadOnlyList<GuestZone> zones, long minFreeKbytes)
    {
        long pagesMin = minFreeKbytes >> 2;
        long lowmem = zones.Sum(z => z.ManagedPages);
        return zones.Select(z =>
        {
            long min = lowmem == 0 ? 0 : (long)((UInt128)(ulong)pagesMin * (ulong)z.ManagedPages / (ulong)lowmem);
            long tmp = Math.Max(min >> 2, MultFrac(z.ManagedPages, WatermarkScaleFactor, 10000));
            return (min, min + tmp, min + 2 * tmp);
        }).ToArray();
    }

    private static long[][] LowmemReserve(IReadOnlyList<GuestZone> zones)
    {
        var rows = new long[zones.Count][];
        for (int i = 0; i < zones.Count; i++)
        {
            rows[i] = new long[zones.Count];
            int ratio = LowmemReserveRatio(zones[i].Name);
            long sum = 0;
            for (int j = i + 1; j < zones.Count; j++)
            {
                sum += zones[j].ManagedPages;
                rows[i][j] = ratio == 0 || zones[i].ManagedPages == 0 ? 0 : sum / ratio;
            }
        }
        return rows;
    }

    /// <summary>The kernel's mult_frac(x, n, d): x * n / d without overflowing, (x / d) * n + (x % d) * n / d.</summary>
    public static long MultFrac(long x, long n, long d) => x / d * n + x % d * n / d;

    /// <summary>The kernel's int_sqrt: the largest r with r * r &lt;= x.</summary>
    public static long IntSqrt(long x)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        long r = (long)Math.Sqrt(x);
        while (r * r > x)
            r--;
        while ((r + 1) * (r + 1) <= x)
            r++;
        return r;
    }
}
