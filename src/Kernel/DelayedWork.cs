namespace Kernel;

/// <summary>
/// A delayed_work: schedule_delayed_work() / queue_delayed_work() queue it unless it is
/// already pending, due delay jiffies from now on a VirtualClock; cancel_delayed_work_sync()
/// takes a pending item away and waits for a running one. Who runs a due work item, and when,
/// is the executor's business: the sequential harness runs it when a test says so, the
/// concurrent harness on a task.
///
/// Two users:
/// - v1's aerator schedules with no clock (Schedule()): its HZ/10 delay is not modelled and
///   "pending" stands for it; it takes the item with TakePending() whatever the time. Without a
///   clock, Schedule is the one compare-exchange it always was (no cancel lock-out, no due time),
///   so v1's recorded Coyote traces replay unchanged.
/// - The merged design (mm/page_reporting.c) schedules with PAGE_REPORTING_DELAY on a clock and
///   takes the item with TakeDue(), which refuses before the due jiffy and while the item's
///   workqueue is frozen.
///
/// Model simplifications: the timer and the queued state are one "pending" bit (the kernel has
/// a timer that queues the work on expiry; the model's item becomes runnable at its due time);
/// no CPU affinity; a second schedule while pending keeps the first due time, as the kernel's
/// does (mod_delayed_work is not modelled).
/// </summary>
public sealed class DelayedWork
{
    private readonly AtomicInt _pending = new();
    private readonly AtomicInt _running = new();
    private readonly AtomicInt _canceling = new();
    private long _due;

    public DelayedWork(string name, VirtualClock? clock = null, Workqueue? workqueue = null)
    {
        Name = name;
        Clock = clock;
        Workqueue = workqueue;
    }

    /// <summary>The work function's name, for messages.</summary>
    public string Name { get; }

    /// <summary>The clock delays are measured on; null for v1's undelayed use.</summary>
    public VirtualClock? Clock { get; }

    /// <summary>The workqueue the item is queued on; null for system_wq.</summary>
    public Workqueue? Workqueue { get; }

    /// <summary>Raised when the work becomes pending (for executors that run it on a task).</summary>
    public event Action? Queued;

    /// <summary>WORK_STRUCT_PENDING.</summary>
    public bool Pending => _pending.Read() != 0;

    /// <summary>The jiffy at which the pending item becomes runnable (meaningful while Pending).</summary>
    public long DueAt => Volatile.Read(ref _due);

    /// <summary>Whether the work function is executing now (between BeginRun and EndRun).</summary>
    public bool Running => _running.Read() != 0;

    /// <summary>Whether the item could start now: pending, due, and its workqueue not frozen.</summary>
    public bool Due =>
        Pending
        && (Clock is null || Clock.Jiffies >= DueAt)
        && !(Workqueue is { Frozen: true });

    /// <summary>
    /// Whether the item would be Due but for its frozen workqueue (pending, its time come).
    /// Plain reads, not scheduling points under Coyote: for reachability counts only.
    /// </summary>
    public bool HeldByFreeze =>
        _pending.Peek() != 0 && Workqueue is { FrozenPeek: true } && (Clock is null || Clock.Peek >= _due);

    /// <summary>
    /// Canonical state (exhaustive exploration): the PENDING, running and cancel bits, and for an
    /// item on a clock that is pending, how many jiffies remain until it is due, clamped at 0.
    /// Only that difference is kept, not the absolute due jiffy (which grows without bound):
    /// the one reader of the due time is Due (jiffies >= due), which depends on the difference
    /// alone, and once the item is due how long ago it fell due changes nothing. The due time of
    /// an item that is not pending is dead (the next Schedule overwrites it). The name, clock
    /// and workqueue are configuration (the clock's and the workqueue's own state is their
    /// owner's to write); the Queued event is wiring.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _pending.WriteCanonicalState(sink);
        _running.WriteCanonicalState(sink);
        _canceling.WriteCanonicalState(sink);
        sink.Add(Clock is not null && _pending.Peek() != 0 ? Math.Max(0, _due - Clock.Peek) : 0);
    }

    /// <summary>schedule_delayed_work(work, 0) as v1 uses it: false when it was already pending.</summary>
    public bool Schedule() => Schedule(0);

    /// <summary>
    /// schedule_delayed_work(work, delay) / queue_delayed_work(wq, work, delay): false when it
    /// was already pending, or while a cancel_delayed_work_sync holds the item (the canceller
    /// owns PENDING until it is done, so a queue attempt fails).
    /// </summary>
    public bool Schedule(long delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delay);
        // Without a clock (v1) the item does exactly what it did before the clock existed: one
        // compare-exchange, so that the Coyote traces recorded for v1 keep their scheduling points.
        if (Clock is not null && _canceling.Read() != 0)
            return false;
        int old = 0;
        if (!_pending.TryCmpXchg(ref old, 1))
            return false;
        if (Clock is not null)
            Volatile.Write(ref _due, Clock.Jiffies + delay);
        Queued?.Invoke();
        return true;
    }

    /// <summary>The workqueue takes the item to run it: clears PENDING (as process_one_work does before calling the function).</summary>
    public bool TakePending()
    {
        int old = 1;
        return _pending.TryCmpXchg(ref old, 0);
    }

    /// <summary>
    /// Take the item to run it only if it is Due; on success the item is Running until EndRun.
    /// Running is raised before the item is taken (and lowered again when it cannot be), so
    /// that taking PENDING and becoming the running item are one step for a canceller or a
    /// freezer: the kernel's worker does both under pool->lock (process_one_work), so a
    /// cancel_delayed_work_sync or freeze_workqueues_busy never sees the item neither pending
    /// nor running while it is about to run. Taking first and raising Running afterwards left
    /// such a window (a cancel could return, or a freeze pass, just before the work ran).
    /// </summary>
    public bool TakeDue()
    {
        _running.Set(1);
        if (Due && TakePending())
            return true;
        _running.Set(0);
        return false;
    }

    /// <summary>The work function returned.</summary>
    public void EndRun() => _running.Set(0);

    /// <summary>
    /// cancel_delayed_work_sync(), first half: take a pending item away (true when it was
    /// pending) and lock the item out of queueing until FinishCancel.
    /// </summary>
    public bool StartCancel()
    {
        _canceling.Set(1);
        return TakePending();
    }

    /// <summary>
    /// cancel_delayed_work_sync(), the wait: true once the work function is not running;
    /// the lock-out then ends (a later schedule works again).
    /// </summary>
    public bool FinishCancel()
    {
        if (Running)
            return false;
        _canceling.Set(0);
        return true;
    }
}
