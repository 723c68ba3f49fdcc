using BuddyModel;
using Kernel;

namespace Aeration;

/// <summary>Where the worker is between two steps.</summary>
public enum WorkerState
{
    /// <summary>aerator_cycle is not running (its work item may be pending).</summary>
    Idle,
    /// <summary>In a pass, at the top of the zone loop, zone->lock not held.</summary>
    Running,
    /// <summary>In react(): the batch is with the device, zone->lock dropped, waiting for the ack.</summary>
    Reacting,
    /// <summary>The worker hit an oops (a NULL a_dev_info) and stopped for good.</summary>
    Crashed,
}

/// <summary>What one step of the worker did.</summary>
public enum WorkerStep
{
    /// <summary>Nothing to do: idle with no pending work, or waiting for an ack that has not come.</summary>
    NoProgress,
    /// <summary>The work item ran: aerator_cycle took its reference.</summary>
    Started,
    /// <summary>A batch was filled and handed to the device; the zone lock is dropped.</summary>
    Submitted,
    /// <summary>The device acked; the batch was drained and the zone finished.</summary>
    ZoneDone,
    /// <summary>A full pass ended with other references held: another pass follows.</summary>
    PassEnded,
    /// <summary>The last reference was dropped (1 -> 0): the worker is idle.</summary>
    Finished,
    /// <summary>An oops stopped the worker.</summary>
    Crashed,
}

/// <summary>
/// aerator_cycle() and aerator_scrub_zone() of v1 as a resumable state machine. The kernel
/// function sleeps in react() (wait_event) with zone->lock dropped; the model returns there
/// instead, so that a test can run allocator operations and device steps while the batch is
/// out, and the same code runs on a Coyote task by calling Step in a loop. Each Step runs
/// until the next sleeping point or the end of a pass, never holding zone->lock across a return.
///
///   aerator_cycle:   refcnt++; for each zone: scrub; after a full pass, if refcnt == 1,
///                    cmpxchg 1 -> 0 and stop, otherwise pass again.
///   scrub_zone:      lock; do { fill; if batch empty break; unlock; react; lock;
///                    populate boundaries; drain } while REQUESTED; clear ACTIVE; unlock.
/// </summary>
public sealed class AeratorWorker
{
    private readonly Aerator _aerator;
    private int _zoneIndex;
    private AerationZone? _scrubbing;
    private IAeratorReact? _reacting;

    public AeratorWorker(Aerator aerator)
    {
        _aerator = aerator ?? throw new ArgumentNullException(nameof(aerator));
        aerator.Worker = this;
    }

    /// <summary>Where the worker is.</summary>
    public WorkerState State { get; private set; } = WorkerState.Idle;

    /// <summary>Whether aerator_cycle is executing (between its refcnt++ and its final cmpxchg).</summary>
    public bool Running => State is WorkerState.Running or WorkerState.Reacting;

    /// <summary>The zone whose batch is with the device, while Reacting.</summary>
    public AerationZone? Scrubbing => _scrubbing;

    /// <summary>Whether a step could make progress now.</summary>
    public bool CanStep => State switch
    {
        WorkerState.Idle => _aerator.Work.Pending,
        WorkerState.Running => true,
        WorkerState.Reacting => _reacting!.Acknowledged(),
        _ => false,
    };

