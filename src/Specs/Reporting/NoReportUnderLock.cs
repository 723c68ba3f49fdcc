using System.Threading;
using BuddyModel;
using Reporting;

namespace Specs.Reporting;

/// <summary>
/// Never report under the lock: report() runs with zone->lock free. The device sleeps until
/// the host answers; with the lock held, every allocation and free of the zone would wait for
/// the host (and a host that touches guest memory could deadlock). Watched by a wrapper around
/// the device the driver registers: it looks at the zone locks at every report() call.
/// </summary>
public sealed class NoReportUnderLock(IPageReportingDevice inner, IReadOnlyList<Zone> zones) : IPageReportingDevice
{
    public const string Name = "Never report under the lock";

    public const string Guarantee = "the guest's allocator never waits for the host";

    /// <summary>The zone whose lock was held at a report() call, if any (the first seen).</summary>
    public string? HeldAtReport { get; private set; }

    public int Start(IReadOnlyList<ScatterEntry> sg)
    {
        foreach (var zone in zones)
            if (HoldsLock(zone.Lock))
                HeldAtReport ??= zone.Config.Name;
        return inner.Start(sg);
    }

    public bool Completed(out int err) => inner.Completed(out err);

    /// <summary>The violation once a report ran under a zone lock, or null.</summary>
    public Violation? Check() =>
        HeldAtReport is { } zone
            ? new Violation(Name, zone, "report() called with zone->lock free", "report() ran with zone->lock held")
            : null;

    /// <summary>
    /// Monitor.IsEntered: whether the calling thread or task holds the lock. Under Coyote's
    /// rewriting, IsEntered throws SynchronizationLockException for an object that nobody holds:
    /// that is "not held" too. Shared with the Coyote harness.
    /// </summary>
    public static bool HoldsLock(object lockObject)
    {
        try
        {
            return Monitor.IsEntered(lockObject);
        }
        catch (SynchronizationLockException)
        {
            return false;
        }
    }
}
