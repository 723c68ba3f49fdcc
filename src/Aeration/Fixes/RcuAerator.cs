using Kernel;
using BuddyModel;

namespace Aeration.Fixes;

/// <summary>
/// Fix "the v1 shutdown race" the way later kernels do it (mm/page_reporting.c, 5.7+): the device
/// pointer notify uses is RCU-published. A free path runs its static-key test and notify inside
/// an rcu read-side section and tolerates a NULL device; shutdown (RcuShutdown) disables the key,
/// unpublishes that pointer, waits for a grace period (every free path that could have seen the
/// device is gone), then waits for the worker, and only then tears the device down.
///
/// Built on AeratorWithFixes, so the variant carries the suite's other fixes too.
///
/// Where the model departs from the kernel:
/// - 5.7's page_reporting_unregister never disables page_reporting_enabled, and its key and
///   order tests run outside rcu_read_lock; here shutdown keeps v1's static-key disable and the
///   whole screen runs inside the read-side section. So after shutdown most frees stop at the
///   key; a free that passed the key before it was disabled still meets the NULL check inside
///   the section, which is the interleaving the race needs.
/// - Upstream's worker finds its device through
/// container_of(work) and never reads the global pointer; here AeratorWorker reads
/// Aerator.DevInfo when the work starts. So this class keeps two pointers: the RCU-protected
/// one notify dereferences (NotifyDevice), and the base class's a_dev_info, which stands for the
/// device the work item belongs to and is cleared only after the worker is gone (by the last
/// step of shutdown, as in v1).
/// </summary>
public class RcuAerator(IReadOnlyList<Zone> zones, AeratorConfig config) : AeratorWithFixes(zones, config)
{
    private AeratorDevInfo? _notifyDevice;

    /// <summary>The RCU state guarding NotifyDevice.</summary>
    public Rcu Rcu { get; } = new();

    /// <summary>The RCU-published device notify uses (rcu_dereference): null once shutdown unpublished it.</summary>
    public AeratorDevInfo? NotifyDevice => Volatile.Read(ref _notifyDevice);

    /// <summary>Notifies that found the device unpublished and did nothing (a reachability fact).</summary>
    public int NotifiesAfterUnpublish => _afterUnpublish.Read();

    private readonly AtomicInt _afterUnpublish = new();

    /// <summary>Startup: publish the notify pointer (rcu_assign_pointer) before the base publishes the rest and requests every zone.</summary>
    public override int Startup(AeratorDevInfo dev)
    {
        if (DevInfo != null)
            return -16; // -EBUSY
        Volatile.Write(ref _notifyDevice, dev);
        return base.Startup(dev);
    }

    /// <summary>Shutdown's first step after the static key: rcu_assign_pointer(pr_dev_info, NULL).</summary>
    public void UnpublishNotifyDevice() => Volatile.Write(ref _notifyDevice, null);

    /// <summary>The screen of every free, inside rcu_read_lock() / rcu_read_unlock().</summary>
    protected override void NotifyFree(AerationZone az, int order)
    {
        Rcu.ReadLock();
        try
        {
            base.NotifyFree(az, order);
        }
        finally
        {
            Rcu.ReadUnlock();
        }
    }

    /// <summary>
    /// __aerator_notify() with the device read by rcu_dereference and checked: a NULL device means
    /// shutdown is under way, and the free does nothing (not even REQUESTED, which would leave a
    /// requested zone without its reference).
    /// </summary>
    public override void Notify(AerationZone az)
    {
        var dev = NotifyDevice;
        if (dev is null)
        {
            _afterUnpublish.Inc();
            return;
        }
        az.Flags.Set(ZoneFlag.AerationRequested);
        TakeReference(dev);
    }
}
