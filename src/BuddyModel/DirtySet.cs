namespace BuddyModel;

/// <summary>
/// A set of small integers (0 .. Capacity - 1) that remembers the order of first insertion: a
/// bitmap for the membership test and an array of the members. Mark is a test and at most two
/// stores; Clear costs the members, not the capacity. The incremental checker's record of what
/// changed since it last looked (not kernel state).
/// </summary>
public sealed class DirtySet
{
    private readonly ulong[] _bits;
    private readonly int[] _members;
    private int _count;

    /// <summary>A set for the values 0 .. capacity - 1.</summary>
    public DirtySet(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _bits = new ulong[(capacity + 63) >> 6];
        _members = new int[capacity];
    }

    /// <summary>The largest value plus one.</summary>
    public int Capacity => _members.Length;

    /// <summary>Number of members.</summary>
    public int Count => _count;

    /// <summary>The i-th member, in the order they were first marked.</summary>
    public int this[int i] => _members[i];

    /// <summary>Add value (no effect when it is a member already).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Mark(int value)
    {
        ref ulong word = ref _bits[(uint)value >> 6];
        ulong bit = 1UL << value;
        if ((word & bit) != 0)
            return;
        word |= bit;
        _members[_count++] = value;
    }

    /// <summary>Whether value is a member.</summary>
    public bool Contains(int value) => (uint)value < (uint)_members.Length && (_bits[value >> 6] & (1UL << value)) != 0;

    /// <summary>Mark every value 0 .. Capacity - 1.</summary>
    public void MarkAll()
    {
        for (int v = 0; v < _members.Length; v++)
            Mark(v);
    }

    /// <summary>Empty the set.</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++)
            _bits[_members[i] >> 6] = 0;
        _count = 0;
    }
}
