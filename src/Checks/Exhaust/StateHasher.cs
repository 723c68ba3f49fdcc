using System.Buffers.Binary;
using System.IO.Hashing;
using BuddyModel;

namespace Checks.Exhaust;

/// <summary>
/// Hashes a canonical state (ICanonicalStateSink) to 128 bits with XXH128. Two different states
/// share a hash with probability about n²/2^129 for n states (below 10^-20 for a billion), and
/// a shared hash would merge them: the one cost of storing hashes instead of states.
/// </summary>
public sealed class StateHasher : ICanonicalStateSink
{
    private byte[] _buffer = new byte[4096];

    /// <summary>Values added since the last Take (the canonical state's length).</summary>
    public int Count { get; private set; }

    public void Add(long value)
    {
        if ((Count + 1) * 8 > _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(Count * 8), value);
        Count++;
    }

    /// <summary>The hash of the values added since the last Take; starts a new state.</summary>
    public UInt128 Take()
    {
        var h = XxHash128.HashToUInt128(_buffer.AsSpan(0, Count * 8));
        Count = 0;
        return h;
    }

    /// <summary>The hash of a system's canonical state.</summary>
    public UInt128 Of(Harness.BuddySystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        system.WriteCanonicalState(this);
        return Take();
    }
}
