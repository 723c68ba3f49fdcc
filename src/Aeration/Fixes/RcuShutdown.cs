namespace Aeration.Fixes;

/// <summary>Where RcuShutdown is between wake-ups.</summary>
public enum RcuShutdownPhase
{
    /// <summary>Not begun, or the static key was just disabled: unpublish next.</summary>
    Unpublish,
    /// <summary>synchronize_rcu(): waiting for free paths inside a read-side section.</summary>
    GracePeriod,
    /// <summary>Waiting for the worker (refcnt 0), as v1's msleep loop and upstream's cancel_delayed_work_sync.</summary>
    Worker,
}

/// <summary>
/// aerator_shutdown() with the RCU fix, as a state machine on AeratorShutdown's wake-ups, so it
/// runs stepwise in the sequential harness (each WakeShutdown is one wake-up) and on a task
/// (a loop of Step with a yield). Order: static_key_slow_dec (Begin); unpublish the notify
/// pointer; wait for a grace period; wait for refcnt 0; then, as v1, WARN on a non-empty batch
/// and clear a_dev_info.
/// </summary>
public class RcuShutdown(RcuAerator aerator) : AeratorShutdown(aerator)
{
    private readonly RcuAerator _rcuAerator = aerator;

    /// <summary>The phase the next wake-up runs.</summary>
    public RcuShutdownPhase Phase { get; private set; }

    protected override bool RefcountDrained(AeratorDevInfo dev)
    {
        if (Phase == RcuShutdownPhase.Unpublish)
        {
            _rcuAerator.UnpublishNotifyDevice();
            _rcuAerator.Rcu.StartGracePeriod();
            Phase = RcuShutdownPhase.GracePeriod;
        }
        if (Phase == RcuShutdownPhase.GracePeriod)
        {
            if (!GracePeriodElapsed())
                return false;
            Phase = RcuShutdownPhase.Worker;
        }
        if (dev.Refcnt.Read() != 0)
            return false;
        Phase = RcuShutdownPhase.Unpublish; // ready for a later startup / shutdown
        return true;
    }

    /// <summary>synchronize_rcu()'s wait: every free path that could have seen the device has left its read-side section.</summary>
    protected virtual bool GracePeriodElapsed() => _rcuAerator.Rcu.GracePeriodElapsed();
}
