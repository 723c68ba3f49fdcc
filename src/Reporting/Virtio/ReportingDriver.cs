using Aeration.Virtio;
using Kernel;

namespace Reporting.Virtio;

/// <summary>What the guest does with free pages that a device must respect.</summary>
public sealed record GuestPoisoning
{
    /// <summary>page_poisoning_enabled(): free pages are filled with PAGE_POISON (0xaa) and checked on allocation.</summary>
    public bool PagePoisoning { get; init; }

    /// <summary>want_init_on_free(): free pages are zeroed on free.</summary>
    public bool InitOnFree { get; init; }

    /// <summary>PAGE_POISON (0xaa) as the 32-bit poison_val the driver writes.</summary>
    public const uint PagePoisonVal = 0xaaaa_aaaa;
}

/// <summary>
/// The free page reporting half of virtio-balloon (drivers/virtio/virtio_balloon.c, 5.7+):
/// feature validation (virtballoon_validate), the probe steps that create reporting_vq and
/// register with page reporting, report() (virtballoon_free_page_report), and freeze/restore
/// (virtballoon_freeze deletes the virtqueues; virtballoon_restore re-creates them).
///
/// report(): the scatterlist becomes one buffer of nents device-writable elements, each a whole
/// buddy block (virtqueue_add_inbuf); at most one is in flight (the worker is the only caller
/// and waits); kick; wait_event(vb->acked, virtqueue_get_buf()), woken by the used-buffer
/// interrupt (balloon_ack). The used length is ignored (QEMU uses 0).
///
/// Model simplifications: the other virtqueues (inflate, deflate, stats, free page hint) are
/// not modelled; VIRTIO_F_ACCESS_PLATFORM is not; a use of the deleted virtqueue is a
/// KernelOops at the use (the kernel's use after free would corrupt memory or crash later).
/// </summary>
public sealed class ReportingDriver : IPageReportingDevice
{
    /// <summary>-ENOSPC.</summary>
    public const int ENoSpc = -28;

    private readonly int _vqSize;
    private Virtqueue? _vq;
    private bool _inFlight;
    private bool _woken;
    private bool _done;

    public ReportingDriver(BalloonFeatures negotiated, int vqSize = 128)
    {
        Negotiated = negotiated ?? throw new ArgumentNullException(nameof(negotiated));
        _vqSize = vqSize;
    }

    /// <summary>The features after validation.</summary>
    public BalloonFeatures Negotiated { get; }

    /// <summary>vb->reporting_vq; null after freeze deleted it.</summary>
    public Virtqueue? Vq => _vq;

    /// <summary>vb->pr_dev_info, once probed.</summary>
    public PageReportingDevInfo? DevInfo { get; private set; }

    /// <summary>Buffers submitted.</summary>
    public int Submitted { get; private set; }

    /// <summary>Whether a buffer is with the device.</summary>
    public bool InFlight => _inFlight;

