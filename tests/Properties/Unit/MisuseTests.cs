using BuddyModel;
using Xunit;
using static Properties.Unit.UnitZoneState;

namespace Properties.Unit;

/// <summary>
/// The model's bad_page()/VM_BUG_ON checks: every misuse is refused with a BadPageException whose
/// Pfn and Reason name the problem, and a refused call leaves the zone exactly as it was
/// (NR_FREE_PAGES, nr_free per order, page flags, list order).
/// </summary>
public class MisuseTests
{
    private static Zone Zone1024() => new(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 9 });

    /// <summary>Runs a misuse, asserts it is refused naming pfn and reason, and that the zone did not change.</summary>
    private static BadPageException AssertRefused(Zone zone, Action misuse, long expectedPfn, params string[] reasonContains)
    {
        long nrFreePages = zone.NrFreePages;
        int[] nrFree = NrFreePerOrder(zone);
        string before = Snapshot(zone);

        var ex = Assert.Throws<BadPageException>(misuse);

        Assert.Equal(expectedPfn, ex.Pfn);
        foreach (string s in reasonContains)
            Assert.Contains(s, ex.Reason, StringComparison.Ordinal);
        Assert.Contains(ex.Reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(nrFreePages, zone.NrFreePages);
        Assert.Equal(nrFree, NrFreePerOrder(zone));
        Assert.Equal(before, Snapshot(zone));
        return ex;
    }

    // ---------------------------------------------------------------- __free_pages()

    [Fact]
    public void Double_free_of_an_order_0_page_is_refused()
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(0, MigrateType.Movable));
        Assert.Equal(1, zone.Allocate(0, MigrateType.Movable));
        zone.Free(0, 0); // stays order 0: buddy 1 is allocated

        AssertRefused(zone, () => zone.Free(0, 0), 0, "double free", "order-0", "Movable");
    }

    [Fact]
    public void Double_free_of_a_block_that_merged_back_to_the_top_order_is_refused()
    {
        var zone = Zone1024();
        int pfn = zone.Allocate(3, MigrateType.Movable);
        zone.Free(pfn, 3); // merges back into 0/o10

        AssertRefused(zone, () => zone.Free(pfn, 3), 0, "double free", "order-10");
    }

    [Fact]
    public void Second_free_of_a_page_that_merged_into_a_larger_free_block_is_refused_as_not_allocated()
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(0, MigrateType.Movable));
        Assert.Equal(1, zone.Allocate(0, MigrateType.Movable));
        zone.Free(0, 0);
        zone.Free(1, 0); // 0 and 1 merge: 1 is now a tail page of a free block

        AssertRefused(zone, () => zone.Free(1, 0), 1, "not allocated", "inside a free block");
    }

    [Fact]
    public void Freeing_a_pfn_that_was_never_allocated_is_refused()
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.Free(5, 0), 5, "not allocated");
    }

    [Fact]
    public void Freeing_the_head_of_a_free_block_that_was_never_allocated_is_refused_as_already_free()
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.Free(0, 10), 0, "double free", "already free");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 0)]
    public void Freeing_a_tail_page_of_an_allocated_block_is_refused(int tailPfn, int order)
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(2, MigrateType.Movable)); // pages 0..3

        AssertRefused(zone, () => zone.Free(tailPfn, order), tailPfn, "not allocated", "tail page");

        zone.Free(0, 2); // the real block is still freeable
        Assert.Equal(1024, zone.NrFreePages);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(1, 1)]
    [InlineData(512, 10)]
    public void Freeing_a_misaligned_pfn_is_refused(int pfn, int order)
    {
        var zone = Zone1024();
        zone.Allocate(2, MigrateType.Movable);

        AssertRefused(zone, () => zone.Free(pfn, order), pfn, "not aligned", $"order {order}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(3)]
    public void Freeing_with_the_wrong_order_is_refused(int wrongOrder)
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(2, MigrateType.Movable));

        AssertRefused(zone, () => zone.Free(0, wrongOrder), 0, $"freed at order {wrongOrder}", "allocated at order 2");
    }

    [Fact]
    public void Freeing_a_held_block_is_refused_it_must_be_put_back()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = 0 });
        zone.Allocate(0, MigrateType.Movable);
        Assert.True(zone.IsolateFreePage(512, 9));

        AssertRefused(zone, () => zone.Free(512, 9), 512, "not allocated", "held", "put it back");
    }

    // ---------------------------------------------------------------- order and pfn ranges

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(-1)]
    public void Allocating_an_order_out_of_range_is_refused(int order)
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.Allocate(order, MigrateType.Movable), -1, $"order {order} out of range", "0..10");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(-1)]
    public void Freeing_an_order_out_of_range_is_refused(int order)
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable);

        AssertRefused(zone, () => zone.Free(0, order), -1, $"order {order} out of range", "0..10");
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(4096)]
    [InlineData(-1)]
    public void Freeing_a_pfn_outside_the_zone_is_refused(int pfn)
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable);

        AssertRefused(zone, () => zone.Free(pfn, 0), pfn, "outside zone Normal", "0..1023");
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(-1)]
    public void Pfns_outside_the_zone_are_refused_by_isolate_free_page_and_set_pageblock_migratetype(int pfn)
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.IsolateFreePage(pfn, 0), pfn, "outside zone Normal");
        AssertRefused(zone, () => zone.SetPageblockMigratetype(pfn, MigrateType.Isolate), pfn, "outside zone Normal");
    }

    // Regression: PutbackIsolatedPage once read the pageblock type before validating the pfn.
    [Theory]
    [InlineData(2048)]
    [InlineData(1024)]
    [InlineData(-512)]
    public void Putback_isolated_page_of_a_pfn_outside_the_zone_is_refused(int pfn)
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.PutbackIsolatedPage(pfn, 0), pfn, "outside zone Normal");
    }

    // ---------------------------------------------------------------- migratetypes

    [Fact]
    public void Allocating_MIGRATE_ISOLATE_is_refused()
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.Allocate(0, MigrateType.Isolate), -1, "cannot allocate migratetype Isolate");
    }

    [Fact]
    public void Setting_a_pageblock_to_a_migratetype_out_of_range_is_refused()
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.SetPageblockMigratetype(0, (MigrateType)MigrateTypes.Count), 0, "migratetype 4 out of range");
    }

    // ---------------------------------------------------------------- __isolate_free_page / __putback_isolated_page

    [Fact]
    public void Isolate_free_page_on_an_allocated_block_is_refused()
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(0, MigrateType.Movable));

        AssertRefused(zone, () => zone.IsolateFreePage(0, 0), 0, "not a free block", "allocated order-0");
    }

    [Fact]
    public void Isolate_free_page_on_a_tail_page_of_a_free_block_is_refused()
    {
        var zone = Zone1024();

        AssertRefused(zone, () => zone.IsolateFreePage(512, 9), 512, "not a free block", "not a block head");
    }

    [Fact]
    public void Isolate_free_page_with_the_wrong_order_is_refused()
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable); // 512/o9 free

        AssertRefused(zone, () => zone.IsolateFreePage(512, 8), 512, "free block has order 9, not 8");
    }

    [Fact]
    public void Isolate_free_page_twice_is_refused_the_second_time()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = 0 });
        zone.Allocate(0, MigrateType.Movable);
        Assert.True(zone.IsolateFreePage(512, 9));

        AssertRefused(zone, () => zone.IsolateFreePage(512, 9), 512, "not a free block", "held");
    }

    [Fact]
    public void Putback_isolated_page_of_an_allocated_block_is_refused()
    {
        var zone = Zone1024();
        Assert.Equal(0, zone.Allocate(0, MigrateType.Movable));

        AssertRefused(zone, () => zone.PutbackIsolatedPage(0, 0), 0, "not held");
    }

    [Fact]
    public void Putback_isolated_page_of_a_free_block_is_refused()
    {
        var zone = Zone1024();
        zone.Allocate(0, MigrateType.Movable);

        AssertRefused(zone, () => zone.PutbackIsolatedPage(512, 9), 512, "not held", "free order-9");
    }

    [Fact]
    public void Putback_isolated_page_with_the_wrong_order_is_refused()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = 0 });
        zone.Allocate(0, MigrateType.Movable);
        Assert.True(zone.IsolateFreePage(256, 8));

        AssertRefused(zone, () => zone.PutbackIsolatedPage(256, 7), 256, "put back at order 7", "held at order 8");

        zone.PutbackIsolatedPage(256, 8); // the right order still works
        Assert.Equal(1023, zone.NrFreePages);
    }

    [Fact]
    public void Putback_isolated_page_twice_is_refused_the_second_time()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = 0 });
        zone.Allocate(0, MigrateType.Movable);
        Assert.True(zone.IsolateFreePage(512, 9));
        zone.PutbackIsolatedPage(512, 9);

        AssertRefused(zone, () => zone.PutbackIsolatedPage(512, 9), 512, "not held");
    }

    // ---------------------------------------------------------------- ZoneConfig.Validate()

    [Theory]
    [InlineData(1000, 11)]
    [InlineData(1536, 11)]
    [InlineData(0, 11)]
    [InlineData(-1024, 11)]
    [InlineData(12, 4)]
    public void ZoneConfig_NrPages_not_a_positive_multiple_of_the_largest_block_names_NrPages(int nrPages, int maxOrder)
    {
        var config = new ZoneConfig { NrPages = nrPages, MaxOrder = maxOrder, PageblockOrder = 1 };

        var ex = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("NrPages", ex.ParamName);
        Assert.Contains($"NrPages {nrPages}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"2^(MaxOrder-1) = {1 << (maxOrder - 1)}", ex.Message, StringComparison.Ordinal);

        var ctor = Assert.Throws<ArgumentException>(() => new Zone(config));
        Assert.Equal("NrPages", ctor.ParamName);
    }

    [Theory]
    [InlineData(11, 11)]
    [InlineData(11, 12)]
    [InlineData(4, 4)]
    [InlineData(11, 0)]
    public void ZoneConfig_PageblockOrder_not_below_MaxOrder_names_PageblockOrder(int maxOrder, int pageblockOrder)
    {
        var config = new ZoneConfig { NrPages = 1 << (maxOrder - 1), MaxOrder = maxOrder, PageblockOrder = pageblockOrder };

        var ex = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("PageblockOrder", ex.ParamName);
        Assert.Contains($"PageblockOrder {pageblockOrder}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"({maxOrder - 1})", ex.Message, StringComparison.Ordinal);

        var ctor = Assert.Throws<ArgumentException>(() => new Zone(config));
        Assert.Equal("PageblockOrder", ctor.ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(21)]
    public void ZoneConfig_MaxOrder_out_of_range_names_MaxOrder(int maxOrder)
    {
        var config = new ZoneConfig { NrPages = 1024, MaxOrder = maxOrder, PageblockOrder = 1 };

        var ex = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("MaxOrder", ex.ParamName);
        Assert.Contains($"MaxOrder {maxOrder} out of range 2..20", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZoneConfig_negative_min_watermark_names_MinWatermarkPages()
    {
        var config = new ZoneConfig { NrPages = 1024, MaxOrder = 11, PageblockOrder = 9, MinWatermarkPages = -1 };

        var ex = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("MinWatermarkPages", ex.ParamName);
    }

    [Fact]
    public void ZoneConfig_defaults_are_valid_x86_64()
    {
        var config = new ZoneConfig();
        config.Validate();
        Assert.Equal(11, config.MaxOrder);
        Assert.Equal(9, config.PageblockOrder);
        Assert.Equal(1024, config.MaxOrderNrPages);
        Assert.Equal(1024, Watermarks.For(config).Min); // min_free_kbytes 4096 for 1 GiB
    }
}
