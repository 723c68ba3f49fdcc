namespace Simulation;

/// <summary>
/// The zones of an x86-64 KVM guest of a given size, booted by SeaBIOS under QEMU, as Linux
/// lays them out (arch/x86/mm/init.c, zone_sizes_init: ZONE_DMA below MAX_DMA_PFN = 16 MiB,
/// ZONE_DMA32 below MAX_DMA32_PFN = 4 GiB, ZONE_NORMAL above; 64-bit has no HIGHMEM). A zone
/// with no frames is left out, as the kernel leaves it unpopulated.
///
/// The guest-physical map (a 1 GiB q35 guest's e820 as booted, and zoneinfo dumps):
/// - pfn 0 is reserved (e820 [0, 4 KiB)); the DMA zone starts at pfn 1;
/// - pfns 0x9f..0xff (the EBDA and the 640 KiB .. 1 MiB hole) are not RAM;
/// - SeaBIOS keeps its tables in the top 33 pages of low RAM (e820 reserved);
/// - above the low RAM, up to 4 GiB, is the PCI hole (QEMU's split: RamSplit).
/// So DMA spans pfn 1..4095 with 3998 present; DMA32 spans from pfn 4096 to the end of low RAM
/// (or to 4 GiB when there is RAM above it) with present = low RAM frames minus the 33; Normal
/// spans from pfn 0x100000 over the RAM above 4 GiB.
///
/// Managed pages: since Linux 5.13 ("x86/setup: Always reserve the first 1M of RAM") the whole
/// first MiB is reserved, so DMA manages pfns 256..4095 (3840, as zoneinfo shows); before, the
/// first 64 KiB and some firmware use were (3977 in the dumps of those kernels). The other
/// zones' boot reservations (the memmap, page tables, per-cpu areas, the kernel image: some 2.5
/// to 3.5 % of the top zone on a distro kernel) are not modelled: their size depends on the
/// kernel build, so managed = present there, and a caller that knows better passes its own.
/// </summary>
public static class X86GuestLayout
{
    /// <summary>MAX_DMA_PFN: 16 MiB of 4 KiB frames.</summary>
    public const long MaxDmaPfn = 4096;

    /// <summary>MAX_DMA32_PFN: 4 GiB of 4 KiB frames.</summary>
    public const long MaxDma32Pfn = 1L << 20;

    /// <summary>The frames below 1 MiB that are RAM: 1..0x9e (pfn 0 and 0x9f..0xff are not).</summary>
    public const long LowRamPresentBelow1MiB = 0x9f - 1;

    /// <summary>The pages SeaBIOS reserves at the top of low RAM for its tables.</summary>
    public const long SeaBiosTablePages = 33;

    /// <summary>DMA's managed pages since 5.13 (pfn 256..4095) and before (as zoneinfo dumps show).</summary>
    public const long DmaManagedSince5_13 = 3840, DmaManagedBefore5_13 = 3977;

    private const long PagesPerMiB = 256;

    /// <summary>The populated zones of a guest of ramMiB on machine; reservesFirstMiB: the 5.13+ rule.</summary>
    public static IReadOnlyList<GuestZone> Zones(long ramMiB, QemuMachine machine = QemuMachine.Q35, bool reservesFirstMiB = true)
    {
        var split = RamSplit.Of(ramMiB, machine);
        long lowEndPfn = split.BelowFourGiBBytes >> 12;   // one past the last low RAM frame
        if (lowEndPfn <= MaxDmaPfn + SeaBiosTablePages)
            throw new ArgumentOutOfRangeException(nameof(ramMiB), ramMiB, "a guest this small has no DMA32 zone; the layout starts at 17 MiB");
        long highPages = split.AboveFourGiBBytes >> 12;
        var zones = new List<GuestZone>
        {
            new("DMA", 1, MaxDmaPfn - 1, LowRamPresentBelow1MiB + (MaxDmaPfn - 0x100),
                reservesFirstMiB ? DmaManagedSince5_13 : DmaManagedBefore5_13),
        };
        long dma32Present = lowEndPfn - SeaBiosTablePages - MaxDmaPfn;
        long dma32End = highPages > 0 ? MaxDma32Pfn : lowEndPfn - SeaBiosTablePages;
        zones.Add(new GuestZone("DMA32", MaxDmaPfn, dma32End - MaxDmaPfn, dma32Present, dma32Present));
        if (highPages > 0)
            zones.Add(new GuestZone("Normal", MaxDma32Pfn, highPages, highPages, highPages));
        return zones;
    }

    /// <summary>Null when a guest of ramMiB can be laid out, else why not in words: at least 32 MiB (a DMA32 zone worth the name), and its highest frame within the model's pfns (ZoneConfig.MaxEndPfn).</summary>
    public static string? CheckSize(long ramMiB) =>
        ramMiB < 32 ? $"a guest of {ramMiB} MiB is too small: at least 32 MiB"
        : MaxDma32Pfn + ramMiB * PagesPerMiB > BuddyModel.ZoneConfig.MaxEndPfn
            ? $"a guest of {ramMiB} MiB is too large for the model: at most {(BuddyModel.ZoneConfig.MaxEndPfn - MaxDma32Pfn) / PagesPerMiB} MiB"
        : null;
}
