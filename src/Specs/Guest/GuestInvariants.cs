namespace Specs.Guest;

/// <summary>
/// The invariants every hinting design keeps towards its guest, checked after the design's own
/// at every point where zone->lock is free. (Content contract is checked when a block is handed
/// out: ContentContract.CheckHandedOut; the read-back half of No data loss at every free:
/// NoDataLoss.CheckReadBack.)
/// </summary>
public static class GuestInvariants
{
    [ThreadStatic]
    private static Invariant<IGuest>[]? t_all;

    /// <summary>All guest invariants, in the order they are checked.</summary>
    public static IReadOnlyList<Invariant<IGuest>> All => Instances;

    private static Invariant<IGuest>[] Instances => t_all ??= [new NoDataLoss()];

    /// <summary>The first violation, or null.</summary>
    public static Violation? CheckAll(IGuest g)
    {
        foreach (var inv in Instances)
            if (inv.Check(g) is { } v)
                return v;
        return null;
    }
}
