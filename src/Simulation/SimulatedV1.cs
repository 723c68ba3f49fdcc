using Aeration;
using Aeration.Fixes;
using Aeration.Virtio;
using BuddyModel;

namespace Simulation;

/// <summary>
/// v1 (Alexander Duyck's June 2019 aeration series) as posted or with its fixes, with v1's own
/// constants (AERATOR_MIN_ORDER pageblock_order, AERATOR_HWM 32, a batch of 32 hints) and its
/// hinting virtqueue, driver and host, started at boot (aerator_startup). v1 is a 5.2-rc design:
/// order-0 per-cpu lists only, the 65536 KiB bound on min_free_kbytes, the 5.2 allocator.
///
/// The clock: the model's aerator schedules its work without a delay (DelayedWork without a
/// clock: "pending" stands for the timer); the simulation gives it v1's HZ/10 (25 jiffies),
/// counted from the moment the work was first seen pending, and then runs the worker and the
/// host until the pass ends (each batch is a synchronous react() in v1).
/// </summary>
internal sealed class SimulatedV1(bool fixedV1) : SimulatedDesign
{
    /// <summary>schedule_delayed_work(&amp;aerator_work, HZ/10) at HZ=250.</summary>
    public const int Delay = WorkloadParser.Hz / 10;

    private Aerator? _aerator;
    private AeratorWorker? _worker;
    private HintingHost? _host;
    private IReadOnlyList<Zone> _zones = [];
    private GuestMemory? _memory;
    private long _now;
    private long? _pendingSince;
    private int _appliedSeen;

    public override string Name => fixedV1 ? "v1-fixed" : "v1";

    public override PcpEra PcpEra => PcpEra.Before5_14;

    public override bool Before5_7 => true;

    public override void Boot(IReadOnlyList<ZoneConfig> zones)
    {
        _zones = zones.Select(c => new Zone(c)).ToArray();
        var config = new AeratorConfig();
        _aerator = fixedV1 ? new AeratorWithFixes(_zones, config) : new Aerator(_zones, config);
        _worker = new AeratorWorker(_aerator);
        _memory = new GuestMemory(ZoneLayout.EndPfn(zones));
        var queue = new Virtqueue("hinting_vq", 64);
        var features = new BalloonFeatures();
        var driver = new HintingDriver(queue, features, Math.Min(HintingDriver.HintsMax, config.Capacity));
        _host = new HintingHost(queue, _memory, features);
        if (_aerator.Startup(new AeratorDevInfo(driver, driver.Capacity)) != 0)
            throw new InvalidOperationException("aerator_startup refused the device");
    }

    public override IReadOnlyList<Zone> Zones => _zones;

    public override GuestMemory Memory => _memory ?? throw new InvalidOperationException("not booted");

    public override long Now => _now;

    public override void AdvanceTo(long jiffies) => _now = Math.Max(_now, jiffies);

    public override long? NextEvent()
    {
        if (!_aerator!.Work.Pending)
            return null;
        _pendingSince ??= _now;
        return _pendingSince + Delay;
    }

    /// <summary>The worker steps once its work has waited v1's delay, and whenever it is inside a pass.</summary>
    protected override bool TryStepWorker()
    {
        bool idle = _worker!.State == WorkerState.Idle;
        if (!_worker.CanStep || (idle && NextEvent() > _now))
            return false;
        if (idle)
            _pendingSince = null;
        _worker.Step();
        return true;
    }

    protected override bool TryStepHost(Action<IReadOnlyList<(int Pfn, int NrPages, bool Discarded)>> report)
    {
        if (!_host!.HasWork)
            return false;
        _host.Step();
        var applied = _host.Applied;
        report([.. applied.Skip(_appliedSeen).Select(h => (h.Pfn, 1 << h.Order, true))]);
        _appliedSeen = applied.Count;
        return true;
    }

    /// <summary>A free during the steps may have made the work pending: its delay starts now.</summary>
    protected override void Quiet() => NextEvent();
}