    /// <summary>
    /// virtballoon_validate() as far as reporting goes. Both versions clear PAGE_POISON when the
    /// guest neither poisons nor inits free pages (nothing for the device to keep). The 5.7
    /// stable fix (validatePoison) also clears F_REPORTING when the guest does poison or init but
    /// the device did not offer PAGE_POISON: such a device may hand back zeroed pages.
    /// poison_val (written at probe): with PAGE_POISON, 0 for init_on_free, else PAGE_POISON.
    /// </summary>
    public static BalloonFeatures Validate(BalloonFeatures offered, GuestPoisoning guest, bool validatePoison)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(guest);
        var f = offered;
        if (!guest.InitOnFree && !guest.PagePoisoning)
            f = f with { PagePoison = false };
        else if (validatePoison && !f.PagePoison)
            f = f with { Hinting = false };
        uint poisonVal = f.PagePoison && !guest.InitOnFree ? GuestPoisoning.PagePoisonVal : 0;
        return f with { PoisonVal = poisonVal };
    }

    /// <summary>
    /// The reporting part of virtballoon_probe(): nothing without F_REPORTING (returns 0, no
    /// device); create reporting_vq; refuse (-ENOSPC) a ring smaller than
    /// PAGE_REPORTING_CAPACITY; fill pr_dev_info (report, order) and register. report is the
    /// callback registered as prdev->report: this driver by default; a test harness may pass a
    /// wrapper that watches the calls and forwards them to this driver.
    /// </summary>
    public int Probe(PageReporting reporting, int order, IPageReportingDevice? report = null)
    {
        ArgumentNullException.ThrowIfNull(reporting);
        if (!Negotiated.Hinting)
            return 0;
        _vq = new Virtqueue("reporting_vq", _vqSize);
        if (_vq.Size < PageReporting.Capacity)
            return ENoSpc;
        DevInfo = new PageReportingDevInfo(report ?? this, order);
        return reporting.Register(DevInfo);
    }

    /// <summary>virtballoon_freeze(): remove_common deletes the virtqueues (reporting stays registered).</summary>
    public void Freeze() => _vq = null; // a report in flight stays so: its worker sleeps on, or touches the freed queue when woken

    /// <summary>virtballoon_restore(): init_vqs re-creates the virtqueues.</summary>
    public void Restore()
    {
        if (Negotiated.Hinting)
            _vq = new Virtqueue("reporting_vq", _vqSize);
    }

    /// <summary>
    /// Canonical state (exhaustive exploration): whether probe set up pr_dev_info (the prdev
    /// itself is the core's work owner, written there), whether reporting_vq exists (freeze
    /// deletes it) and its state (Virtqueue.WriteCanonicalStateRenamed: relative to its indices, descriptor ids renamed by first appearance),
    /// whether a report is in flight, and while one is whether balloon_ack woke the waiter.
    /// Dropped: the wake-up flag with nothing in flight (report() clears it before the next
    /// buffer), the done flag (true only with nothing in flight, where Completed answers true
    /// anyway), Submitted (a count nothing reads), the negotiated features and ring size
    /// (configuration).
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(DevInfo is null ? 0 : 1);
        sink.Add(_vq is null ? 0 : 1);
        _vq?.WriteCanonicalStateRenamed(sink);
        sink.Add(_inFlight ? 1 : 0);
        if (_inFlight)
            sink.Add(_woken ? 1 : 0);
    }

    /// <summary>balloon_ack(): the used-buffer interrupt wakes vb->acked.</summary>
    public void Interrupt() => _woken = true;

    /// <inheritdoc/>
    public int Start(IReadOnlyList<ScatterEntry> sg)
    {
        ArgumentNullException.ThrowIfNull(sg);
        var vq = _vq ?? throw new KernelOops("virtballoon_free_page_report: use after free: reporting_vq was deleted by virtballoon_freeze");
        if (_inFlight)
            throw new InvalidOperationException("virtballoon_free_page_report: a report is already in flight (the worker waits for each)");
        var elems = new (ulong, uint)[sg.Count];
        for (int i = 0; i < sg.Count; i++)
            elems[i] = (sg[i].Phys, sg[i].Length);
        // The wait's state is set up before the buffer becomes visible: once it is added and
        // kicked, the device may use it and balloon_ack may run at once (before this function
        // goes on), and that wake-up must not be overwritten. (The kernel's wait_event tests
        // virtqueue_get_buf before sleeping, so an early ack is never lost.)
        _inFlight = true;
        _woken = false;
        _done = false;
        int head = vq.AddInbufs(elems, this);
        if (head < 0)
        {
            _inFlight = false;
            return head; // WARN_ON_ONCE(err): the pages are drained unreported
        }
        Submitted++;
        vq.Kick();
        return 0;
    }

    /// <inheritdoc/>
    public bool Completed(out int err)
    {
        err = 0;
        if (_done || !_inFlight)
            return true;
        if (!_woken)
            return false; // asleep in wait_event until balloon_ack
        var vq = _vq ?? throw new KernelOops("virtballoon_free_page_report: use after free: reporting_vq was deleted by virtballoon_freeze while a report was out");
        if (vq.GetBuf(out _) is null)
            return false;
        _done = true;
        _inFlight = false;
        return true;
    }
}
