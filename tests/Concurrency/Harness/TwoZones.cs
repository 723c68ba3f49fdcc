using Aeration;
using Aeration.Fixes;
using BuddyModel;
using Microsoft.Coyote.Specifications;
using Specs.Aeration;
using Specs.Buddy;

using Concurrency.Harness.Schedules;

namespace Concurrency.Harness;

/// <summary>
/// Scenario 5: two zones share the aerator's global boundary array. The worker scrubs both
/// zones (one at a time, as aerator_cycle does) while a task in each zone frees and allocates
/// under that zone's lock. Every check takes both zone locks in a fixed order (Normal, then
/// Movable), so it sees a state every zone-lock holder left behind: the buddy invariants of both
/// zones, "No raw block below the boundary" over both (at most one ACTIVE zone, every boundary of
/// an ACTIVE zone pointing into that zone), and no oops.
///
/// The zones lie at distinct pfn ranges (Normal 0..63, Movable 64..127, as zone_start_pfn
/// places them). Model departure: the device acknowledges each batch at once and drops nothing;
/// the subject here is the shared boundary array, not the host (the sequential checks run the
/// host on guests of several zones: tests/Properties/Zones).
/// </summary>
public sealed class TwoZones
{
    private readonly Zone[] _zones;
    private readonly Aerator _aerator;
    private readonly AeratorWorker _worker;
    private readonly AeratorDevInfo _dev;
    private readonly NoRawBelowBoundary _boundaries = new();
    private int _opsLeft;

    public TwoZones(Func<IReadOnlyList<Zone>, AeratorConfig, Aerator> makeAerator)
    {
        var config = new ZoneConfig { NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 0 };
        _zones = [new Zone(config with { Name = "Normal" }), new Zone(config with { Name = "Movable", StartPfn = config.NrPages })];
        _aerator = makeAerator(_zones, new AeratorConfig { Hwm = 1, Capacity = 2 });
        _worker = new AeratorWorker(_aerator);
        _dev = new AeratorDevInfo(new AckingDevice(), 2);
    }

    /// <summary>The v1 aerator.</summary>
    public static Aerator V1(IReadOnlyList<Zone> z, AeratorConfig c) => new(z, c);

    /// <summary>v1 with the fixes (nothing two-zone specific: v1 already scrubs one zone at a time).</summary>
    public static Aerator Fixed(IReadOnlyList<Zone> z, AeratorConfig c) => new AeratorWithFixes(z, c);

    /// <summary>A seeded bug: populate sets ACTIVE but keeps whatever the global array held, as if it were per zone.</summary>
    public static Aerator PopulateKeepsOtherZonesBoundaries(IReadOnlyList<Zone> z, AeratorConfig c) => new StaleBoundaryAerator(z, c);

    public async Task Run()
    {
        // Allocate a few blocks in each zone first, so the tasks have buddies to free.
        var live = new List<(int Pfn, int Order)>[2];
        for (int i = 0; i < 2; i++)
        {
            live[i] = new();
            lock (_zones[i].Lock)
                for (int k = 0; k < 4; k++)
                    live[i].Add((_zones[i].Allocate(2, MigrateType.Movable), 2));
        }
        int rc = _aerator.Startup(_dev);
        Specification.Assert(rc == 0, $"aerator_startup returned {rc}");
        using (_books.Quiet())
            Volatile.Write(ref _opsLeft, 2);
        var tasks = new[] { Task.Run(() => Churn(0, live[0])), Task.Run(() => Churn(1, live[1])) };
        var worker = Task.Run(WorkerLoop);
        foreach (var t in tasks)
            await t;
        await worker;
        Check("at the end");
    }

