namespace BuddyModel;

/// <summary>
/// zone->_watermark[WMARK_MIN/LOW/HIGH] in pages, computed as __setup_per_zone_wmarks() does
/// for a single zone with watermark_scale_factor 10: low = min + tmp, high = min + 2 * tmp,
/// tmp = max(min / 4, managed_pages * 10 / 10000). Boosting is not modelled.
/// </summary>
public readonly record struct Watermarks(long Min, long Low, long High)
{
    public static Watermarks For(ZoneConfig config)
    {
        long min = config.MinWatermarkPages ?? KernelMin(config.NrPages);
        long tmp = Math.Max(min / 4, (long)config.NrPages * 10 / 10000);
        return new Watermarks(min, min + tmp, min + 2 * tmp);
    }

    /// <summary>init_per_zone_wmark_min(): min_free_kbytes = int_sqrt(lowmem_kbytes * 16), clamped to 128..65536.</summary>
    private static long KernelMin(int nrPages)
    {
        long kbytes = (long)nrPages * 4;
        long minFreeKbytes = (long)Math.Sqrt(kbytes * 16.0);
        minFreeKbytes = Math.Clamp(minFreeKbytes, 128, 65536);
        return minFreeKbytes / 4;
    }
}
