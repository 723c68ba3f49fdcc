namespace Aeration.Virtio;

/// <summary>
/// The guest's RAM as the host backs it: one 64-bit content tag per page frame, and whether
/// the host still backs the frame. A frame whose backing was dropped reads as the fill value
/// the host chose (zero, or poison_val with PAGE_POISON) until the guest writes it again,
/// which faults in a fresh page. Model simplification: one word per frame stands for 4 KiB.
/// Indexed by guest-physical frame (address >> PAGE_SHIFT) from 0 to the highest zone_end_pfn
/// of the guest, so the frames of different zones are different frames here too; one flat
/// array stands for the host's RAM blocks (QEMU's below-4G and above-4G regions).
/// </summary>
public sealed class GuestMemory
{
    private readonly ulong[] _content;
    private readonly bool[] _dropped;

    public GuestMemory(int nrPages)
    {
        _content = new ulong[nrPages];
        _dropped = new bool[nrPages];
    }

    /// <summary>Number of page frames.</summary>
    public int NrPages => _content.Length;

    /// <summary>Backings dropped so far (frames).</summary>
    public long FramesDropped { get; private set; }

    /// <summary>
    /// Canonical state (exhaustive exploration) of the frames the caller says are observable:
    /// for each, the class of its content (valueClass: the guest renumbers its tags, which grow
    /// without bound, by first occurrence) and, where asked, whether its backing was dropped.
    /// Which frames are observable is the guest's knowledge (GuestSystem.WriteCanonicalState):
    /// the memory does not know who reads it. FramesDropped is a count nothing reads.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink, IEnumerable<(int Pfn, bool Backing)> frames, Func<ulong, long> valueClass)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(valueClass);
        foreach (var (pfn, backing) in frames)
        {
            sink.Add(valueClass(_content[pfn]));
            if (backing)
                sink.Add(_dropped[pfn] ? 1 : 0);
        }
    }

    /// <summary>The guest reads a frame.</summary>
    public ulong Read(int pfn) => _content[pfn];

    /// <summary>Where every write and drop is recorded (by frame) for an incremental checker; null by default. Not guest or host state.</summary>
    public BuddyModel.DirtySet? Changes { get; set; }

    /// <summary>The guest writes a frame (faulting in a fresh page if its backing was dropped).</summary>
    public void Write(int pfn, ulong value)
    {
        _content[pfn] = value;
        _dropped[pfn] = false;
        Changes?.Mark(pfn);
    }

    /// <summary>Whether the host dropped this frame's backing and the guest has not written it since.</summary>
    public bool Dropped(int pfn) => _dropped[pfn];

    /// <summary>The host drops the backing of a frame (madvise(MADV_DONTNEED)); it will read as fill.</summary>
    public void DropBacking(int pfn, ulong fill)
    {
        _content[pfn] = fill;
        _dropped[pfn] = true;
        Changes?.Mark(pfn);
        FramesDropped++;
    }
}
