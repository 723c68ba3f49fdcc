using Kernel;
using BuddyModel;

namespace Aeration;

/// <summary>One block in the aerator's batch: page, with order (page_private) and migratetype (page->index) recorded.</summary>
public readonly record struct BatchEntry(AerationZone Zone, int Pfn, int Order, MigrateType Mt);

/// <summary>
/// The device side of the aerator's react(): v1's callback, split at its wait_event() so that
/// the worker can be stopped while the batch is with the device.
/// </summary>
public interface IAeratorReact
{
    /// <summary>Hand the batch to the device (encode, add the buffer, kick). Runs without zone->lock.</summary>
    void Submit(IReadOnlyList<BatchEntry> batch);

    /// <summary>The condition react()'s wait_event() waits for: the device has returned the buffer.</summary>
    bool Acknowledged();
}

/// <summary>struct aerator_dev_info: react, the batch list, capacity and the reference count.</summary>
public sealed class AeratorDevInfo
{
    public AeratorDevInfo(IAeratorReact react, int capacity)
    {
        React = react ?? throw new ArgumentNullException(nameof(react));
        if (capacity < 1)
            throw new ArgumentException($"capacity {capacity} must be at least 1", nameof(capacity));
        Capacity = capacity;
    }

    /// <summary>a_dev_info->react.</summary>
    public IAeratorReact React { get; }

    /// <summary>
    /// a_dev_info->batch: blocks taken off the free lists for the device. As in v1 it has no
    /// lock of its own: the worker fills and drains it under zone->lock, startup clears it before
    /// the device is published, shutdown reads it once the refcount says the worker is gone.
    /// </summary>
    public List<BatchEntry> Batch { get; } = new();

    /// <summary>a_dev_info->capacity.</summary>
    public int Capacity { get; }

    /// <summary>a_dev_info->refcnt: REQUESTED zones, plus one while the worker runs.</summary>
    public AtomicInt Refcnt { get; } = new();

    /// <summary>
    /// Canonical state (exhaustive exploration): refcnt, and the batch in order (drain returns
    /// it front to back, and the order decides where each block lands on its free list), each
    /// entry as (its zone's index in zones, pfn, order, recorded migratetype). React and
    /// capacity are configuration.
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink, IReadOnlyList<AerationZone> zones)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(zones);
        Refcnt.WriteCanonicalState(sink);
        sink.Add(Batch.Count);
        foreach (var e in Batch)
        {
            int zone = -1;
            for (int i = 0; i < zones.Count; i++)
                if (ReferenceEquals(zones[i], e.Zone))
                    zone = i;
            sink.Add(zone);
            sink.Add(e.Pfn);
            sink.Add(e.Order);
            sink.Add((long)e.Mt);
        }
    }
}
