using BuddyModel;
using Harness;
using Harness.Operations;
using Specs.Buddy;
using Xunit;

namespace Properties.Zones;

/// <summary>
/// zone_start_pfn: a zone's frames are absolute pfns from its start, buddies are computed on
/// absolute pfns (pfn ^ (1 &lt;&lt; order)), nothing outside [start, end) is taken, and a guest
/// of several zones keeps their frames apart.
/// </summary>
public sealed class ZoneStartPfnTests
{
    private static Zone At(int start, int nrPages = 64, int maxOrder = 4, int pageblockOrder = 2) =>
        new(new ZoneConfig { Name = $"Z{start}", StartPfn = start, NrPages = nrPages, MaxOrder = maxOrder, PageblockOrder = pageblockOrder, MinWatermarkPages = 0 });

    [Fact]
    public void Boot_frees_top_order_blocks_at_absolute_pfns_from_the_start()
    {
        var zone = At(1024);
        Assert.Equal(1024, zone.StartPfn);
        Assert.Equal(1088, zone.EndPfn);
        Assert.Equal(8, zone.NrFree(3));
        for (int pfn = 1024; pfn < 1088; pfn += 8)
        {
            Assert.True(zone.PageBuddy(pfn), $"pfn {pfn}");
            Assert.Equal(3, zone.PageOrder(pfn));
        }
        Assert.Null(BuddyInvariants.CheckAll(zone));
    }

    [Fact]
    public void Buddies_of_absolute_pfns_merge_as_the_kernel_computes_them()
    {
        var zone = At(1024);
        var pages = new List<int>();
        for (int i = 0; i < 8; i++)
            pages.Add(zone.Allocate(0, MigrateType.Movable));
        // 5.2 boot frees ascending at the head, so the list's first block is the zone's last:
        // its eight pages are pfns 1080..1087.
        Assert.Equal(Enumerable.Range(1080, 8), pages.Order());
        zone.Free(1085, 0);
        zone.Free(1084, 0); // 1085 ^ 1 = 1084
        Assert.True(zone.PageBuddy(1084));
        Assert.Equal(1, zone.PageOrder(1084));
        zone.Free(1087, 0);
        zone.Free(1086, 0); // 1086 ^ 1 = 1087, then 1086 ^ 2 = 1084
        Assert.Equal(2, zone.PageOrder(1084));
        foreach (int p in new[] { 1080, 1081, 1082, 1083 })
            zone.Free(p, 0);
        Assert.True(zone.PageBuddy(1080));
        Assert.Equal(3, zone.PageOrder(1080)); // 1080 ^ 4 = 1084: back to the boot block
        Assert.Null(BuddyInvariants.CheckAll(zone));
    }

