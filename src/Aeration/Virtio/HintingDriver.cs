namespace Aeration.Virtio;

/// <summary>
/// The hinting half of the virtio-balloon driver in v1 (patch 6/6): react() encodes each batch
/// block as one 64-bit hint (physical address OR order, in 4 KiB balloon units), adds the
/// hints array as one out-buffer to hinting_vq, kicks, and waits (wait_event on vb->acked)
/// until the device returns the buffer.
/// </summary>
public class HintingDriver : IAeratorReact
{
    /// <summary>VIRTIO_BALLOON_ARRAY_HINTS_MAX.</summary>
    public const int HintsMax = 32;

    /// <summary>PAGE_SHIFT; VIRTIO_BALLOON_PFN_SHIFT is the same (4 KiB pages).</summary>
    public const int PageShift = 12;

    /// <summary>Where the model places vb->hints in guest-physical space (outside the zone).</summary>
    public const ulong HintsAddr = 0x7FFF_0000_0000UL;

    private readonly ulong[] _hints;
    private bool _inFlight;
    private bool _acked;

    public HintingDriver(Virtqueue vq, BalloonFeatures negotiated, int hintsMax = HintsMax)
    {
        Vq = vq ?? throw new ArgumentNullException(nameof(vq));
        Negotiated = negotiated ?? throw new ArgumentNullException(nameof(negotiated));
        if (hintsMax < 1)
            throw new ArgumentException($"hintsMax {hintsMax} must be at least 1", nameof(hintsMax));
        _hints = new ulong[hintsMax];
        vq.MapDriverMemory(HintsAddr, _hints);
    }

    /// <summary>vb->hinting_vq.</summary>
    public Virtqueue Vq { get; }

    /// <summary>The features both sides agreed on.</summary>
    public BalloonFeatures Negotiated { get; }

    /// <summary>
    /// a_dev_info.capacity as the driver sets it: the hints array. The model also bounds it by
    /// the ring size, so that a form with one descriptor per block would fit as well.
    /// </summary>
    public int Capacity => Math.Min(_hints.Length, Vq.Size);

    /// <summary>Buffers submitted.</summary>
    public int Submitted { get; private set; }

    /// <summary>
    /// Whether hinting may be started: v1 starts whenever F_HINTING is negotiated. The upstream
    /// fix (virtballoon_validate, 5.7) refuses when the guest poisons free pages and the device
    /// cannot keep the poison value; pass validatePoison to apply it.
    /// </summary>
    public bool MayStart(bool pagePoisoning, ulong poisonValue, bool validatePoison) =>
        Negotiated.Hinting
        && (!validatePoison || !pagePoisoning || (Negotiated.PagePoison && Negotiated.PoisonVal == (uint)poisonValue));

    /// <summary>page_to_hints_pa_order(): the block's physical address with its order in the low bits.</summary>
    public static ulong Encode(int pfn, int order) => ((ulong)pfn << PageShift) | (uint)order;

    /// <summary>One entry of vb->hints for a batch block (page_to_hints_pa_order); tests swap in broken encodings.</summary>
    protected virtual ulong Hint(BatchEntry e) => Encode(e.Pfn, e.Order);

    /// <summary>virtballoon_aerator_react() up to its wait_event().</summary>
    public void Submit(IReadOnlyList<BatchEntry> batch)
    {
        if (_inFlight)
            throw new InvalidOperationException("virtballoon_aerator_react: a hints buffer is already in flight (balloon_lock is held across react)");
        int num = 0;
        foreach (var e in batch)
        {
            if (num == _hints.Length)
                throw new InvalidOperationException($"virtballoon_aerator_react: batch of {batch.Count} blocks exceeds the hints array ({_hints.Length})");
            _hints[num++] = Hint(e);
        }
        if (num == 0)
            return; // WARN_ON(vb->num_hints == 0): nothing submitted
        int head = Vq.AddOutbuf(HintsAddr, (uint)(sizeof(ulong) * num), this);
        if (head < 0)
            throw new InvalidOperationException($"virtqueue_add_outbuf on {Vq.Name} failed ({head}): the only buffer in flight should always fit");
        Vq.Kick();
        _inFlight = true;
        _acked = false;
        Submitted++;
    }

    /// <summary>
    /// Canonical state (exhaustive exploration): whether a hints buffer is in flight. Dropped:
    /// the acked flag (false whenever a buffer is in flight, and not read otherwise: with none
    /// in flight Acknowledged answers true at once), the hints array (the device reads it only
    /// through a descriptor it has not consumed yet, so the queue writes the words such a
    /// descriptor covers: Virtqueue.WriteCanonicalState; once consumed, they are dead until the
    /// next Submit overwrites them), and Submitted (a count nothing reads). The queue writes its
    /// own state.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(_inFlight ? 1 : 0);
    }

    /// <summary>The wait_event() condition: virtqueue_get_buf() returned our buffer.</summary>
    public bool Acknowledged()
    {
        if (!_inFlight)
            return true;
        if (!_acked && Vq.GetBuf(out _) != null)
        {
            _acked = true;
            _inFlight = false;
        }
        return _acked;
    }
}
