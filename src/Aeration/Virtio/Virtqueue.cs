namespace Aeration.Virtio;

/// <summary>A descriptor of the split virtqueue's table (struct vring_desc).</summary>
public record struct VringDesc(ulong Addr, uint Len, ushort Flags, ushort Next)
{
    /// <summary>VRING_DESC_F_NEXT.</summary>
    public const ushort FNext = 1;
    /// <summary>VRING_DESC_F_WRITE: device-writable (an "in" buffer).</summary>
    public const ushort FWrite = 2;
}

/// <summary>An element of the used ring (struct vring_used_elem).</summary>
public readonly record struct VringUsedElem(uint Id, uint Len);

/// <summary>
/// A split virtqueue (virtio spec 2.7): descriptor table, available ring and used ring, with
/// the driver's side (add a buffer, kick, get a used buffer) and the device's side (pop an
/// available buffer, push it to the used ring). The rings' indices are free-running 16-bit
/// counters, published with Volatile writes (the spec's memory barriers).
/// Model simplification: buffer memory is a map from guest-physical address to an array of
/// 64-bit words registered by the driver, not bytes of guest RAM; event suppression and
/// notification flags are not modelled (every kick notifies, every used buffer interrupts).
/// </summary>
public sealed class Virtqueue
{
    private readonly VringDesc[] _desc;
    private readonly ushort[] _availRing;
    private readonly VringUsedElem[] _usedRing;
    private readonly object?[] _data;
    private readonly Dictionary<ulong, ulong[]> _memory = new();
    private ushort _availIdx;
    private ushort _usedIdx;
    private ushort _freeHead;
    private int _numFree;
    private ushort _lastUsedIdx;  // driver's
    private ushort _lastAvailIdx; // device's
    private int _kicks;

    public Virtqueue(string name, int size)
    {
        if (size < 1 || size > 32768 || (size & (size - 1)) != 0)
            throw new ArgumentException($"virtqueue size {size} must be a power of 2 in 1..32768", nameof(size));
        Name = name;
        Size = size;
        _desc = new VringDesc[size];
        _availRing = new ushort[size];
        _usedRing = new VringUsedElem[size];
        _data = new object?[size];
        for (int i = 0; i < size - 1; i++)
            _desc[i].Next = (ushort)(i + 1);
        _numFree = size;
    }

    /// <summary>The queue's name ("hinting_vq").</summary>
    public string Name { get; }

    /// <summary>Queue size (number of descriptors).</summary>
    public int Size { get; }

    /// <summary>Free descriptors (vq->num_free).</summary>
    public int NumFree => _numFree;

    /// <summary>Notifications the driver sent (virtqueue_kick).</summary>
    public int Kicks => Volatile.Read(ref _kicks);

    /// <summary>Register driver memory that descriptors may point at (e.g. the hints array).</summary>
    public void MapDriverMemory(ulong addr, ulong[] words) => _memory[addr] = words;

    /// <summary>Device-side read of driver memory through a descriptor; null when the address is not mapped.</summary>
    public ulong[]? ReadDriverMemory(ulong addr) => _memory.TryGetValue(addr, out var w) ? w : null;

    /// <summary>
    /// virtqueue_add_outbuf() with one element: a device-readable buffer. Returns the head
    /// descriptor, or -28 (-ENOSPC) when the table is full.
    /// </summary>
    public int AddOutbuf(ulong addr, uint len, object token)
    {
        ArgumentNullException.ThrowIfNull(token); // virtqueue_add: BUG_ON(data == NULL)
        if (_numFree == 0)
            return -28;
        ushort head = _freeHead;
        _freeHead = _desc[head].Next;
        _numFree--;
        _desc[head] = new VringDesc(addr, len, 0, 0);
        _data[head] = token;
        _availRing[_availIdx % Size] = head;
        Volatile.Write(ref _availIdx, (ushort)(_availIdx + 1)); // virtio_wmb, then publish avail->idx
        return head;
    }

