using Xunit;

namespace Simulation.Tests;

/// <summary>
/// Boot watermarks against the kernel's formulas (mm/page_alloc.c __setup_per_zone_wmarks,
/// init_per_zone_wmark_min, setup_per_zone_lowmem_reserve; mm/khugepaged.c
/// set_recommended_min_free_kbytes), worked by hand for 1 GiB and 4 GiB guests: the arithmetic
/// is in the comments, so that a reviewer can check each number without running anything.
/// </summary>
public sealed class WatermarkTests
{
    private static (long, long, long) Marks(ZoneWatermarkSetup.Result r, int zone) => (r.Zones[zone].Min, r.Zones[zone].Low, r.Zones[zone].High);

    [Fact]
    public void A_1_GiB_guest_without_THP()
    {
        // managed 3840 + 258015 = 261855; int_sqrt(261855 * 4 * 16 = 16758720) = 4093 (4093^2 = 16752649,
        // 4094^2 = 16760836); pages_min 1023.
        var r = ZoneWatermarkSetup.Compute(X86GuestLayout.Zones(1024), thp: false);
        Assert.Equal(4093, r.MinFreeKbytes);
        // DMA: min 1023 * 3840 / 261855 = 15; tmp max(3, mult_frac(3840, 10, 10000) = 3) = 3.
        Assert.Equal((15, 18, 21), Marks(r, 0));
        // DMA32: min 1023 * 258015 / 261855 = 1007; tmp max(251, 25 * 10 + 8015 * 10 / 10000 = 258) = 258.
        Assert.Equal((1007, 1265, 1523), Marks(r, 1));
        // lowmem_reserve: DMA's row protects it from DMA32 allocations by 258015 / 256 = 1007.
        Assert.Equal([0L, 1007], r.Zones[0].LowmemReserve);
        Assert.Equal([0L, 0], r.Zones[1].LowmemReserve);
    }

    [Fact]
    public void A_1_GiB_guest_with_THP_has_khugepageds_min_free_kbytes()
    {
        // 512 * 2 zones * (2 + 3 * 3) = 11264 pages; the cap, ((3840 - 21) + (258015 - 1523)) / 20 = 13015,
        // does not bite: 45056 KiB, pages_min 11264.
        var r = ZoneWatermarkSetup.Compute(X86GuestLayout.Zones(1024));
        Assert.Equal(45056, r.MinFreeKbytes);
        // DMA: 11264 * 3840 / 261855 = 165, tmp max(41, 3) = 41.
        Assert.Equal((165, 206, 247), Marks(r, 0));
        // DMA32: 11264 * 258015 / 261855 = 11098, tmp max(2774, 258) = 2774.
        Assert.Equal((11098, 13872, 16646), Marks(r, 1));
    }

    [Fact]
    public void A_4_GiB_q35_guest_with_and_without_THP()
    {
        // managed 3840 + 520159 + 524288 = 1048287; int_sqrt(67090368) = 8190; pages_min 2047.
        var plain = ZoneWatermarkSetup.Compute(X86GuestLayout.Zones(4096), thp: false);
        Assert.Equal(8190, plain.MinFreeKbytes);
        Assert.Equal((7, 10, 13), Marks(plain, 0));          // tmp max(1, 3) = 3
        Assert.Equal((1015, 1535, 2055), Marks(plain, 1));   // tmp max(253, 520) = 520
        Assert.Equal((1023, 1547, 2071), Marks(plain, 2));   // tmp max(255, 524) = 524
        // lowmem_reserve: DMA [DMA32] 520159 / 256 = 2031, [Normal] 1044447 / 256 = 4079; DMA32 [Normal] 524288 / 256 = 2048.
        Assert.Equal([0L, 2031, 4079], plain.Zones[0].LowmemReserve);
        Assert.Equal([0L, 0, 2048], plain.Zones[1].LowmemReserve);
        Assert.Equal([0L, 0, 0], plain.Zones[2].LowmemReserve);

        // THP, 3 zones: 512 * 3 * 11 = 16896 pages = 67584 KiB (the cap, 52207 pages, does not bite).
        var thp = ZoneWatermarkSetup.Compute(X86GuestLayout.Zones(4096));
        Assert.Equal(67584, thp.MinFreeKbytes);
        Assert.Equal((61, 76, 91), Marks(thp, 0));
        Assert.Equal((8383, 10478, 12573), Marks(thp, 1));
        Assert.Equal((8450, 10562, 12674), Marks(thp, 2));
    }

    [Fact]
    public void The_kernels_integer_helpers()
    {
        Assert.Equal(4093, ZoneWatermarkSetup.IntSqrt(16758720));
        Assert.Equal(4094, ZoneWatermarkSetup.IntSqrt(16760836));
        Assert.Equal(0, ZoneWatermarkSetup.IntSqrt(0));
        Assert.Equal(258, ZoneWatermarkSetup.MultFrac(258015, 10, 10000));
        Assert.Equal(3, ZoneWatermarkSetup.MultFrac(3840, 10, 10000));
    }

    [Fact]
    public void Before_5_7_min_free_kbytes_stops_at_65536_and_the_floor_is_128()
    {
        // A zone of 2^30 pages would ask for int_sqrt(2^30 * 64) = 262144 KiB.
        var huge = new[] { new GuestZone("Normal", 0, 1L << 30, 1L << 30, 1L << 30) };
        Assert.Equal(65536, ZoneWatermarkSetup.Compute(huge, thp: false, before5_7: true).MinFreeKbytes);
        Assert.Equal(262144, ZoneWatermarkSetup.Compute(huge, thp: false).MinFreeKbytes);
        var tiny = new[] { new GuestZone("Normal", 0, 64, 64, 64) };
        Assert.Equal(128, ZoneWatermarkSetup.Compute(tiny, thp: false).MinFreeKbytes);
    }
}
