using BuddyModel;
using Xunit;

namespace Simulation.Tests;

/// <summary>
/// The per-cpu lists against the kernel's numbers (zone_batchsize, zone_highsize, nr_pcp_free)
/// and rules: a cached free stays off the buddy (and so notifies nobody) until a drain, which
/// frees from the tails into the buddy.
/// </summary>
public sealed class PerCpuPagesTests
{
    private static Zone SmallZone() => new(new ZoneConfig { NrPages = 1024, MaxOrder = 5, PageblockOrder = 3 }, KernelEra.V5_10);

    [Theory]
    [InlineData(258015, 63)]   // DMA32 of a 1 GiB guest: 251, /4 = 62, 62 + 31 = 93, 64 - 1
    [InlineData(262144, 63)]
    [InlineData(3840, 0)]      // DMA: 3 / 4 = 0, raised to 1; 1 + 0 = 1; 1 - 1 = 0 (pcp->batch becomes 1)
    [InlineData(1L << 22, 63)] // capped at 1 MiB worth: 256 / 4 = 64, 96, 64 - 1
    [InlineData(16384, 3)]     // 16, /4 = 4, 6, 4 - 1
    public void Batch_is_zone_batchsize(long managed, int batch)
    {
        Assert.Equal(batch, PerCpuPages.ZoneBatchsize(managed));
    }

    [Fact]
    public void High_follows_the_era()
    {
        var zone = SmallZone();
        // 5.7..5.13: 6 * batch: DMA32's 378, DMA's 0 (batch 0: every free drains at once).
        Assert.Equal(378, new PerCpuPages(zone, PcpEra.Before5_14, 258015, lowWatermark: 1265, cpus: 2).High);
        Assert.Equal(0, new PerCpuPages(zone, PcpEra.Before5_14, 3840, lowWatermark: 18, cpus: 2).High);
        // 5.14+: max(low / CPUs, 4 * batch): the 1 GiB guest's DMA32 with THP watermarks (low 13872), 2 CPUs: 6936.
        Assert.Equal(6936, new PerCpuPages(zone, PcpEra.Since5_14, 258015, lowWatermark: 13872, cpus: 2).High);
        Assert.Equal(252, new PerCpuPages(zone, PcpEra.Since5_14, 258015, lowWatermark: 100, cpus: 2).High);
    }

    [Fact]
    public void Before_5_14_only_order_0_is_cached_and_a_free_stays_off_the_buddy_until_high()
    {
        var zone = SmallZone();
        var pcp = new PerCpuPages(zone, PcpEra.Before5_14, managedPages: 16384, lowWatermark: 0, cpus: 1); // batch 3, high 18
        Assert.Equal((3, 18L), (pcp.Batch, pcp.High));
        Assert.False(pcp.AllowedOrder(1));
        long free0 = zone.NrFreePages;
        int a = pcp.Allocate(0, MigrateType.Movable);   // refill: 3 pages taken from the buddy, one handed out
        Assert.Equal(free0 - 3, zone.NrFreePages);
        Assert.Equal(2, pcp.Count);
        pcp.Free(a, 0);                                   // back on the list, not in the buddy
        Assert.Equal(free0 - 3, zone.NrFreePages);
        Assert.Equal(3, pcp.Count);
        int b = pcp.Allocate(1, MigrateType.Movable);     // order 1: straight from the buddy
        Assert.Equal(free0 - 5, zone.NrFreePages);
        pcp.Free(b, 1);
        Assert.Equal(free0 - 3, zone.NrFreePages);
    }

    [Fact]
    public void A_free_that_reaches_high_drains_batch_pages_into_the_buddy()
    {
        var zone = SmallZone();
        var pcp = new PerCpuPages(zone, PcpEra.Before5_14, managedPages: 16384, lowWatermark: 0, cpus: 1); // batch 3, high 18
        var pages = new List<int>();
        for (int i = 0; i < 18; i++)
            pages.Add(zone.Allocate(0, MigrateType.Movable));   // handed out by the buddy directly
        long free0 = zone.NrFreePages;
        for (int i = 0; i < 17; i++)
            pcp.Free(pages[i], 0);
        Assert.Equal((17L, 0L, free0), (pcp.Count, pcp.Drained, zone.NrFreePages));
        pcp.Free(pages[17], 0);                                 // count 18 = high: free 3 from the tail
        Assert.Equal((15L, 3L, free0 + 3), (pcp.Count, pcp.Drained, zone.NrFreePages));
        // Frees go to the head, a drain takes from the tail: the three freed first went to the buddy.
        Assert.All(pages.Take(3), p => Assert.Equal(PageFlags.None, zone.Flags(p) & PageFlags.Allocated));
        Assert.All(pages.Skip(3), p => Assert.Equal(PageFlags.Allocated, zone.Flags(p) & PageFlags.Allocated));
        pcp.DrainAll();
        Assert.Equal((0L, free0 + 18), (pcp.Count, zone.NrFreePages));
    }

    [Fact]
    public void Since_5_14_high_orders_and_the_THP_order_are_cached_and_drains_grow_with_free_factor()
    {
        var zone = SmallZone();
        var pcp = new PerCpuPages(zone, PcpEra.Since5_14, managedPages: 16384, lowWatermark: 0, cpus: 1); // batch 3, high 12
        Assert.Equal((3, 12L), (pcp.Batch, pcp.High));
        Assert.True(pcp.AllowedOrder(3));
        Assert.True(pcp.AllowedOrder(zone.PageblockOrder));
        Assert.False(pcp.AllowedOrder(4));
        var pages = Enumerable.Range(0, 40).Select(_ => zone.Allocate(0, MigrateType.Movable)).ToList();
        var drained = new List<long>();
        foreach (int p in pages)
        {
            long before = pcp.Drained;
            pcp.Free(p, 0);
            if (pcp.Drained > before)
                drained.Add(pcp.Drained - before);
        }
        // nr_pcp_free: batch << free_factor clamped to batch .. high - batch = 3 .. 9: 3, 6, 9, 9, ...
        Assert.Equal([3L, 6, 9, 9, 9], drained.Take(5));
    }

    [Fact]
    public void A_free_into_an_isolated_pageblock_bypasses_the_lists()
    {
        var zone = SmallZone();
        var pcp = new PerCpuPages(zone, PcpEra.Since5_14, managedPages: 16384, lowWatermark: 0, cpus: 1);
        int p = zone.Allocate(0, MigrateType.Movable);
        zone.SetPageblockMigratetype(p, MigrateType.Isolate);
        pcp.Free(p, 0);
        Assert.Equal(0, pcp.Count);
        Assert.Equal(PageFlags.None, zone.Flags(p) & PageFlags.Allocated);   // in the buddy, not on a list
    }
}
