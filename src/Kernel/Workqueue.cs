namespace Kernel;

/// <summary>
/// A workqueue as far as the models need one: its name and whether it is freezable
/// (WQ_FREEZABLE, e.g. system_freezable_wq). While the system is frozen for suspend or
/// hibernation (freeze_workqueues_begin .. thaw_workqueues), work items queued on a freezable
/// workqueue stay pending and do not start; work on a non-freezable workqueue (system_wq) keeps
/// running. Model simplification: the workqueue has no worker pool or concurrency limit;
/// which pending item runs when is the executor's business (see DelayedWork).
/// </summary>
public sealed class Workqueue(string name, bool freezable)
{
    private int _frozen;

    /// <summary>The workqueue's name ("events", "events_freezable").</summary>
    public string Name { get; } = name;

    /// <summary>WQ_FREEZABLE.</summary>
    public bool Freezable { get; } = freezable;

    /// <summary>Whether the PM core froze this workqueue (only ever true for a freezable one).</summary>
    public bool Frozen => Volatile.Read(ref _frozen) != 0;

    /// <summary>Frozen as a plain read: not a scheduling point under Coyote. For reachability counts only.</summary>
    public bool FrozenPeek => _frozen != 0;

    /// <summary>freeze_workqueues_begin(): a freezable workqueue stops starting work items.</summary>
    public void Freeze()
    {
        if (Freezable)
            Volatile.Write(ref _frozen, 1);
    }

    /// <summary>
    /// Canonical state (exhaustive exploration): whether it is frozen, the one thing it has that
    /// changes (Due reads it). The name and WQ_FREEZABLE are configuration.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(_frozen);
    }

    /// <summary>thaw_workqueues().</summary>
    public void Thaw() => Volatile.Write(ref _frozen, 0);

    public override string ToString() => Name;
}
