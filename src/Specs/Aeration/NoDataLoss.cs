using BuddyModel;
using Specs.Harness;

namespace Specs.Aeration;

/// <summary>
/// No data loss (DOMAIN 6.8): the host never dropped the backing of a page the guest has
/// allocated (content written to an allocated page reads back unchanged until it is freed is
/// checked at every free as well).
/// </summary>
public sealed class NoDataLoss : Invariant<AerationSystem>
{
    public override string Name => "No data loss";

    public override string Guarantee => "hinting never takes memory away from a page the guest is using";

    public override Violation? Check(AerationSystem s)
    {
        var zone = s.Zone;
        foreach (var (pfn, order) in s.Live)
        {
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
}
