namespace BuddyModel;

/// <summary>
/// The configuration of one zone. Defaults are x86-64's: MAX_ORDER 11, pageblock_order 9 and
/// 2^18 frames (1 GiB of 4 KiB pages) starting at pfn 0. Tests use small zones and small MAX_ORDER.
/// </summary>
public sealed record ZoneConfig
{
    /// <summary>
    /// zone->zone_start_pfn: the first page frame of the zone; its frames are
    /// StartPfn .. StartPfn + NrPages - 1, and every pfn the zone takes or names is absolute.
    ///
    /// Model requirement: a multiple of MAX_ORDER_NR_PAGES (2^(MaxOrder-1)). The kernel allows
    /// any start (memblock frees the unaligned edges in smaller blocks, page_is_buddy refuses a
    /// buddy in another zone); with an aligned start every block of the zone, and every buddy of
    /// a block below MAX_ORDER-1, lies inside it, so boot frees whole MAX_ORDER-1 blocks and the
    /// pageblock and isolation ranges need no clipping at the zone's edges. The real x86-64
    /// boundaries are aligned: ZONE_DMA32 starts at 16 MiB (pfn 4096), ZONE_NORMAL at 4 GiB
    /// (pfn 1048576).
    /// </summary>
    public int StartPfn { get; init; }
    /// <summary>Number of page frames; must be a positive multiple of the largest block (2^(MaxOrder-1)).</summary>
    public int NrPages { get; init; } = 1 << 18;

    /// <summary>MAX_ORDER: free_area has orders 0..MaxOrder-1. At least 2, at most 20.</summary>
    public int MaxOrder { get; init; } = 11;

    /// <summary>pageblock_order: below MaxOrder, at least 1.</summary>
    public int PageblockOrder { get; init; } = 9;

    /// <summary>
    /// When set, CONFIG_SHUFFLE_PAGE_ALLOCATOR is on and shuffle_pick_tail() draws from a
    /// generator seeded with this value. The model does not shuffle the lists at boot.
    /// </summary>
    public int? ShuffleSeed { get; init; }

    /// <summary>
    /// WMARK_MIN in pages. Null: the kernel's formula, min_free_kbytes = sqrt(16 * zone kbytes)
    /// clamped to 128..65536 KiB (1024 pages for 1 GiB).
    /// </summary>
    public int? MinWatermarkPages { get; init; }

    /// <summary>The zone's name in messages (the kernel's zone->name).</summary>
    public string Name { get; init; } = "Normal";

    /// <summary>Size of the largest block, 2^(MaxOrder-1) pages (MAX_ORDER_NR_PAGES).</summary>
    public int MaxOrderNrPages => 1 << (MaxOrder - 1);

    /// <summary>zone_end_pfn(): one past the zone's last frame.</summary>
    public int EndPfn => StartPfn + NrPages;

    /// <summary>pageblock_nr_pages.</summary>
    public int PageblockNrPages => 1 << PageblockOrder;

    /// <summary>The highest zone_end_pfn the model takes (pfns and list-node ids are ints).</summary>
    public const int MaxEndPfn = 1 << 30;

    /// <summary>Throws ArgumentException naming the field when the configuration is not usable.</summary>
    public void Validate()
    {
        if (MaxOrder < 2 || MaxOrder > 20)
            throw new ArgumentException($"MaxOrder {MaxOrder} out of range 2..20", nameof(MaxOrder));
        if (PageblockOrder < 1 || PageblockOrder >= MaxOrder)
            throw new ArgumentException($"PageblockOrder {PageblockOrder} must be in 1..MaxOrder-1 ({MaxOrder - 1})", nameof(PageblockOrder));
        if (NrPages <= 0 || NrPages % MaxOrderNrPages != 0)
            throw new ArgumentException($"NrPages {NrPages} must be a positive multiple of 2^(MaxOrder-1) = {MaxOrderNrPages}", nameof(NrPages));
        if (StartPfn < 0 || StartPfn % MaxOrderNrPages != 0)
            throw new ArgumentException($"StartPfn {StartPfn} must be a non-negative multiple of MAX_ORDER_NR_PAGES = 2^(MaxOrder-1) = {MaxOrderNrPages} (the model keeps zone_start_pfn aligned, as the x86-64 zone boundaries are)", nameof(StartPfn));
        if ((long)StartPfn + NrPages > MaxEndPfn)
            throw new ArgumentException($"StartPfn {StartPfn} + NrPages {NrPages} ends beyond pfn {MaxEndPfn} (the model's pfns are ints; list heads are numbered after the zone's last frame)", nameof(StartPfn));
        if (MinWatermarkPages is < 0)
            throw new ArgumentException($"MinWatermarkPages {MinWatermarkPages} must not be negative", nameof(MinWatermarkPages));
    }
}
