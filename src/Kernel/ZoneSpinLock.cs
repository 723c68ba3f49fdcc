namespace Kernel;

/// <summary>
/// spinlock_t over a monitor object (zone->lock is the buddy model's Zone.Lock). Lock/Unlock
/// are explicit, unlike C#'s lock statement, because the aerator drops zone->lock in the middle
/// of a function around react(). Monitor is controlled by Coyote's rewriting.
/// </summary>
public readonly struct ZoneSpinLock(object monitor)
{
    /// <summary>spin_lock.</summary>
    public void Lock()
    {
        Monitor.Enter(monitor);
        Tracepoint.Emit(TraceKind.Lock, "took zone->lock");
    }

    /// <summary>spin_unlock.</summary>
    public void Unlock()
    {
        Tracepoint.Emit(TraceKind.Unlock, "released zone->lock");
        Monitor.Exit(monitor);
    }
}
