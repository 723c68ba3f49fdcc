using Xunit;

namespace Simulation.Tests;

/// <summary>
/// The zones of real-size guests against the kernel's and QEMU's numbers: a 1 GiB q35 guest's
/// boot log (zone ranges DMA 0x1000-0xffffff, DMA32 0x1000000-0x3ffdefff) and zoneinfo dumps
/// (DMA spanned 4095 present 3998, managed 3840 since 5.13 and 3977 before; a 3 GiB-low pc
/// guest's DMA32 present 782303).
/// </summary>
public sealed class GuestLayoutTests
{
    [Fact]
    public void A_1_GiB_guest_has_DMA_and_DMA32_up_to_the_SeaBIOS_tables()
    {
        var zones = X86GuestLayout.Zones(1024);
        Assert.Equal(["DMA", "DMA32"], zones.Select(z => z.Name));
        Assert.Equal(new GuestZone("DMA", 1, 4095, 3998, 3840), zones[0]);
        Assert.Equal(new GuestZone("DMA32", 0x1000, 258015, 258015, 258015), zones[1]);
        Assert.Equal(0x3ffdf, zones[1].EndPfn);   // 0x3ffdefff is the zone's last byte in the boot log
    }

    [Fact]
    public void Before_5_13_DMA_manages_the_pages_the_old_dumps_show()
    {
        Assert.Equal(3977, X86GuestLayout.Zones(1024, reservesFirstMiB: false)[0].ManagedPages);
    }

    [Theory]
    [InlineData(QemuMachine.Q35, 520159, 524288)]   // 2 GiB low, 2 GiB from 4 GiB up
    [InlineData(QemuMachine.Pc, 782303, 262144)]    // 3 GiB low, 1 GiB from 4 GiB up
    public void A_4_GiB_guest_splits_around_the_PCI_hole_as_its_machine_does(QemuMachine machine, long dma32Present, long normal)
    {
        var zones = X86GuestLayout.Zones(4096, machine);
        Assert.Equal(["DMA", "DMA32", "Normal"], zones.Select(z => z.Name));
        Assert.Equal(new GuestZone("DMA32", 0x1000, 0x100000 - 0x1000, dma32Present, dma32Present), zones[1]);
        Assert.Equal(new GuestZone("Normal", 0x100000, normal, normal, normal), zones[2]);
    }

    [Theory]
    [InlineData(QemuMachine.Q35, 2815, 2815L << 20, 0)]
    [InlineData(QemuMachine.Q35, 2816, 2L << 30, 768L << 20)]
    [InlineData(QemuMachine.Pc, 3583, 3583L << 20, 0)]
    [InlineData(QemuMachine.Pc, 3584, 3L << 30, 512L << 20)]
    [InlineData(QemuMachine.Q35, 16384, 2L << 30, 14L << 30)]
    public void QEMU_keeps_RAM_below_4_GiB_until_the_machines_limit(QemuMachine machine, long mib, long low, long high)
    {
        Assert.Equal(new RamSplit(low, high), RamSplit.Of(mib, machine));
    }

    [Fact]
    public void A_16_GiB_q35_guest_puts_14_GiB_in_Normal()
    {
        var zones = X86GuestLayout.Zones(16384);
        Assert.Equal(3670016, zones[2].ManagedPages);
        Assert.Equal(0x480000, zones[2].EndPfn);
    }

    [Theory]
    [InlineData(16, "a guest of 16 MiB is too small: at least 32 MiB")]
    [InlineData(5_000_000, "a guest of 5000000 MiB is too large for the model: at most 4190208 MiB")]
    public void A_size_the_model_cannot_lay_out_is_refused_in_words(long mib, string message)
    {
        Assert.Equal(message, X86GuestLayout.CheckSize(mib));
        Assert.Null(X86GuestLayout.CheckSize(1024));
    }
}
