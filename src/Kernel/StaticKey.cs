namespace Kernel;

/// <summary>
/// struct static_key: a reference-counted switch tested on hot paths (static_key_false).
/// static_key_slow_dec does not wait for CPUs already past the test: that is the point of the
/// v1 shutdown race, and the model keeps it so.
/// </summary>
public sealed class StaticKey
{
    private readonly AtomicInt _enabled = new();

    /// <summary>static_key_false(): whether the key is on, read once.</summary>
    public bool Enabled => _enabled.Read() > 0;

    /// <summary>Enabled as a plain read: not a scheduling point under Coyote. For reachability counts only.</summary>
    public bool Peek => _enabled.Peek() > 0;

    /// <summary>
    /// Canonical state (exhaustive exploration): the reference count itself, not only whether it
    /// is above 0, since a later slow_dec can tell 1 from 2.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink) => _enabled.WriteCanonicalState(sink);

    /// <summary>static_key_slow_inc.</summary>
    public void SlowInc() => _enabled.Inc();

    /// <summary>static_key_slow_dec.</summary>
    public void SlowDec() => _enabled.Dec();
}
