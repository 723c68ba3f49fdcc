using SchedulingPoint = Microsoft.Coyote.Runtime.SchedulingPoint;

namespace Concurrency.Harness;

/// <summary>
/// The harness's own bookkeeping (the change signal tasks wait on, counters of finished
/// operations, the stop flag) is not kernel code. Under Coyote every lock, Interlocked and
/// Volatile access is a scheduling point, so without this each poll of the stop flag would be a
/// place where the schedule can switch tasks: hundreds of points per run that the kernel does
/// not have. A switch inside the bookkeeping is no different from a switch at the model's next
/// scheduling point (the bookkeeping changes nothing the model reads), so under Coyote it runs
/// with interleavings suppressed: fewer steps per iteration, and traces whose every step is a
/// place in kernel code. A wait (an await on the change signal) still switches: Coyote does not
/// suppress the switch of an operation that waits or completes. On real threads (the stress
/// comparison) the locks and atomics work as written.
/// </summary>
public sealed class Bookkeeping(bool underCoyote)
{
    private int _depth;

    /// <summary>Suppress interleavings until the scope is disposed (nested scopes resume at the outermost).</summary>
    public Scope Quiet()
    {
        if (underCoyote && _depth++ == 0)
        {
            SchedulingPoint.Suppress();
            Schedules.StoryRecorder.Seen();
        }
        return new Scope(this);
    }

    /// <summary>Volatile.Read of a harness field, without a scheduling point under Coyote.</summary>
    public int Read(ref int field)
    {
        using (Quiet())
            return Volatile.Read(ref field);
    }

    /// <summary>Volatile.Read of a harness reference, without a scheduling point under Coyote.</summary>
    public T? Read<T>(ref T? field) where T : class
    {
        using (Quiet())
            return Volatile.Read(ref field);
    }

    private void Leave()
    {
        if (underCoyote && --_depth == 0)
            SchedulingPoint.Resume();
    }

    /// <summary>The end of a quiet stretch.</summary>
    public readonly struct Scope(Bookkeeping owner) : IDisposable
    {
        public void Dispose() => owner.Leave();
    }
}