    /// <summary>Free the zone's blocks (merging with what the worker holds or returns), then allocate again.</summary>
    private async Task Churn(int z, List<(int Pfn, int Order)> live)
    {
        var zone = _zones[z];
        Lane.Enter($"free path {z + 1} ({zone.Config.Name})");
        foreach (var (pfn, order) in live)
        {
            lock (zone.Lock)
            {
                StoryRecorder.Lock();
                if (StoryRecorder.On)
                    StoryRecorder.Note($"free pfn {pfn} order {order} in {zone.Config.Name}");
                zone.Free(pfn, order);
                StoryRecorder.Unlock();
            }
            Check($"after a free in zone {zone.Config.Name}");
            Bump();
            await Task.Yield();
        }
        for (int k = 0; k < 2; k++)
        {
            lock (zone.Lock)
            {
                StoryRecorder.Lock();
                if (StoryRecorder.On)
                    StoryRecorder.Note($"allocate order {k} in {zone.Config.Name}");
                zone.Allocate(k, MigrateType.Movable);
                StoryRecorder.Unlock();
            }
            Check($"after an allocation in zone {zone.Config.Name}");
            Bump();
            await Task.Yield();
        }
        using (_books.Quiet())
            Interlocked.Decrement(ref _opsLeft);
        Bump();
    }

    /// <summary>
    /// The worker: step whenever it can; otherwise wait until a free or an allocation changed
    /// something (the work is only requested by a free), and finish once the churn is over and
    /// it cannot step. (It polled with Task.Yield before: hundreds of scheduling points per run
    /// at which nothing could change.)
    /// </summary>
    private async Task WorkerLoop()
    {
        Lane.Enter("worker");
        for (int steps = 0; steps < 10_000; steps++)
        {
            int seen = Version;
            if (_worker.CanStep)
            {
                _worker.Step();
                Check("after a worker step");
                await Task.Yield();
                continue;
            }
            if (OpsLeft == 0)
                return;
            await WaitForChange(seen);
        }
        Specification.Assert(false, "Progress: the worker still had work after 10,000 loops");
    }

    private int _version;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int Version
    {
        get
        {
            using (_books.Quiet())
                return _version;
        }
    }

    /// <summary>A churn task changed a zone: wake the worker if it waits.</summary>
    private void Bump()
    {
        using (_books.Quiet())
        {
            _version++;
            var old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            old.TrySetResult();
        }
    }

    /// <summary>Wait until the version moved past seen (an await on a Coyote-controlled TaskCompletionSource: the worker is disabled meanwhile).</summary>
    private async Task WaitForChange(int seen)
    {
        while (true)
        {
            Task changed;
            using (_books.Quiet())
            {
                if (_version != seen)
                    return;
                changed = _changed.Task;
            }
            await changed;
        }
    }

    /// <summary>The harness's own bookkeeping runs without scheduling points (see Bookkeeping).</summary>
    private readonly Bookkeeping _books = new(underCoyote: true);

    private int OpsLeft => _books.Read(ref _opsLeft);

    /// <summary>Both zone locks, in a fixed order, then every check.</summary>
    private void Check(string where)
    {
        lock (_zones[0].Lock)
        {
            lock (_zones[1].Lock)
            {
                // One observation: no other task runs in the middle of the check.
                using var quiet = _books.Quiet();
                foreach (var zone in _zones)
                    if (BuddyInvariants.CheckAll(zone) is { } v)
                        Fail($"{where}: {v}");
                if (_boundaries.CheckAerator(_aerator) is { } b)
                    Fail($"{where}: {b}");
                if (_aerator.Oopses.Count > 0)
                    Fail($"{where}: Device lifetime violated: {_aerator.Oopses[0]}");
            }
        }
    }

    private static void Fail(string message)
    {
        StoryRecorder.Violation(message);
        Specification.Assert(false, message);
    }

    /// <summary>A device that acknowledges every batch at once (a Volatile read: a scheduling point).</summary>
    private sealed class AckingDevice : IAeratorReact
    {
        private int _acked = 1;

        public void Submit(IReadOnlyList<BatchEntry> batch) => Volatile.Write(ref _acked, 1);

        public bool Acknowledged() => Volatile.Read(ref _acked) == 1;
    }

    private sealed class StaleBoundaryAerator(IReadOnlyList<Zone> zones, AeratorConfig config) : Aerator(zones, config)
    {
        public override void PopulateBoundaries(AerationZone az)
        {
            // Seeded bug: only the first populate ever resets the array; later zones inherit it.
            if (_populated)
            {
                az.Flags.Set(ZoneFlag.AerationActive);
                return;
            }
            _populated = true;
            base.PopulateBoundaries(az);
        }

        private bool _populated;
    }
}