    [Fact]
    public void A_block_at_the_zone_start_never_merges_across_into_the_zone_below()
    {
        // Zones of one MAX_ORDER-1 block each: the top order never merges (order < MAX_ORDER-1),
        // so the zone's first block stays whole beside the zone below.
        var low = At(0, nrPages: 8);
        var high = At(8, nrPages: 8);
        int a = high.Allocate(3, MigrateType.Movable);
        Assert.Equal(8, a);
        high.Free(8, 3);
        Assert.True(high.PageBuddy(8));
        Assert.Equal(3, high.PageOrder(8));
        Assert.Equal(1, high.NrFree(3));
        Assert.Equal(1, low.NrFree(3));
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(1088)]
    [InlineData(0)]
    public void Pfns_outside_start_to_end_are_refused_naming_the_range(int pfn)
    {
        var zone = At(1024);
        Assert.False(zone.SpansPfn(pfn));
        var ex = Assert.Throws<BadPageException>(() => zone.Flags(pfn));
        Assert.Contains("outside zone Z1024 (pfn 1024..1087)", ex.Message, StringComparison.Ordinal);
        var free = Assert.Throws<BadPageException>(() => zone.Free(pfn & ~7, 0));
        Assert.Contains("pfn 1024..1087", free.Message, StringComparison.Ordinal);
        Assert.Contains("outside zone", zone.Describe(pfn), StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_and_last_frames_are_the_zones()
    {
        var zone = At(1024);
        Assert.True(zone.SpansPfn(1024));
        Assert.True(zone.SpansPfn(1087));
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(1087));
        zone.SetPageblockMigratetype(1084, MigrateType.Unmovable);
        Assert.Equal(MigrateType.Unmovable, zone.GetPageblockMigratetype(1087));
        Assert.Equal(MigrateType.Movable, zone.GetPageblockMigratetype(1083));
        // List heads are numbered after the last frame, so a node id is still a pfn.
        Assert.True(zone.IsListHead(zone.ListHead(0, MigrateType.Unmovable)));
        Assert.True(zone.ListHead(0, MigrateType.Unmovable) >= 1088);
        Assert.False(zone.IsListHead(1087));
    }

    [Theory]
    [InlineData(4, 11)]
    [InlineData(4096 + 512, 11)]
    [InlineData(12, 4)]
    [InlineData(-8, 4)]
    public void A_start_not_aligned_to_MAX_ORDER_NR_PAGES_is_refused_naming_StartPfn(int start, int maxOrder)
    {
        var config = new ZoneConfig { StartPfn = start, NrPages = 1 << (maxOrder - 1), MaxOrder = maxOrder, PageblockOrder = 2 };
        var ex = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("StartPfn", ex.ParamName);
        Assert.Contains($"StartPfn {start} must be a non-negative multiple of MAX_ORDER_NR_PAGES", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Zone(config));
    }

    [Fact]
    public void The_x86_64_DMA32_and_Normal_boundaries_are_valid_starts()
    {
        var dma32 = new Zone(new ZoneConfig { Name = "DMA32", StartPfn = 4096, NrPages = 2048 });          // 16 MiB
        var normal = new Zone(new ZoneConfig { Name = "Normal", StartPfn = 1 << 20, NrPages = 2048 });    // 4 GiB
        Assert.Equal(4096 + 1024, dma32.Allocate(0, MigrateType.Movable)); // the list's first block: the zone's last
        Assert.Equal((1 << 20) + 1024, normal.Allocate(10, MigrateType.Movable));
        Assert.Equal(1 << 20, normal.Allocate(10, MigrateType.Movable));
        Assert.Null(BuddyInvariants.CheckAll(dma32));
        Assert.Null(BuddyInvariants.CheckAll(normal));
    }

    [Fact]
    public void A_layout_with_overlapping_or_unlike_zones_is_refused()
    {
        var dma32 = new ZoneConfig { Name = "DMA32", StartPfn = 0, NrPages = 64, MaxOrder = 4, PageblockOrder = 2 };
        var overlap = Assert.Throws<ArgumentException>(() => ZoneLayout.Validate([dma32, dma32 with { Name = "Normal", StartPfn = 56 }]));
        Assert.Contains("zone #1 (Normal) starts at pfn 56, inside or below zone #0 (DMA32, pfn 0..63)", overlap.Message, StringComparison.Ordinal);
        var unlike = Assert.Throws<ArgumentException>(() => ZoneLayout.Validate([dma32, dma32 with { Name = "Normal", StartPfn = 64, MaxOrder = 5, NrPages = 64 }]));
        Assert.Contains("both are global", unlike.Message, StringComparison.Ordinal);
        ZoneLayout.Validate([dma32, dma32 with { Name = "Normal", StartPfn = 128 }]); // a hole is allowed
    }

    [Fact]
    public void A_guest_of_two_zones_addresses_each_by_the_operations_zone_index()
    {
        var dma32 = new ZoneConfig { Name = "DMA32", NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 0 };
        var normal = dma32 with { Name = "Normal", StartPfn = 128 };
        var scenario = new Scenario(dma32, [
            new AllocPages(0, MigrateType.Movable),
            new AllocPages(0, MigrateType.Movable, Zone: 1),
            new AllocPages(0, MigrateType.Movable, Zone: 3), // read modulo the zones: zone 1
            new SetPageblockMigratetype(1, MigrateType.Unmovable, Zone: 1),
            new IsolateFreePage(0, Zone: 1),
            new FreePages(1),
        ], MoreZones: [normal]);
        var sys = new BuddySystem(scenario.Zones.Select(c => new Zone(c)).ToList());
        var log = scenario.Operations.Select(op => sys.Apply(op)!).ToList();
        Assert.Equal("pfn 56 in DMA32", log[0].Note);
        Assert.Equal("pfn 184 in Normal", log[1].Note);
        Assert.Equal("pfn 185 in Normal", log[2].Note);
        Assert.Equal("pageblock at pfn 132 is Unmovable", log[3].Note);
        Assert.Equal("isolated pfn 128 order 3", log[4].Note);
        Assert.Equal("freed pfn 184 order 0", log[5].Note);
        Assert.All(log, o => Assert.Null(o.Violation));
        Assert.Null(sys.CheckInvariants());
        Assert.Same(sys.Zones[1], sys.ZoneOf(130));
        Assert.Equal("alloc_pages(order 0, Movable, zone #1)", scenario.Operations[1].ToString());
        Assert.Equal("set pageblock #1 of zone #1 to Unmovable", scenario.Operations[3].ToString());
        Assert.Equal("alloc_pages(order 0, Movable)", scenario.Operations[0].ToString());
        Assert.True(ScenarioRunner.Run(scenario).Passed);
    }

    [Fact]
    public void The_host_is_told_absolute_guest_physical_addresses_and_each_hint_lies_in_one_zone()
    {
        var dma32 = new ZoneConfig { Name = "DMA32", NrPages = 128, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 };
        var scenario = new Scenario(dma32, [new StartAerator(), new AllocPages(0, MigrateType.Movable)],
            new AerationSetup { Aerator = new global::Aeration.AeratorConfig { Hwm = 1, Capacity = 2 } }, null, [dma32 with { Name = "Normal", StartPfn = 128 }]);
        AerationSystem? sys = null;
        var report = ScenarioRunner.Run(scenario, sc => sys = new AerationSystem(sc, AerationDesign.V1Fixed));
        Assert.True(report.Passed, report.FailureMessage);
        var applied = sys!.Host.Applied;
        Assert.Contains(applied, h => h.Pfn >= 128); // Normal's blocks, named by their own pfns
        Assert.Contains(applied, h => h.Pfn < 128);
        Assert.All(applied, h => Assert.Same(sys.ZoneOf(h.Pfn), sys.ZoneOf(h.Pfn + (1 << h.Order) - 1)));
        Assert.Equal(0x80000UL | 4, global::Aeration.Virtio.HintingDriver.Encode(128, 4)); // pfn << PAGE_SHIFT | order
        var (pfn, order) = Assert.Single(sys.Live);
        Assert.False(sys.Memory.Dropped(pfn), $"the allocated frame {pfn} lost its backing");
        Assert.Equal(sys.TagOf(pfn), sys.Memory.Read(pfn));
        Assert.Equal(0, order);
    }
}
