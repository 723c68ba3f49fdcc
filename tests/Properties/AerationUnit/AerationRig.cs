using Aeration;
using Aeration.Virtio;
using BuddyModel;

namespace Properties.AerationUnit;

/// <summary>The v1 aerator with aerator_notify_free() callable directly, for the screening tests.</summary>
internal sealed class ProbeAerator(IReadOnlyList<Zone> zones, AeratorConfig config) : Aerator(zones, config)
{
    /// <summary>aerator_notify_free(zone, order).</summary>
    public void NotifyFreeFor(Zone zone, int order) => NotifyFree(Of(zone), order);
}

/// <summary>The host with its decoder callable directly (the model's queue has no in-buffer API).</summary>
internal sealed class ProbeHost(Virtqueue vq, GuestMemory memory, BalloonFeatures negotiated) : HintingHost(vq, memory, negotiated)
{
    public List<AppliedHint> DecodeFor(VringDesc desc) => Decode(desc);
}

/// <summary>
/// The raw objects of one guest: zone(s) of MAX_ORDER 5 and pageblock_order 2 (so AERATOR_MIN_ORDER
/// is 2), the v1 aerator, its worker and shutdown, hinting_vq, the virtio driver, the host and guest
/// memory, and the driver's a_dev_info. Nothing runs unless a test says so.
/// </summary>
internal sealed class AerationRig
{
    public AerationRig(int nrPages = 128, int hwm = 1, int capacity = 2, int zones = 1, int queueSize = 16, BalloonFeatures? features = null)
    {
        Zones = Enumerable.Range(0, zones)
            .Select(i => new Zone(new ZoneConfig { NrPages = nrPages, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2, Name = i == 0 ? "Normal" : $"Zone{i}" }))
            .ToList();
        Aerator = new ProbeAerator(Zones, new AeratorConfig { Hwm = hwm, Capacity = capacity });
        Worker = new AeratorWorker(Aerator);
        Shutdown = new AeratorShutdown(Aerator);
        Memory = new GuestMemory(nrPages);
        Queue = new Virtqueue("hinting_vq", queueSize);
        Features = features ?? new BalloonFeatures();
        Driver = new HintingDriver(Queue, Features, capacity);
        Host = new ProbeHost(Queue, Memory, Features);
        Dev = new AeratorDevInfo(Driver, Driver.Capacity);
        Aerator.Work.Queued += () => Queued++;
    }

    public List<Zone> Zones { get; }
    public Zone Zone => Zones[0];
    public AerationZone Az => Aerator.Of(Zone);
    public ProbeAerator Aerator { get; }
    public AeratorWorker Worker { get; }
    public AeratorShutdown Shutdown { get; }
    public GuestMemory Memory { get; }
    public Virtqueue Queue { get; }
    public BalloonFeatures Features { get; }
    public HintingDriver Driver { get; }
    public ProbeHost Host { get; }
    public AeratorDevInfo Dev { get; }

    /// <summary>How often schedule_delayed_work() actually queued aerator_work.</summary>
    public int Queued { get; private set; }

    public int Refcnt => Dev.Refcnt.Read();
    public bool Requested => Az.Flags.Test(ZoneFlag.AerationRequested);
    public bool Active => Az.Flags.Test(ZoneFlag.AerationActive);
    public bool LockHeld => Monitor.IsEntered(Zone.Lock);

    /// <summary>The batch as (pfn, order, migratetype), in list order.</summary>
    public (int Pfn, int Order, MigrateType Mt)[] Batch => Dev.Batch.Select(e => (e.Pfn, e.Order, e.Mt)).ToArray();

    /// <summary>The hint words the driver put in the out-buffer (vb->hints), first n.</summary>
    public ulong[] Hints(int n) => Queue.ReadDriverMemory(HintingDriver.HintsAddr)!.Take(n).ToArray();

    /// <summary>free_area[order].free_list[MOVABLE] from the head.</summary>
    public int[] Movable(int order) => Properties.Unit.UnitZoneState.ListPfns(Zone, order, MigrateType.Movable);

    public (Zone? Zone, int Node) BoundaryOf(int order, MigrateType mt = MigrateType.Movable) => Aerator.Boundary.Get(order, mt);

    public bool Aerated(int pfn) => (Zone.Flags(pfn) & PageFlags.Aerated) != 0;

    /// <summary>Run host and worker until neither can make progress.</summary>
    public int Settle(int bound = 1000)
    {
        int steps = 0;
        while (true)
        {
            if (Host.HasWork)
                Host.Step();
            else if (Worker.CanStep)
                Worker.Step();
            else
                return steps;
            if (++steps > bound)
                throw new InvalidOperationException($"no quiescence after {bound} steps (worker {Worker.State}, refcnt {Refcnt})");
        }
    }

    /// <summary>
    /// aerator_startup() and a whole worker cycle: every boot block (order 4) hinted and aerated,
    /// no zone REQUESTED, refcnt 0, no work pending, the static key on.
    /// </summary>
    public AerationRig Quiet()
    {
        if (Aerator.Startup(Dev) != 0)
            throw new InvalidOperationException("startup refused");
        Settle();
        foreach (var z in Zones)
        {
            var az = Aerator.Of(z);
            if (az.Flags.Raw != 0 || az.NrFreeAerated[4] != z.NrPages / 16 || z.NrFree(4) != z.NrPages / 16)
                throw new InvalidOperationException($"zone {z.Config.Name} did not settle fully aerated");
        }
        if (Refcnt != 0 || Aerator.Work.Pending || Worker.State != WorkerState.Idle || !Aerator.NotifyEnabled.Enabled)
            throw new InvalidOperationException("the aerator did not settle idle");
        return this;
    }
}