    /// <summary>
    /// virtqueue_add_inbuf() with a scatterlist: one device-writable descriptor per element,
    /// chained with VRING_DESC_F_NEXT (the merged design's reporting buffer: one element per
    /// reported block). Returns the head descriptor, -28 (-ENOSPC) when the table has fewer
    /// free descriptors than elements, or -22 (-EINVAL) for an empty list.
    /// Model simplification: no indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC off).
    /// </summary>
    public int AddInbufs(IReadOnlyList<(ulong Addr, uint Len)> sg, object token)
    {
        ArgumentNullException.ThrowIfNull(sg);
        ArgumentNullException.ThrowIfNull(token); // virtqueue_add: BUG_ON(data == NULL)
        if (sg.Count == 0)
            return -22;
        if (_numFree < sg.Count)
            return -28;
        ushort head = _freeHead;
        ushort cur = head;
        for (int i = 0; i < sg.Count; i++)
        {
            ushort next = _desc[cur].Next;
            bool last = i == sg.Count - 1;
            _desc[cur] = new VringDesc(sg[i].Addr, sg[i].Len, (ushort)(VringDesc.FWrite | (last ? 0 : VringDesc.FNext)), last ? (ushort)0 : next);
            if (!last)
                cur = next;
            else
                _freeHead = next;
        }
        _numFree -= sg.Count;
        _data[head] = token;
        _availRing[_availIdx % Size] = head;
        Volatile.Write(ref _availIdx, (ushort)(_availIdx + 1));
        return head;
    }

    /// <summary>Device side: the descriptors of the chain that starts at head, in order.</summary>
    public List<VringDesc> ReadChain(ushort head)
    {
        var chain = new List<VringDesc>();
        ushort i = head;
        while (true)
        {
            if (chain.Count >= Size)
                throw new InvalidOperationException($"{Name}: descriptor chain from {head} loops");
            var d = _desc[i];
            chain.Add(d);
            if ((d.Flags & VringDesc.FNext) == 0)
                return chain;
            i = d.Next;
        }
    }