    /// <summary>
    /// Canonical state (exhaustive exploration): where the worker is (State), the zone loop's
    /// index, and the zone being scrubbed while Reacting (its index in the aerator's zones, -1
    /// for none). The react callback it waits on is derived (the device's, set exactly while
    /// Reacting); the aerator is wiring.
    /// </summary>
    public void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add((long)State);
        sink.Add(_zoneIndex);
        int scrubbing = -1;
        for (int i = 0; i < _aerator.Zones.Count; i++)
            if (ReferenceEquals(_aerator.Zones[i], _scrubbing))
                scrubbing = i;
        sink.Add(scrubbing);
    }

    /// <summary>Run the worker to its next sleeping point or the end of a pass.</summary>
    public WorkerStep Step()
    {
        switch (State)
        {
            case WorkerState.Idle:
                if (!_aerator.Work.TakePending())
                    return WorkerStep.NoProgress;
                return StartCycle();
            case WorkerState.Running:
                return RunZones();
            case WorkerState.Reacting:
                if (!_reacting!.Acknowledged())
                    return WorkerStep.NoProgress;
                return ResumeAfterReact();
            default:
                return WorkerStep.NoProgress;
        }
    }

    /// <summary>
    /// a_dev_info as the worker dereferences it: v1 reads the global at every use (fill, react,
    /// drain, the refcount), so a device unpublished under a running worker is a NULL dereference.
    /// </summary>
    private AeratorDevInfo? Dev(string where)
    {
        var dev = _aerator.DevInfo;
        if (dev is null)
            Crash($"{where}: NULL pointer dereference: a_dev_info is NULL while the worker runs");
        return dev;
    }

    /// <summary>aerator_cycle() entry: hold one extra reference while active.</summary>
    private WorkerStep StartCycle()
    {
        var dev = Dev("aerator_cycle");
        if (dev is null)
            return WorkerStep.Crashed;
        dev.Refcnt.Inc();
        Tracepoint.Emit("aerator_cycle: a_dev_info read: the device; refcnt++");
        _zoneIndex = 0;
        State = WorkerState.Running;
        return WorkerStep.Started;
    }

    /// <summary>The zone loop of aerator_cycle(), from the current zone to the end of the pass.</summary>
    private WorkerStep RunZones()
    {
        var zones = _aerator.Zones;
        while (_zoneIndex < zones.Count)
        {
            var az = zones[_zoneIndex];
            if (!az.Flags.Test(ZoneFlag.AerationRequested))
            {
                _aerator.Reach.Hit(GuardedRule.CycleSkipsUnrequestedZone);
                _zoneIndex++;
                continue;
            }
            az.Lock.Lock();
            if (FillAndReact(az))
                return WorkerStep.Submitted; // zone->lock was dropped for react()
            if (State == WorkerState.Crashed)
            {
                az.Lock.Unlock();
                return WorkerStep.Crashed;
            }
            FinishZone(az);
        }
        return EndOfPass();
    }

    /// <summary>
    /// Fill a batch; if it is empty, return false with zone->lock still held. Otherwise drop
    /// zone->lock and hand the batch to the device (react() up to its wait_event).
    /// </summary>
    private bool FillAndReact(AerationZone az)
    {
        var dev = Dev("aerator_fill");
        if (dev is null)
            return false;
        _aerator.Fill(dev, az);
        int count;
        List<BatchEntry> batch;
        count = dev.Batch.Count;
        batch = dev.Batch.ToList();
        if (count == 0)
            return false;
        // Lock dropped: the device works on the batch while frees and allocations go on.
        az.Lock.Unlock();
        _scrubbing = az;
        State = WorkerState.Reacting;
        _aerator.Events.BatchesReacted++;
        _reacting = dev.React;
        if (Tracepoint.On)
            Tracepoint.Emit($"react(): {count} blocks handed to the device, zone->lock dropped");
        dev.React.Submit(batch);
        return true;
    }

    /// <summary>After react() returned: retake zone->lock, populate boundaries, drain, and loop while REQUESTED.</summary>
    private WorkerStep ResumeAfterReact()
    {
        var az = _scrubbing!;
        az.Lock.Lock();
        var dev = Dev("aerator_drain");
        if (dev is null)
        {
            az.Lock.Unlock();
            return WorkerStep.Crashed;
        }
        Tracepoint.Emit("react() returned: the device acknowledged the batch; drain");
        _aerator.PopulateBoundaries(az);
        _aerator.Drain(dev, az);
        _scrubbing = null;
        _reacting = null;
        State = WorkerState.Running;
        if (az.Flags.Test(ZoneFlag.AerationRequested))
        {
            _aerator.Reach.Hit(GuardedRule.ScrubAgainWhileRequested);
            if (FillAndReact(az))
                return WorkerStep.Submitted;
        }
        if (State == WorkerState.Crashed)
        {
            az.Lock.Unlock();
            return WorkerStep.Crashed;
        }
        FinishZone(az);
        return WorkerStep.ZoneDone;
    }

    /// <summary>The end of aerator_scrub_zone(): boundaries no longer in force; unlock; next zone.</summary>
    private void FinishZone(AerationZone az)
    {
        _aerator.EndScrub(az);
        az.Lock.Unlock();
        _zoneIndex++;
    }

    /// <summary>End of a pass: stop if ours is the only reference (1 -> 0), otherwise pass again.</summary>
    private WorkerStep EndOfPass()
    {
        _aerator.Events.Passes++;
        _zoneIndex = 0;
        var dev = Dev("aerator_cycle");
        if (dev is null)
            return WorkerStep.Crashed;
        int refcnt = dev.Refcnt.Read();
        if (refcnt != 1)
        {
            _aerator.Reach.Hit(GuardedRule.CyclePassAgain);
            if (Tracepoint.On)
                Tracepoint.Emit($"aerator_cycle: end of pass, refcnt {refcnt}: pass again");
            return WorkerStep.PassEnded;
        }
        if (!dev.Refcnt.TryCmpXchg(ref refcnt, 0))
        {
            _aerator.Reach.Hit(GuardedRule.CycleCmpxchgFails);
            return WorkerStep.PassEnded;
        }
        Tracepoint.Emit("aerator_cycle: end of pass, refcnt 1 -> 0: the worker goes idle");
        State = WorkerState.Idle;
        return WorkerStep.Finished;
    }

    private WorkerStep Crash(string what)
    {
        _aerator.Oops(what);
        State = WorkerState.Crashed;
        return WorkerStep.Crashed;
    }
}
