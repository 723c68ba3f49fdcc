namespace Simulation;

/// <summary>The QEMU x86 machine types, which split guest RAM around the 32-bit PCI hole differently.</summary>
public enum QemuMachine
{
    /// <summary>q35 (ICH9): what current management stacks start.</summary>
    Q35,

    /// <summary>pc (i440FX).</summary>
    Pc,
}

/// <summary>
/// How QEMU places a guest's RAM in the guest-physical space: everything below 4 GiB while it
/// fits under the machine's limit, otherwise a low part below the PCI hole and the rest from
/// 4 GiB up (hw/i386/pc_q35.c, pc_q35_init: below 2816 MiB all low, else 2 GiB low;
/// hw/i386/pc_piix.c, pc_init1: below 3.5 GiB all low, else 3 GiB low, gigabyte_align as every
/// machine version since pc-1.7 has it).
/// </summary>
public readonly record struct RamSplit(long BelowFourGiBBytes, long AboveFourGiBBytes)
{
    private const long MiB = 1L << 20;

    /// <summary>The split QEMU makes for a guest of ramMiB on machine.</summary>
    public static RamSplit Of(long ramMiB, QemuMachine machine)
    {
        if (ramMiB <= 0)
            throw new ArgumentOutOfRangeException(nameof(ramMiB), ramMiB, "a guest needs some RAM");
        long ram = ramMiB * MiB;
        long lowmem = machine switch
        {
            QemuMachine.Q35 => ram >= 0xb000_0000L ? 0x8000_0000L : 0xb000_0000L,
            QemuMachine.Pc => ram >= 0xe000_0000L ? 0xc000_0000L : 0xe000_0000L,
            _ => throw new ArgumentOutOfRangeException(nameof(machine), machine, "unknown machine type"),
        };
        return ram >= lowmem ? new RamSplit(lowmem, ram - lowmem) : new RamSplit(ram, 0);
    }
}
