using Aeration;
using Aeration.Virtio;
using BuddyModel;
using Harness;
using Harness.Operations;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>
/// The guest content model of AerationSystem: allocation writes a tag into every frame, a free
/// checks it (no data loss); with page poisoning a free writes the poison value and an allocation
/// checks it (check_poison_mem).
/// </summary>
public class GuestContentTests
{
    private const MigrateType Mov = MigrateType.Movable;
    private const ulong Poison = 0xaaaaaaaa_aaaaaaaaUL;

    private static AerationSystem System(AerationSetup? setup = null, AerationDesign? design = null) =>
        new(new Scenario(new ZoneConfig { NrPages = 128, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 }, [],
            setup ?? new AerationSetup { Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 } }), design ?? AerationDesign.V1);

    [Fact]
    public void Allocation_writes_a_distinct_tag_into_every_frame_and_a_clean_free_passes()
    {
        var sys = System();
        Assert.Null(sys.Apply(new AllocPages(2, Mov))!.Violation);
        Assert.Null(sys.Apply(new AllocPages(0, Mov))!.Violation);
        var (a, b) = (sys.Live[0], sys.Live[1]);
        var tags = Enumerable.Range(a.Pfn, 4).Select(sys.TagOf).Append(sys.TagOf(b.Pfn)).ToArray();
        Assert.DoesNotContain(0UL, tags);
        Assert.Equal(tags.Length, tags.Distinct().Count());
        Assert.All(Enumerable.Range(a.Pfn, 4), p => Assert.Equal(sys.TagOf(p), sys.Memory.Read(p)));

        var outcome = sys.Apply(new FreePages(0))!;
        Assert.Null(outcome.Violation);
        Assert.All(Enumerable.Range(a.Pfn, 4), p => Assert.Equal(0UL, sys.TagOf(p)));
        Assert.Null(sys.CheckInvariants());
    }

    [Fact]
    public void Free_of_a_frame_that_lost_its_tag_is_reported_as_data_loss()
    {
        var sys = System();
        sys.Apply(new AllocPages(2, Mov));
        var (pfn, _) = sys.Live[0];
        sys.Memory.DropBacking(pfn + 1, 0); // the host dropped an allocated frame

        var v = sys.Apply(new FreePages(0))!.Violation;

        Assert.NotNull(v);
        Assert.Equal("No data loss", v.Invariant);
        Assert.Contains($"pfn {pfn + 1}", v.Expected);
        Assert.Contains("dropped", v.Found);
    }

    [Fact]
    public void With_poisoning_a_free_writes_the_poison_and_an_allocation_checks_it()
    {
        var sys = System(new AerationSetup { Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 }, PagePoisoning = true });
        Assert.All(Enumerable.Range(0, 128), p => Assert.Equal(Poison, sys.Memory.Read(p))); // boot poisoned everything

        Assert.Null(sys.Apply(new AllocPages(0, Mov))!.Violation);
        int pfn = sys.Live[0].Pfn;
        Assert.Equal(sys.TagOf(pfn), sys.Memory.Read(pfn));
        Assert.Null(sys.Apply(new FreePages(0))!.Violation);
        Assert.Equal(Poison, sys.Memory.Read(pfn));

        sys.Memory.Write(pfn, 0xdead); // a free frame's poison overwritten
        var v = sys.Apply(new AllocPages(0, Mov))!.Violation;
        Assert.Equal(pfn, sys.Live[0].Pfn);
        Assert.NotNull(v);
        Assert.Equal("Content contract", v.Invariant);
        Assert.Contains("0xdead", v.Found);
    }

    private static Specs.Violation? HintEverythingThenAllocate(AerationSystem sys)
    {
        Assert.Null(sys.Apply(new StartAerator())!.Violation);
        var log = new List<string>();
        Assert.Null(sys.Finish(log));
        Assert.Equal(8, sys.Aerator.Of(sys.Zone).NrFreeAerated[4]);
        Assert.All(Enumerable.Range(0, 128), p => Assert.True(sys.Memory.Dropped(p)));
        return sys.Apply(new AllocPages(0, Mov))!.Violation;
    }

    [Fact]
    public void With_poisoning_and_PAGE_POISON_hinted_frames_still_read_the_poison()
    {
        var sys = System(new AerationSetup
        {
            Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 },
            PagePoisoning = true,
            Features = new BalloonFeatures { PagePoison = true, PoisonVal = 0xaaaaaaaa },
        });
        Assert.Null(HintEverythingThenAllocate(sys));
    }

    [Fact]
    public void V1_driver_with_poisoning_but_no_PAGE_POISON_hands_out_zeroed_frames()
    {
        var sys = System(new AerationSetup
        {
            Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 },
            PagePoisoning = true,
            ValidatePoison = false,
        });
        var v = HintEverythingThenAllocate(sys);
        Assert.NotNull(v);
        Assert.Equal("Content contract", v.Invariant);
        Assert.Contains("0x0 ", v.Found);
        Assert.Contains("backing the host dropped", v.Found);
    }

    [Fact]
    public void Validating_driver_refuses_to_start_with_poisoning_but_no_PAGE_POISON()
    {
        // The check is upstream's (virtballoon_validate, 5.7): v1-fixed's driver has it, v1's does not.
        var sys = System(new AerationSetup { Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 }, PagePoisoning = true }, AerationDesign.V1Fixed);
        var outcome = sys.Apply(new StartAerator())!;
        Assert.StartsWith("skipped", outcome.Note);
        Assert.Null(sys.Aerator.DevInfo);
        Assert.Equal(1, sys.Facts["driver refused to start hinting (poisoning without PAGE_POISON)"]);
    }

    [Fact]
    public void V1_driver_starts_hinting_with_poisoning_and_no_PAGE_POISON_even_when_the_setup_asks_for_validation()
    {
        var sys = System(new AerationSetup { Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 }, PagePoisoning = true });
        var outcome = sys.Apply(new StartAerator())!;
        Assert.DoesNotContain("skipped", outcome.Note);
        Assert.NotNull(sys.Aerator.DevInfo);
    }
}
