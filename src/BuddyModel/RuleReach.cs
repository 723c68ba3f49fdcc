namespace BuddyModel;

/// <summary>
/// How often each GuardedRule was reached with effect: one int per rule, indexed by the enum,
/// so that a hit on the allocator's hot paths is one array increment (no strings, no lookups).
/// One counter serves a whole system: a zone makes its own, and a hinting design plugged into
/// several zones makes them share the first zone's (Aerator, PageReporting). Not part of any
/// design: the kernel has no such thing. Plain increments: under Coyote's real tasks a count
/// may be lost to a race, which only the sequential check reads, so none is.
/// </summary>
public sealed class RuleReach
{
    private readonly int[] _hits = new int[GuardedRules.Count];

    /// <summary>The rule's branch was taken and changed what happened.</summary>
    public void Hit(GuardedRule rule) => _hits[(int)rule]++;

    /// <summary>Times the rule was reached with effect.</summary>
    public int this[GuardedRule rule] => _hits[(int)rule];

    /// <summary>Add every count into totals (indexed by the enum, GuardedRules.Count long).</summary>
    public void AddTo(long[] totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        for (int i = 0; i < _hits.Length; i++)
            totals[i] += _hits[i];
    }

    /// <summary>Forget every count (a zone forgets its boot, which no scenario drove).</summary>
    public void Clear() => Array.Clear(_hits);
}
