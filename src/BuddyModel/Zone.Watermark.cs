namespace BuddyModel;

/// <summary>__zone_watermark_ok() (mm/page_alloc.c), without lowmem_reserve, ALLOC_HARDER or CMA.</summary>
public partial class Zone
{
    /// <summary>
    /// Whether an allocation of 2^order pages leaves more than mark free pages and, for order
    /// > 0, whether a block of at least that order is free on an allocatable list.
    /// </summary>
    public bool ZoneWatermarkOk(int order, long mark)
    {
        ValidateOrder(order);
        long freePages = NrFreePages - ((1L << order) - 1);
        if (freePages <= mark)
            return false;
        if (order == 0)
            return true;
        for (int o = order; o < MaxOrder; o++)
        {
            if (_nrFree[o] == 0)
                continue;
            for (int mt = 0; mt < MigrateTypes.PcpTypes; mt++)
                if (!Lists.IsEmpty(HeadOf(o, (MigrateType)mt)))
                    return true;
        }
        return false;
    }
}
