namespace Kernel;

/// <summary>
/// An unsigned long of flag bits with set_bit / clear_bit / test_bit (atomic bitops), such as
/// zone->flags. Each operation is an Interlocked or Volatile access (a scheduling point under Coyote).
/// </summary>
public sealed class FlagBits<TBit> where TBit : struct, Enum
{
    private int _bits;

    /// <summary>test_bit.</summary>
    public bool Test(TBit bit) => (Volatile.Read(ref _bits) & Mask(bit)) != 0;

    /// <summary>
    /// test_bit as a plain read: not a scheduling point under Coyote. For the model's
    /// reachability counts only, which must not add interleavings (the recorded traces replay).
    /// </summary>
    public bool Peek(TBit bit) => (_bits & Mask(bit)) != 0;

    /// <summary>set_bit.</summary>
    public void Set(TBit bit) => Update(bits => bits | Mask(bit));

    /// <summary>clear_bit.</summary>
    public void Clear(TBit bit) => Update(bits => bits & ~Mask(bit));

    /// <summary>All bits, for display.</summary>
    public int Raw => Volatile.Read(ref _bits);

    /// <summary>Canonical state (exhaustive exploration): all bits, read plainly. Nothing else is kept.</summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(_bits);
    }

    /// <summary>The bit's mask. Read without boxing (Convert.ToInt32 boxed the enum: an allocation on every test of every flag).</summary>
    private static int Mask(TBit bit) => 1 << (System.Runtime.CompilerServices.Unsafe.SizeOf<TBit>() switch
    {
        1 => System.Runtime.CompilerServices.Unsafe.As<TBit, byte>(ref bit),
        2 => System.Runtime.CompilerServices.Unsafe.As<TBit, short>(ref bit),
        4 => System.Runtime.CompilerServices.Unsafe.As<TBit, int>(ref bit),
        _ => Convert.ToInt32(bit, System.Globalization.CultureInfo.InvariantCulture),
    });

    private void Update(Func<int, int> f)
    {
        int old = Volatile.Read(ref _bits);
        while (true)
        {
            int seen = Interlocked.CompareExchange(ref _bits, f(old), old);
            if (seen == old)
                return;
            old = seen;
        }
    }
}
