namespace Aeration;

/// <summary>
/// aerator_shutdown() of v1 as a resumable state machine: disable the static key, then sleep
/// (msleep(20)) until refcnt reaches 0, then WARN if the batch is not empty and unpublish the
/// device. Each Step is one wake-up of the sleep loop.
///
/// The static key does not wait for free paths already past their static_key_false() test:
/// such a path can still reach __aerator_notify() after a_dev_info is gone.
/// </summary>
public class AeratorShutdown
{
    private readonly Aerator _aerator;
    private AeratorDevInfo? _dev;

    public AeratorShutdown(Aerator aerator) => _aerator = aerator ?? throw new ArgumentNullException(nameof(aerator));

    /// <summary>Whether shutdown has begun and not yet returned.</summary>
    public bool InProgress { get; private set; }

    /// <summary>Whether a shutdown has returned.</summary>
    public bool Returned { get; private set; }

    /// <summary>Wake-ups of the sleep loop so far.</summary>
    public int Sleeps { get; private set; }

    /// <summary>
    /// Canonical state (exhaustive exploration): whether a shutdown is in progress. Dropped:
    /// the device it waits on (while in progress it is the published device, the system's only
    /// one; otherwise the next Begin overwrites it), Returned (read only in the step that set
    /// it: the harness reads it right after Begin or Step; Begin clears it), and Sleeps (a count
    /// for messages). A subclass with state of its own extends this.
    /// </summary>
    public virtual void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(InProgress ? 1 : 0);
    }

    /// <summary>Begin aerator_shutdown(): static_key_slow_dec, then the first check of the loop. False when no device is published.</summary>
    public bool Begin()
    {
        _dev = _aerator.DevInfo;
        if (_dev is null || InProgress)
            return false;
        InProgress = true;
        Returned = false;
        Sleeps = 0;
        DisableNotify();
        Step();
        return true;
    }

    /// <summary>One wake-up: return if refcnt is 0, otherwise sleep again. Returns whether shutdown has returned.</summary>
    public bool Step()
    {
        if (!InProgress)
            return Returned;
        if (!RefcountDrained(_dev!))
        {
            Kernel.Tracepoint.Emit("aerator_shutdown: refcnt not 0: msleep(20)");
            _aerator.Reach.Hit(BuddyModel.GuardedRule.ShutdownSleeps);
            Sleeps++;
            return false;
        }
        if (_dev!.Batch.Count != 0)
            _aerator.Oops($"aerator_shutdown: WARN_ON(!list_empty(&a_dev_info->batch)): {_dev.Batch.Count} blocks still in the batch");
        Kernel.Tracepoint.Emit("aerator_shutdown: refcnt 0");
        _aerator.Unpublish();
        InProgress = false;
        Returned = true;
        return true;
    }

    /// <summary>static_key_slow_dec(&amp;aerator_notify_enabled): frees stop calling into the aerator (those past the test excepted).</summary>
    protected virtual void DisableNotify()
    {
        _aerator.NotifyEnabled.SlowDec();
        Kernel.Tracepoint.Emit("aerator_shutdown: static_key_slow_dec(&aerator_notify_enabled)");
    }

    /// <summary>while (atomic_read(&amp;a_dev_info->refcnt)) msleep(20);</summary>
    protected virtual bool RefcountDrained(AeratorDevInfo dev) => dev.Refcnt.Read() == 0;
}
