using BuddyModel;

namespace Specs.Guest;

/// <summary>
/// No data loss (DOMAIN 6.8), for every design: the host never dropped the backing of a page
/// the guest has allocated, and content written to an allocated page reads back unchanged
/// until it is freed (Check over every live block; CheckReadBack at every free).
/// </summary>
public sealed class NoDataLoss : Invariant<IGuest>
{
    public override string Name => "No data loss";

    public override string Guarantee => "hinting never takes memory away from a page the guest is using";

    public override Violation? Check(IGuest s)
    {
        foreach (var (pfn, order) in s.Live)
        {
            var zone = s.ZoneOf(pfn);
            for (int p = pfn; p < pfn + (1 << order); p++)
            {
                if (s.Memory.Dropped(p) || s.Memory.Read(p) != s.TagOf(p))
                    return new Violation(Name, zone.Config.Name,
                        $"pfn {p} of an allocated block backed and holding the guest's tag 0x{s.TagOf(p):x}",
                        s.Memory.Dropped(p) ? $"the host dropped its backing (reads 0x{s.Memory.Read(p):x})" : $"0x{s.Memory.Read(p):x}",
                        order, MigrateTypes.Name(zone.BlockMigratetype(pfn)), pfn);
            }
        }
        return null;
    }

    /// <summary>The guest is freeing the block: each frame must read back the tag it wrote.</summary>
    public static Violation? CheckReadBack(IGuest g, int pfn, int order)
    {
        ArgumentNullException.ThrowIfNull(g);
        for (int p = pfn; p < pfn + (1 << order); p++)
            if (g.Memory.Read(p) != g.TagOf(p))
                return new Violation("No data loss", g.ZoneOf(pfn).Config.Name,
                    $"pfn {p} of an allocated block to read back the tag 0x{g.TagOf(p):x} the guest wrote",
                    $"0x{g.Memory.Read(p):x}{(g.Memory.Dropped(p) ? ": the host dropped its backing while it was allocated" : "")}",
                    order, null, pfn);
        return null;
    }
}
