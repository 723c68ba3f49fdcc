namespace Specs.Aeration;

/// <summary>
/// The aeration invariants of DOMAIN 6.5 to 6.7 at every point where zone->lock is free, in
/// order; 6.9 (content contract) is checked when a block is handed out, 6.10 (progress) when a
/// scenario settles.
/// </summary>
public static class AerationInvariants
{
    [ThreadStatic]
    private static Invariant<IAerationSubject>[]? t_all;

    /// <summary>All aeration invariants, in the order they are checked.</summary>
    public static IReadOnlyList<Invariant<IAerationSubject>> All => Instances;

    private static Invariant<IAerationSubject>[] Instances => t_all ??=
    [
        new DeviceLifetime(), new AeratedAccounting(), new NoRawBelowBoundary(), new RefcountAccounting(),
        new AeratedMeansHinted(), new WellFormedHints(),
    ];

    /// <summary>The first violation, or null: the aeration invariants, then the guest's (Specs.Guest).</summary>
    public static Violation? CheckAll(IAerationSubject s)
    {
        foreach (var inv in Instances)
            if (inv.Check(s) is { } v)
                return v;
        return Specs.Guest.GuestInvariants.CheckAll(s);
    }
}
