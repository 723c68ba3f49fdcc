namespace Aeration.Virtio;

/// <summary>A hint the host applied: the block whose backing it dropped.</summary>
public readonly record struct AppliedHint(int Pfn, int Order);

/// <summary>
/// The host side of hinting_vq (QEMU's balloon device in the v1 series): take each available
/// buffer, decode and validate its hints, drop the backing of each valid range, and return
/// the buffer through the used ring. A malformed or out-of-range hint is refused and reported,
/// never applied. With PAGE_POISON negotiated the dropped pages read as poison_val, otherwise
/// as zero.
/// </summary>
public class HintingHost
{
    private readonly List<string> _rejected = new();
    private readonly List<AppliedHint> _applied = new();

    public HintingHost(Virtqueue vq, GuestMemory memory, BalloonFeatures negotiated)
    {
        Vq = vq ?? throw new ArgumentNullException(nameof(vq));
        Memory = memory ?? throw new ArgumentNullException(nameof(memory));
        Negotiated = negotiated ?? throw new ArgumentNullException(nameof(negotiated));
    }

    public Virtqueue Vq { get; }
    public GuestMemory Memory { get; }
    public BalloonFeatures Negotiated { get; }

    /// <summary>Hints refused, with the reason.</summary>
    public IReadOnlyList<string> Rejected => _rejected;

    /// <summary>Hints applied, in order.</summary>
    public IReadOnlyList<AppliedHint> Applied => _applied;

    /// <summary>Whether the host has something to do.</summary>
    public virtual bool HasWork => Vq.HasAvail;

    /// <summary>What a dropped page reads as: poison_val replicated with PAGE_POISON, else zero.</summary>
    public ulong DropFill => Negotiated.DropFill();

    /// <summary>
    /// Canonical state (exhaustive exploration): the number of refused hints (Well-formed hints
    /// fails on the first, so an explored state has 0). Dropped: the refusals' texts (messages)
    /// and the ledger of applied hints, an unbounded history. What it did is in the state
    /// elsewhere: the frames it dropped are in guest memory (GuestMemory.Dropped and the fill
    /// they read), and the harness turns each new entry into the guest's hinted-since-free
    /// ledger in the step that adds it (GuestSystem.WriteCanonicalState writes that); no later
    /// step reads an old entry. The queue, memory and features are wiring and configuration.
    /// A subclass with state of its own extends this.
    /// </summary>
    public virtual void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(_rejected.Count);
    }

    /// <summary>Process one available buffer: apply its hints, then return it. False when there was none.</summary>
    public virtual bool Step()
    {
        var avail = Vq.PopAvail();
        if (avail is null)
            return false;
        var (head, desc) = avail.Value;
        foreach (var hint in Decode(desc))
            ApplyHint(hint);
        Vq.PushUsed(head, 0);
        Kernel.Tracepoint.Emit("host: hints applied (backing dropped), buffer returned on the used ring");
        return true;
    }

    /// <summary>Decode and validate the hints of one buffer; refused ones are reported.</summary>
    protected List<AppliedHint> Decode(VringDesc desc)
    {
        var result = new List<AppliedHint>();
        if ((desc.Flags & VringDesc.FWrite) != 0)
        {
            Reject($"buffer at 0x{desc.Addr:x} is device-writable; hints come in an out-buffer");
            return result;
        }
        var words = Vq.ReadDriverMemory(desc.Addr);
        if (words is null || desc.Len % sizeof(ulong) != 0 || desc.Len / sizeof(ulong) > (uint)words.Length)
        {
            Reject($"buffer at 0x{desc.Addr:x} of {desc.Len} bytes is not an array of 64-bit hints in mapped memory");
            return result;
        }
        for (int i = 0; i < desc.Len / sizeof(ulong); i++)
        {
            ulong hint = words[i];
            int order = (int)(hint & 0xFFF);
            ulong pfn = hint >> HintingDriver.PageShift;
            if (order > 40)
                Reject($"hint {i} 0x{hint:x}: order {order} is not a block order");
            else if ((pfn & ((1UL << order) - 1)) != 0)
                Reject($"hint {i} 0x{hint:x}: pfn {pfn} is not aligned to order {order}");
            else if (pfn + (1UL << order) > (ulong)Memory.NrPages)
                Reject($"hint {i} 0x{hint:x}: pfn {pfn} order {order} ends beyond guest memory ({Memory.NrPages} pages)");
            else
                result.Add(new AppliedHint((int)pfn, order));
        }
        return result;
    }

    /// <summary>Drop the backing of one hinted range (madvise DONTNEED).</summary>
    protected void ApplyHint(AppliedHint hint)
    {
        Discard(hint.Pfn, hint.Order);
        _applied.Add(hint);
    }

    /// <summary>
    /// madvise(DONTNEED) of the hinted range: guest frame pfn is host frame pfn of guest memory.
    /// Virtual only as a seam for deliberately broken hosts in tests.
    /// </summary>
    protected virtual void Discard(int pfn, int order)
    {
        for (int p = pfn; p < pfn + (1 << order); p++)
            Memory.DropBacking(p, DropFill);
    }

    private void Reject(string why) => _rejected.Add(why);
}
