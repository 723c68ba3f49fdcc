namespace Aeration.Kernel;

/// <summary>
/// A delayed_work on the system workqueue: schedule_delayed_work() queues it unless it is
/// already pending. Who runs a pending work item, and when, is the executor's business: the
/// sequential harness runs it when a test says so, the concurrent harness on a task.
/// Model simplification: the delay (HZ/10 in v1) is not modelled; "pending" stands for it.
/// </summary>
public sealed class DelayedWork
{
    private readonly AtomicInt _pending = new();

    public DelayedWork(string name) => Name = name;

    /// <summary>The work function's name, for messages.</summary>
    public string Name { get; }

    /// <summary>Raised when the work becomes pending (for executors that run it on a task).</summary>
    public event Action? Queued;

    /// <summary>WORK_STRUCT_PENDING.</summary>
    public bool Pending => _pending.Read() != 0;

    /// <summary>schedule_delayed_work(): false when it was already pending.</summary>
    public bool Schedule()
    {
        int old = 0;
        if (!_pending.TryCmpXchg(ref old, 1))
            return false;
        Queued?.Invoke();
        return true;
    }

    /// <summary>The workqueue takes the item to run it: clears PENDING (as process_one_work does before calling the function).</summary>
    public bool TakePending()
    {
        int old = 1;
        return _pending.TryCmpXchg(ref old, 0);
    }
}
