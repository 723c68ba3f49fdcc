using BuddyModel;

namespace Specs.Guest;

/// <summary>
/// Content contract (DOMAIN 6.9): with page poisoning on, every frame of a block handed out
/// again still holds the poison value (the allocator's check_poison_mem). Hinting must then be
/// off, or the device must keep the poison value. Checked when a block is handed out, before
/// the guest writes into it.
/// </summary>
public static class ContentContract
{
    public const string Name = "Content contract";

    public const string Guarantee = "a guest that poisons free pages finds the poison again when it reuses them";

    /// <summary>The violation for the block just handed out, or null.</summary>
    public static Violation? CheckHandedOut(IGuest g, int pfn, int order)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (!g.PagePoisoning)
            return null;
        for (int p = pfn; p < pfn + (1 << order); p++)
            if (g.Memory.Read(p) != g.PoisonValue)
                return new Violation(Name, g.ZoneOf(pfn).Config.Name,
                    $"the poison value 0x{g.PoisonValue:x} in every frame of a block handed out again (check_poison_mem)",
                    $"0x{g.Memory.Read(p):x} in pfn {p}{(g.Memory.Dropped(p) ? ", whose backing the host dropped" : "")}",
                    order, null, pfn, "page poisoning is on: the allocator checks the poison on allocation");
        return null;
    }
}
