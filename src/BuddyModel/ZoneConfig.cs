namespace BuddyModel;

/// <summary>
/// The configuration of one zone. Defaults are x86-64's: MAX_ORDER 11, pageblock_order 9 and
/// 2^18 frames (1 GiB of 4 KiB pages). Tests use small zones and small MAX_ORDER.
/// </summary>
public sealed record ZoneConfig
{
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

    /// <summary>pageblock_nr_pages.</summary>
    public int PageblockNrPages => 1 << PageblockOrder;

    /// <summary>Throws ArgumentException naming the field when the configuration is not usable.</summary>
    public void Validate()
    {
        if (MaxOrder < 2 || MaxOrder > 20)
            throw new ArgumentException($"MaxOrder {MaxOrder} out of range 2..20", nameof(MaxOrder));
        if (PageblockOrder < 1 || PageblockOrder >= MaxOrder)
            throw new ArgumentException($"PageblockOrder {PageblockOrder} must be in 1..MaxOrder-1 ({MaxOrder - 1})", nameof(PageblockOrder));
        if (NrPages <= 0 || NrPages % MaxOrderNrPages != 0)
            throw new ArgumentException($"NrPages {NrPages} must be a positive multiple of 2^(MaxOrder-1) = {MaxOrderNrPages}", nameof(NrPages));
        if (MinWatermarkPages is < 0)
            throw new ArgumentException($"MinWatermarkPages {MinWatermarkPages} must not be negative", nameof(MinWatermarkPages));
    }
}
