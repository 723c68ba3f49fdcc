namespace Kernel;

/// <summary>
/// atomic_t. Every access is an Interlocked or Volatile operation, so that under Coyote's
/// rewriting each one is a scheduling point, as on a real SMP machine.
/// </summary>
public sealed class AtomicInt
{
    private int _value;

    public AtomicInt(int value = 0) => _value = value;

    /// <summary>atomic_read.</summary>
    public int Read() => Volatile.Read(ref _value);

    /// <summary>A plain read: not a scheduling point under Coyote. For reachability counts only (they must not add interleavings).</summary>
    public int Peek() => _value;

    /// <summary>atomic_set.</summary>
    public void Set(int value) => Volatile.Write(ref _value, value);

    /// <summary>atomic_inc.</summary>
    public void Inc() => Interlocked.Increment(ref _value);

    /// <summary>atomic_dec.</summary>
    public void Dec() => Interlocked.Decrement(ref _value);

    /// <summary>atomic_fetch_inc: increments and returns the old value.</summary>
    public int FetchInc() => Interlocked.Increment(ref _value) - 1;

    /// <summary>atomic_xchg: sets the value and returns the old one.</summary>
    public int Exchange(int value) => Interlocked.Exchange(ref _value, value);

    /// <summary>atomic_try_cmpxchg: if the value is old, set it to new; otherwise load the current value into old.</summary>
    public bool TryCmpXchg(ref int old, int @new)
    {
        int seen = Interlocked.CompareExchange(ref _value, @new, old);
        if (seen == old)
            return true;
        old = seen;
        return false;
    }

    /// <summary>
    /// Canonical state (exhaustive exploration): the value, read plainly (no scheduling point).
    /// An atomic has nothing else.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(_value);
    }

    public override string ToString() => Read().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
