using Aeration.Virtio;

namespace Reporting.Virtio;

/// <summary>A range the host took from a report: discarded, or acknowledged without discard and why.</summary>
public readonly record struct HostRange(int Pfn, int NrPages, string? SkippedBecause)
{
    public bool Discarded => SkippedBecause is null;
}

/// <summary>The host's situation, as QEMU's virtio-balloon sees it.</summary>
public sealed record HostOptions
{
    /// <summary>Host page size as a power of two of guest pages (0: 4 KiB, 9: 2 MiB huge pages).</summary>
    public int HostPageOrder { get; init; }

    /// <summary>ram_block_discard_is_disabled(): discards inhibited (VFIO, postcopy).</summary>
    public bool DiscardInhibited { get; init; }

    /// <summary>
    /// The transport is virtio-ccw with a dense queue layout (2025 row): without the fix, the
    /// used-buffer notification of the reporting queue is lost.
    /// </summary>
    public bool DenseLayout { get; init; }
}

/// <summary>
/// The device side of reporting_vq (QEMU's virtio_balloon_handle_report): pop each available
/// buffer, and for each element discard the backing of the range (its pages then read zero,
/// or poison_val with PAGE_POISON) unless it must skip: discard inhibited, PAGE_POISON with a
/// non-zero poison_val (the discarded page would read zero, not the poison), or a range not
/// aligned to the host page size. Skipped or not, the buffer is pushed to the used ring with
/// length 0 and the guest notified: "reported" means acknowledged, not discarded.
/// Model simplification: a malformed element (device-readable, or beyond guest memory) is
/// skipped with its reason like the others (QEMU would mark the device broken).
/// Step, HasWork and Discard are virtual only as seams for deliberately broken hosts in tests.
/// </summary>
public class ReportingHost
{
    private readonly List<HostRange> _ranges = new();

    public ReportingHost(ReportingDriver driver, GuestMemory memory, HostOptions options, bool usedNotifyFixed)
    {
        Driver = driver ?? throw new ArgumentNullException(nameof(driver));
        Memory = memory ?? throw new ArgumentNullException(nameof(memory));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        UsedNotifyFixed = usedNotifyFixed;
    }

    public ReportingDriver Driver { get; }
    public GuestMemory Memory { get; }
    public HostOptions Options { get; }

    /// <summary>Whether the 2025 virtio-ccw fix is in (notifications are delivered for a dense layout).</summary>
    public bool UsedNotifyFixed { get; }

    /// <summary>Where the host's skips count as guarded rules (QEMU's); the system sets it to its counter.</summary>
    public BuddyModel.RuleReach? Reach { get; set; }

    /// <summary>Every range taken, in order.</summary>
    public IReadOnlyList<HostRange> Ranges => _ranges;

    /// <summary>Used-buffer notifications that were lost (dense layout without the fix).</summary>
    public int LostNotifications { get; private set; }

    /// <summary>Whether an available buffer waits.</summary>
    public virtual bool HasWork => Driver.Vq?.HasAvail == true;

    /// <summary>
    /// Canonical state (exhaustive exploration): nothing. The host reads only the virtqueue
    /// (the driver's) and writes guest memory (the guest's) and the used ring; its ledger of
    /// ranges grows without bound, and its effects are elsewhere: the backing it dropped is in
    /// guest memory (GuestSystem writes it), what was acknowledged is in the guest's hint
    /// ledger (the harness records each range in the step that adds it), and nothing later
    /// reads the list. The count of lost notifications is a count (the lost wake-up itself is
    /// the driver's flag); the options are configuration. Virtual for a broken host in a test
    /// with state of its own (such a host is refused by the explorer anyway).
    /// </summary>
    public virtual void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink) => ArgumentNullException.ThrowIfNull(sink);

    /// <summary>Handle one available buffer; false when there was none.</summary>
    public virtual bool Step()
    {
        var vq = Driver.Vq;
        var avail = vq?.PopAvail();
        if (avail is null)
            return false;
        var (head, _) = avail.Value;
        foreach (var d in vq!.ReadChain(head))
            Take(d);
        PushUsedAndNotify(vq, head);
        return true;
    }

    /// <summary>virtqueue_push + virtio_notify: the buffer goes back with length 0 and the guest is interrupted (unless the notification is lost).</summary>
    protected void PushUsedAndNotify(Virtqueue vq, ushort head)
    {
        vq.PushUsed(head, 0);
        if (Options.DenseLayout && !UsedNotifyFixed)
            LostNotifications++;
        else
            Driver.Interrupt();
    }

    /// <summary>One element of a popped buffer: discard its range unless it must skip, and record it.</summary>
    protected void Take(VringDesc d)
    {
        int pfn = (int)(d.Addr >> ScatterEntry.PageShift);
        int nrPages = (int)(d.Len >> ScatterEntry.PageShift);
        int hostPages = 1 << Options.HostPageOrder;
        var f = Driver.Negotiated;
        string? skip =
            (d.Flags & VringDesc.FWrite) == 0 ? "element is not device-writable"
            : (ulong)pfn + (ulong)nrPages > (ulong)Memory.NrPages ? "range beyond guest memory"
            : Options.DiscardInhibited ? DiscardInhibitedSkip
            : f.PagePoison && f.PoisonVal != 0 ? PoisonValSkip
            : (pfn & (hostPages - 1)) != 0 || (nrPages & (hostPages - 1)) != 0 ? UnalignedSkip
            : null;
        if (skip is null)
            Discard(pfn, nrPages, f.DropFill());
        else if (Reach is { } reach)
            CountSkip(reach, skip);
        _ranges.Add(new HostRange(pfn, nrPages, skip));
    }

    /// <summary>Count the QEMU rule that made the host skip the discard (reachability facts).</summary>
    private static void CountSkip(BuddyModel.RuleReach reach, string skip)
    {
        switch (skip)
        {
            case DiscardInhibitedSkip: reach.Hit(BuddyModel.GuardedRule.HostSkipsDiscardInhibited); break;
            case PoisonValSkip: reach.Hit(BuddyModel.GuardedRule.HostSkipsPoisonVal); break;
            case UnalignedSkip: reach.Hit(BuddyModel.GuardedRule.HostSkipsUnaligned); break;
        }
    }

    private const string DiscardInhibitedSkip = "discard inhibited", PoisonValSkip = "poison_val is not zero", UnalignedSkip = "range not aligned to the host page size";

    /// <summary>ram_block_discard_range of the element: the pages' backing goes (they read as fill).</summary>
    protected virtual void Discard(int pfn, int nrPages, ulong fill)
    {
        for (int p = pfn; p < pfn + nrPages; p++)
            Memory.DropBacking(p, fill);
    }
}
