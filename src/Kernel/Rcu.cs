namespace Kernel;

/// <summary>
/// A model of RCU for one protected pointer's readers: rcu_read_lock / rcu_read_unlock around a
/// read-side section, and a grace period a writer can wait for. Every access is an Interlocked
/// or Volatile operation, so that under Coyote's rewriting each is a scheduling point.
///
/// The grace period is split so that a stepwise caller (the sequential harness, or a shutdown
/// state machine woken by a scheduler) can poll it: StartGracePeriod() when the writer calls
/// synchronize_rcu(), then GracePeriodElapsed() until it returns true.
///
/// Where the model departs from the kernel:
/// - Readers are counted. The kernel's classic RCU counts nothing: a read-side section is a
///   preempt-disabled region and a grace period ends when every CPU has passed a quiescent
///   state. Counting makes the model's grace period end only at a moment with no reader at all,
///   which is stronger than RCU (RCU waits only for readers that began before the grace period,
///   so a constant stream of new readers cannot delay it; here it could). The scenarios have a
///   bounded number of frees, so the grace period always ends. Waiting for every reader could in
///   general hide a use that happens after the kernel's grace period would have ended (a reader
///   that began after unpublishing); here such readers see the NULL device (and, with the static
///   key off, most never get that far), so the stronger wait hides nothing in these scenarios.
/// - rcu_dereference / rcu_assign_pointer are Volatile reads and writes of the pointer (the
///   owner keeps the pointer; see RcuAerator). No memory-ordering model beyond that.
/// - Sections do not nest across tasks and are not tied to a CPU; a section that never ends
///   (a bug in a caller) blocks every grace period, as a reader that never re-enables
///   preemption would stall the kernel's.
/// </summary>
public sealed class Rcu
{
    private readonly AtomicInt _readers = new();
    private readonly AtomicInt _gracePeriods = new();

    /// <summary>rcu_read_lock().</summary>
    public void ReadLock() => _readers.Inc();

    /// <summary>rcu_read_unlock().</summary>
    public void ReadUnlock()
    {
        int old = _readers.Read();
        while (true)
        {
            if (old <= 0)
                throw new InvalidOperationException("rcu_read_unlock() without rcu_read_lock()");
            if (_readers.TryCmpXchg(ref old, old - 1))
                return;
        }
    }

    /// <summary>Readers inside a read-side section now.</summary>
    public int Readers => _readers.Read();

    /// <summary>Grace periods that have elapsed (for reports).</summary>
    public int GracePeriods => _gracePeriods.Read();

    /// <summary>
    /// Canonical state (exhaustive exploration): the readers inside a section (a grace period
    /// waits for them; 0 between the sequential harness's steps, since every section opens and
    /// closes within one notify). Dropped: the count of grace periods elapsed, which only
    /// reports read and which grows without bound.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink) => _readers.WriteCanonicalState(sink);

    /// <summary>synchronize_rcu(), first half: the writer has already unpublished; the grace period starts now.</summary>
    public void StartGracePeriod() { }

    /// <summary>
    /// synchronize_rcu(), the wait: true once no reader that could have seen the old pointer is
    /// left (here: once no reader at all is inside a section).
    /// </summary>
    public bool GracePeriodElapsed()
    {
        if (_readers.Read() != 0)
            return false;
        _gracePeriods.Inc();
        return true;
    }
}
