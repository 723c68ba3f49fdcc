using Aeration;
using BuddyModel;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>
/// aerator_cycle() (mm/aeration.c): refcnt is the number of REQUESTED zones plus one while the
/// worker runs; after a full pass the worker stops only by cmpxchg 1 -&gt; 0.
/// </summary>
public class WorkerCycleTests
{
    private const MigrateType Mov = MigrateType.Movable;

    [Fact]
    public void Worker_does_nothing_without_pending_work()
    {
        var rig = new AerationRig();
        Assert.False(rig.Worker.CanStep);
        Assert.Equal(WorkerStep.NoProgress, rig.Worker.Step());
        Assert.Equal(WorkerState.Idle, rig.Worker.State);
        Assert.Equal(0, rig.Refcnt);
    }

    [Fact]
    public void Refcount_through_a_whole_pass_ends_with_the_worker_dropping_1_to_0()
    {
        var rig = new AerationRig(nrPages: 32, hwm: 1, capacity: 2);
        rig.Aerator.Startup(rig.Dev);
        var trace = new List<(WorkerStep, int, WorkerState)>();
        void Step() => trace.Add((rig.Worker.Step(), rig.Refcnt, rig.Worker.State));

        Assert.Equal(1, rig.Refcnt);
        Step();                    // aerator_cycle: atomic_inc
        Step();                    // fill (budget used up) and react
        Step();                    // no ack yet
        rig.Host.Step();
        Step();                    // drain; fill finds nothing: clear REQUESTED, atomic_dec
        Step();                    // end of pass: refcnt == 1, cmpxchg 1 -> 0
        Step();                    // idle, nothing pending

        Assert.Equal(new[]
        {
            (WorkerStep.Started, 2, WorkerState.Running),
            (WorkerStep.Submitted, 2, WorkerState.Reacting),
            (WorkerStep.NoProgress, 2, WorkerState.Reacting),
            (WorkerStep.ZoneDone, 1, WorkerState.Running),
            (WorkerStep.Finished, 0, WorkerState.Idle),
            (WorkerStep.NoProgress, 0, WorkerState.Idle),
        }, trace);
        Assert.Equal(1, rig.Aerator.Events.Passes);
        Assert.Equal(1, rig.Aerator.Events.BatchesReacted);
        Assert.False(rig.Aerator.Work.Pending);
        Assert.False(rig.Requested);
    }

    [Fact]
    public void Zone_re_requested_during_a_pass_makes_the_worker_pass_again_and_scrub_it_again()
    {
        var rig = new AerationRig(nrPages: 32, hwm: 1, capacity: 2);
        var z = rig.Zone;
        rig.Aerator.Startup(rig.Dev);
        rig.Worker.Step();
        rig.Worker.Step();
        rig.Host.Step();
        Assert.Equal(WorkerStep.ZoneDone, rig.Worker.Step());
        Assert.Equal(1, rig.Refcnt);

        // Between the zone and the end of the pass: take and return part of aerated block 16.
        Assert.Equal(16, z.Allocate(2, Mov)); // expand leaves raw 24 (o3) and 20 (o2)
        z.Free(16, 2);                        // merges back to order 4, raw: notify requests
        Assert.Equal(PageFlags.Buddy, z.Flags(16));
        Assert.Equal(4, z.PageOrder(16));
        Assert.True(rig.Requested);
        Assert.Equal(2, rig.Refcnt);
        Assert.False(rig.Aerator.Work.Pending);
        Assert.Equal(1, rig.Aerator.Events.RequestedDuringPass);

        Assert.Equal(WorkerStep.PassEnded, rig.Worker.Step()); // refcnt 2 != 1
        Assert.Equal(2, rig.Refcnt);
        Assert.Equal(WorkerState.Running, rig.Worker.State);

        // Second scrub: the raw 16 is taken; the aerated 0 at the end of the list is not.
        Assert.Equal(WorkerStep.Submitted, rig.Worker.Step());
        Assert.Equal(new[] { (16, 4, Mov) }, rig.Batch);
        Assert.False(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
        rig.Host.Step();
        Assert.Equal(WorkerStep.ZoneDone, rig.Worker.Step());
        Assert.Equal(new[] { 0, 16 }, rig.Movable(4));
        Assert.Equal(2, rig.Az.NrFreeAerated[4]);
        Assert.Equal(WorkerStep.Finished, rig.Worker.Step());
        Assert.Equal(0, rig.Refcnt);
        Assert.Equal(2, rig.Aerator.Events.Passes);
        Assert.Equal(2, rig.Aerator.Events.BatchesReacted);
        Assert.Empty(rig.Aerator.Oopses);
    }
}