    /// <summary>
    /// Canonical state (exhaustive exploration). The free-running 16-bit indices grow without
    /// bound, and every access reads a ring at an index modulo the size (a power of 2 that
    /// divides 2^16) relative to the other side's index, so the state is kept relative to them:
    /// the available entries the device has not consumed (avail->idx - last_avail_idx of them,
    /// each a head descriptor), the used entries the driver has not consumed (used->idx -
    /// last_used_idx of them, each id and len), the free descriptor list in order (num_free
    /// ids from free_head: the order decides which descriptor the next buffer gets), and each
    /// descriptor in flight (a head with a token, and its chain: addr, len, flags, and next
    /// where F_NEXT is set), with the driver memory the device will read through an unconsumed
    /// available descriptor (the words it covers, e.g. vb->hints; -1 when unmapped). Dropped:
    /// the absolute indices; ring slots outside those windows and free descriptors' fields
    /// other than next (written before they are read again); the tokens themselves (the one
    /// driver on this queue: only whether one is set); the memory map (registered once); the
    /// kick count (nothing reads it).
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink) => WriteCanonical(sink, rename: false);

    /// <summary>
    /// The canonical state with descriptor ids renamed (the merged design's reporting_vq): as
    /// WriteCanonicalState, but each descriptor id is written as the order in which it first
    /// appears (the unconsumed available heads, the unconsumed used ids, the free list from its
    /// head, then the heads in flight not named yet, in id order, and the chains' next links).
    /// A consistent renaming of ids is a symmetry of the queue: nothing reads an id but to
    /// follow a link or to match a used id with the head in flight (the tokens and the driver
    /// memory are found through the head, the host's ranges through addr and len), so two
    /// queues equal up to it have the same futures, renamed. Without it, a queue whose chains
    /// of different lengths were freed in different orders keeps each permutation of its free
    /// list apart (a reporting ring of 128 descriptors, buffers of up to 32 elements: far more
    /// states than the guest has). v1's hinting_vq keeps WriteCanonicalState (its pinned counts).
    /// </summary>
    public void WriteCanonicalStateRenamed(BuddyModel.ICanonicalStateSink sink) => WriteCanonical(sink, rename: true);

    /// <summary>Both canonical forms: with rename, each descriptor id is written as the order of its first appearance; without, as itself.</summary>
    private void WriteCanonical(BuddyModel.ICanonicalStateSink sink, bool rename)
    {
        ArgumentNullException.ThrowIfNull(sink);
        int[]? name = null;
        if (rename)
        {
            name = new int[Size];
            Array.Fill(name, -1);
        }
        int named = 0;
        long Id(long id)
        {
            if (name is null)
                return id;
            if (id < 0 || id >= Size)
                return (1L << 20) + id; // malformed: kept apart, never renamed
            if (name[id] < 0)
                name[id] = named++;
            return name[id];
        }
        int avail = (ushort)(_availIdx - _lastAvailIdx);
        sink.Add(avail);
        for (int i = 0; i < avail; i++)
        {
            ushort head = _availRing[(ushort)(_lastAvailIdx + i) % Size];
            sink.Add(Id(head));
            if (head < Size && (_desc[head].Flags & VringDesc.FWrite) == 0)
            {
                var d = _desc[head];
                if (_memory.TryGetValue(d.Addr, out var words))
                    for (int w = 0; w < Math.Min(words.Length, d.Len / sizeof(ulong)); w++)
                        sink.Add((long)words[w]);
                else
                    sink.Add(-1);
            }
        }
        int used = (ushort)(_usedIdx - _lastUsedIdx);
        sink.Add(used);
        for (int i = 0; i < used; i++)
        {
            var e = _usedRing[(ushort)(_lastUsedIdx + i) % Size];
            sink.Add(Id(e.Id));
            sink.Add(e.Len);
        }
        sink.Add(_numFree);
        ushort f = _freeHead;
        for (int i = 0; i < _numFree && f < Size; i++)
        {
            sink.Add(Id(f));
            f = _desc[f].Next;
        }
        // The chains in flight: by head id, or (renamed) in the order of their heads' new names,
        // heads not named yet taking names in id order.
        var heads = Enumerable.Range(0, Size).Where(h => _data[h] is not null).ToList();
        if (name is not null)
        {
            foreach (int head in heads)
                Id(head);
            heads = heads.OrderBy(h => name[h]).ToList();
        }
        foreach (int head in heads)
        {
            sink.Add(Id(head));
            int steps = 0;
            ushort i = (ushort)head;
            while (true)
            {
                var d = _desc[i];
                sink.Add((long)d.Addr);
                sink.Add(d.Len);
                sink.Add(d.Flags);
                if ((d.Flags & VringDesc.FNext) == 0 || ++steps >= Size)
                    break;
                sink.Add(Id(d.Next));
                i = d.Next;
            }
        }
        sink.Add(-1);
    }

    /// <summary>virtqueue_kick(): notify the device.</summary>
    public void Kick() => Interlocked.Increment(ref _kicks);

    /// <summary>virtqueue_get_buf(): the token of the next used buffer, or null.</summary>
    public object? GetBuf(out uint len)
    {
        len = 0;
        if (_lastUsedIdx == Volatile.Read(ref _usedIdx))
            return null;
        var elem = _usedRing[_lastUsedIdx % Size];
        _lastUsedIdx++;
        if (elem.Id >= Size || _data[elem.Id] is null)
            throw new InvalidOperationException($"{Name}: device used descriptor {elem.Id}, which is not in flight");
        var token = _data[elem.Id]!;
        _data[elem.Id] = null;
        // detach_buf: return the whole chain to the free list.
        ushort last = (ushort)elem.Id;
        int freed = 1;
        while ((_desc[last].Flags & VringDesc.FNext) != 0)
        {
            last = _desc[last].Next;
            freed++;
        }
        _desc[last].Next = _freeHead;
        _freeHead = (ushort)elem.Id;
        _numFree += freed;
        len = elem.Len;
        return token;
    }

    /// <summary>Whether a used buffer is waiting for the driver (the condition of its wait_event).</summary>
    public bool HasUsed => _lastUsedIdx != Volatile.Read(ref _usedIdx);

    /// <summary>Device side: whether an available buffer is waiting.</summary>
    public bool HasAvail => _lastAvailIdx != Volatile.Read(ref _availIdx);

    /// <summary>Device side: take the next available buffer's head descriptor, or null.</summary>
    public (ushort Head, VringDesc Desc)? PopAvail()
    {
        if (!HasAvail)
            return null;
        ushort head = _availRing[_lastAvailIdx % Size];
        _lastAvailIdx++;
        return (head, _desc[head]);
    }

    /// <summary>Device side: return a buffer to the driver through the used ring.</summary>
    public void PushUsed(ushort head, uint len)
    {
        _usedRing[_usedIdx % Size] = new VringUsedElem(head, len);
        Volatile.Write(ref _usedIdx, (ushort)(_usedIdx + 1));
    }
}
