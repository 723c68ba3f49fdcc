using Aeration;
using BuddyModel;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>
/// boundary[order - AERATOR_MIN_ORDER][migratetype] of mm/aeration.c: aerator_populate_boundaries(),
/// aerator_add_to_boundary(), __aerator_del_from_boundary(), and ZONE_AERATION_ACTIVE.
/// </summary>
public class BoundaryTests
{
    private const MigrateType Mov = MigrateType.Movable;

    [Fact]
    public void Populate_points_every_boundary_at_its_list_head_and_sets_ACTIVE_once()
    {
        var rig = new AerationRig();
        var z = rig.Zone;
        Assert.Null(rig.BoundaryOf(4).Zone);
        Assert.False(rig.Active);

        lock (z.Lock)
            rig.Aerator.PopulateBoundaries(rig.Az);

        Assert.True(rig.Active);
        for (int order = 2; order < 5; order++)
            for (int mt = 0; mt < MigrateTypes.Count; mt++)
                Assert.Equal((z, z.ListHead(order, (MigrateType)mt)), rig.BoundaryOf(order, (MigrateType)mt));
        Assert.Equal(z.ListHead(4, Mov), rig.Aerator.GetTail(z, 4, Mov));
        Assert.Equal(z.ListHead(1, Mov), rig.Aerator.GetTail(z, 1, Mov)); // below MIN_ORDER: never a boundary

        // While ACTIVE, populate leaves the boundaries alone.
        rig.Aerator.Boundary.Add(z, 0, 4, Mov);
        lock (z.Lock)
            rig.Aerator.PopulateBoundaries(rig.Az);
        Assert.Equal((z, 0), rig.BoundaryOf(4));
        Assert.Equal(0, rig.Aerator.GetTail(z, 4, Mov));
    }

    /// <summary>32 pages: fill takes both order-4 blocks, drain makes the list 16 -> 0, both aerated, boundary 16.</summary>
    private static AerationRig TwoAeratedBlocksStillActive()
    {
        var rig = new AerationRig(nrPages: 32, hwm: 1, capacity: 2);
        var z = rig.Zone;
        rig.Aerator.Startup(rig.Dev);
        lock (z.Lock)
            rig.Aerator.Fill(rig.Dev, rig.Az);
        Assert.Equal(new[] { (0, 4, Mov), (16, 4, Mov) }, rig.Batch);
        rig.Driver.Submit(rig.Dev.Batch.ToList());
        rig.Host.Step();
        Assert.True(rig.Driver.Acknowledged());
        lock (z.Lock)
        {
            rig.Aerator.PopulateBoundaries(rig.Az);
            rig.Aerator.Drain(rig.Dev, rig.Az);
        }
        return rig;
    }

    [Fact]
    public void Each_drained_block_goes_in_at_the_boundary_and_becomes_the_boundary()
    {
        var rig = TwoAeratedBlocksStillActive();
        var z = rig.Zone;
        Assert.True(rig.Active);
        Assert.Equal(new[] { 16, 0 }, rig.Movable(4));
        Assert.Equal(PageFlags.Buddy | PageFlags.Aerated, z.Flags(16));
        Assert.Equal(PageFlags.Buddy | PageFlags.Aerated, z.Flags(0));
        Assert.Equal(2, rig.Az.NrFreeAerated[4]);
        Assert.Equal((z, 16), rig.BoundaryOf(4));
    }

    [Fact]
    public void Allocating_the_boundary_block_moves_the_boundary_to_the_next_node_toward_the_tail()
    {
        var rig = TwoAeratedBlocksStillActive();
        var z = rig.Zone;

        Assert.Equal(16, z.Allocate(4, Mov));
        Assert.Equal((z, 0), rig.BoundaryOf(4));
        Assert.Equal(PageFlags.Allocated, z.Flags(16)); // the aerated mark went with the removal
        Assert.Equal(1, rig.Az.NrFreeAerated[4]);
        Assert.Equal(1, rig.Aerator.Events.BoundaryAdvancedOnDelete);

        Assert.Equal(0, z.Allocate(4, Mov));
        Assert.Equal((z, z.ListHead(4, Mov)), rig.BoundaryOf(4)); // no aerated block left: the list head
        Assert.Equal(0, rig.Az.NrFreeAerated[4]);
        Assert.Equal(2, rig.Aerator.Events.BoundaryAdvancedOnDelete);

        // A drained-style tail insertion now lands at the end of the (empty) list.
        z.Free(16, 4);
        Assert.Equal(new[] { 16 }, rig.Movable(4));
        Assert.Equal(PageFlags.Buddy, z.Flags(16));
    }

    [Fact]
    public void ACTIVE_is_cleared_when_the_worker_finishes_the_zone()
    {
        var rig = new AerationRig(nrPages: 32, hwm: 1, capacity: 2);
        var z = rig.Zone;
        rig.Aerator.Startup(rig.Dev);
        Assert.Equal(WorkerStep.Started, rig.Worker.Step());
        Assert.Equal(WorkerStep.Submitted, rig.Worker.Step());
        Assert.False(rig.Active); // populated only at the first drain
        Assert.True(rig.Requested); // budget used up
        rig.Host.Step();

        // Drain, then fill again: boundary 16 has only the list head above it: nothing, zone done.
        Assert.Equal(WorkerStep.ZoneDone, rig.Worker.Step());

        Assert.False(rig.Active);
        Assert.False(rig.Requested);
        Assert.Equal(1, rig.Refcnt);
        Assert.Empty(rig.Dev.Batch);
        Assert.False(rig.LockHeld);
        Assert.Equal(new[] { 16, 0 }, rig.Movable(4));
        Assert.Equal(2, rig.Az.NrFreeAerated[4]);
        // The stale entry stays, but with ACTIVE clear a tail insertion ignores it.
        Assert.Equal((z, 16), rig.BoundaryOf(4));
        Assert.Equal(z.ListHead(4, Mov), rig.Aerator.GetTail(z, 4, Mov));
    }
}
