using BuddyModel;
using Reporting;
using Specs.Buddy;

namespace Simulation;

/// <summary>The guest a simulation runs: its size, machine, CPUs, whether THP raised min_free_kbytes, and how often the series is sampled.</summary>
public sealed record SimulationConfig
{
    /// <summary>Guest RAM in MiB (X86GuestLayout.CheckSize says what is allowed).</summary>
    public long GuestMiB { get; init; } = 1024;

    /// <summary>The QEMU machine (its RAM split).</summary>
    public QemuMachine Machine { get; init; } = QemuMachine.Q35;

    /// <summary>CPUs of the guest: they divide the low watermark into pcp->high (5.14+). The workload runs on one of them.</summary>
    public int Cpus { get; init; } = 2;

    /// <summary>Transparent huge pages enabled (khugepaged raises min_free_kbytes), as distro kernels boot.</summary>
    public bool Thp { get; init; } = true;

    /// <summary>Jiffies between two samples of the series (25: every 100 ms at HZ=250).</summary>
    public int SampleJiffies { get; init; } = 25;

    /// <summary>Jiffies between two checks of the allocator's invariants (at a sample; 250: every second), and at the end of the run.</summary>
    public int CheckJiffies { get; init; } = 250;
}

/// <summary>
/// A real-size guest with a hinting design on the virtual clock: the workload's steps drive
/// the guest (allocations through the per-cpu lists and the zonelist, touches, frees), and
/// while it sleeps the design's work, worker and host run when they are due (SimulatedDesign:
/// the merged design's versions, v1 and v1-fixed). The result is the series of what the host
/// backs, the refaults and re-reports, and every report or hint batch the host received.
///
/// How the guest maps onto the model, and where it departs from a real guest:
/// - Zones: X86GuestLayout's zones, each modelled as its largest MAX_ORDER-aligned part (the
///   model's zones are aligned, ZoneConfig.StartPfn), every frame of it free at boot. So a
///   1 GiB guest's DMA is pfn 1024..4095 (3072 frames; the kernel manages 3840, pfn 256..4095)
///   and its DMA32 pfn 4096..0x3fbff (the kernel has 0x3fc00..0x3ffde too, less than 4 MiB).
///   Frames the kernel reserves inside a zone are the next step (a zone with reserved frames). Watermarks:
///   WMARK_MIN is the kernel's share for the real zone (ZoneWatermarkSetup); low and high follow
///   from it by the same formula on the modelled size.
/// - Allocations take the zonelist from the highest zone down (GFP_HIGHUSER_MOVABLE), each
///   zone if it stays above its low watermark plus lowmem_reserve for the highest zone
///   (zone_watermark_ok), through that zone's per-cpu lists (PerCpuPages, the era of the
///   version: 5.14+ caches orders up to 3 and the THP order). No reclaim, no compaction: an
///   allocation that no zone can serve counts as a failure and the step goes on.
/// - Steps take no virtual time; only sleeps do. The per-cpu lists are never drained by time
///   (before 6.7 a one-node guest keeps them; 6.7's decay is not modelled).
/// - Host memory: a frame is backed once the guest touched it, until the host discards it.
///   The guest's boot touches nothing (a fresh VM), so the first reports cover memory the host
///   never backed (they return nothing). A refault is a touch of a frame the host discarded; a
///   re-report is a report of a page the host had discarded and the guest not touched since.
/// - Checks: the allocator's invariants (BuddyInvariants) on every zone every second of virtual
///   time (SimulationConfig.CheckJiffies, at a sample) and at the end; a violation stops the run (the design's own invariants need the harness's guest
///   ledger and are checked by `check`, not here yet).
/// </summary>
public sealed class GuestSimulation
{
    private readonly SimulationConfig _config;
    private readonly SimulatedDesign _sys;
    private readonly PerCpuPages[] _pcp;
    private readonly long[][] _reserve;
    private readonly FrameState[] _frames;
    private readonly Dictionary<string, List<(int Pfn, int Order)>> _sets = new(StringComparer.Ordinal);
    private readonly List<string> _setOrder = new();
    private readonly List<SimulationSample> _samples = new();
    private readonly List<ReportEvent> _reports = new();
    private long _refaults, _reReported, _failures, _backedPages, _returned, _nextSample, _nextCheck;
    private ulong _tag;

    /// <summary>A guest of the config with the merged design's version.</summary>
    public static GuestSimulation Reporting(SimulationConfig config, ReportingVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new GuestSimulation(config, new SimulatedReporting(version), reservesFirstMiB: version.Era >= KernelEra.V5_10);
    }

    /// <summary>A guest of the config with v1 as posted (fixed: false) or v1 with its fixes.</summary>
    public static GuestSimulation V1(SimulationConfig config, bool fixedV1) =>
        new(config, new SimulatedV1(fixedV1), reservesFirstMiB: false);

    /// <summary>A guest of the config with the named design: v1, v1-fixed, or a version of the merged design; null for another name.</summary>
    public static GuestSimulation? Named(SimulationConfig config, string design) => design switch
    {
        "v1" => V1(config, fixedV1: false),
        "v1-fixed" => V1(config, fixedV1: true),
        _ => ReportingVersion.All.FirstOrDefault(v => v.Name == design) is { } v ? Reporting(config, v) : null,
    };

    /// <summary>The designs a simulation runs, oldest first.</summary>
    public static IReadOnlyList<string> Designs { get; } = ["v1", "v1-fixed", .. ReportingVersion.All.Select(v => v.Name)];

    private GuestSimulation(SimulationConfig config, SimulatedDesign design, bool reservesFirstMiB)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        if (X86GuestLayout.CheckSize(config.GuestMiB) is { } bad)
            throw new ArgumentException(bad, nameof(config));
        var layout = X86GuestLayout.Zones(config.GuestMiB, config.Machine, reservesFirstMiB);
        var marks = ZoneWatermarkSetup.Compute(layout, thp: config.Thp, before5_7: design.Before5_7);
        var shape = new ZoneConfig();
        var zones = layout.Select((z, i) => Modelled(z, shape, marks.Zones[i].Min)).ToArray();
        _reserve = marks.Zones.Select(m => m.LowmemReserve.ToArray()).ToArray();
        _sys = design;
        design.Boot(zones);
        _pcp = _sys.Zones.Select((z, i) => new PerCpuPages(z, design.PcpEra, layout[i].ManagedPages, z.Watermark.Low, config.Cpus)).ToArray();
        _frames = new FrameState[ZoneLayout.EndPfn(zones)];
    }

    /// <summary>The design the guest runs.</summary>
    public string Design => _sys.Name;

    /// <summary>The model's zones (lowest first).</summary>
    public IReadOnlyList<Zone> Zones => _sys.Zones;

    /// <summary>The per-cpu lists of each zone (the workload's CPU).</summary>
    public IReadOnlyList<PerCpuPages> PerCpu => _pcp;

    /// <summary>The real zone's aligned part as the model's zone, WMARK_MIN the kernel's.</summary>
    private static ZoneConfig Modelled(GuestZone z, ZoneConfig shape, long min)
    {
        long align = shape.MaxOrderNrPages;
        long start = (z.StartPfn + align - 1) / align * align;
        long end = z.EndPfn / align * align;
        if (end <= start)
            throw new ArgumentException($"zone {z.Name} has no MAX_ORDER-aligned block the model could keep");
        return shape with { Name = z.Name, StartPfn = (int)start, NrPages = (int)(end - start), MinWatermarkPages = (int)min };
    }

    /// <summary>Run the workload to its end and return what happened; a broken invariant throws SimulationFailure.</summary>
    public SimulationResult Run(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        Sample();
        foreach (var step in workload.Steps)
        {
            switch (step)
            {
                case AllocStep a:
                    Allocate(a);
                    break;
                case TouchStep t:
                    foreach (var block in Blocks(t.Set))
                        Touch(block);
                    break;
                case FreeStep f:
                    Free(f);
                    break;
                case SleepStep s:
                    RunUntil(_sys.Now + s.Jiffies);
                    break;
            }
            Settle();
        }
        Sample();
        Check("the end of the run");
        return new SimulationResult(_sys.Name, workload.Name, _config.GuestMiB, _samples.ToArray(), _reports.ToArray());
    }

    private void Allocate(AllocStep a)
    {
        if (!_sets.TryGetValue(a.Set, out var set))
        {
            _sets.Add(a.Set, set = new List<(int, int)>());
            _setOrder.Add(a.Set);
        }
        long blocks = a.Bytes / (4096L << a.PageOrder);
        for (long i = 0; i < blocks; i++)
        {
            int pfn = AllocateOne(a.PageOrder);
            if (pfn < 0)
                _failures++;
            else
                set.Add((pfn, a.PageOrder));
        }
    }

    /// <summary>get_page_from_freelist over the zonelist, highest zone first, each zone behind its low watermark and lowmem_reserve.</summary>
    private int AllocateOne(int order)
    {
        int highest = _sys.Zones.Count - 1;
        for (int i = highest; i >= 0; i--)
        {
            var zone = _sys.Zones[i];
            if (!zone.ZoneWatermarkOk(order, zone.Watermark.Low + _reserve[i][highest]))
                continue;
            int pfn = _pcp[i].Allocate(order, MigrateType.Movable);
            if (pfn >= 0)
                return pfn;
        }
        return -1;
    }

    /// <summary>What the host has behind a guest frame.</summary>
    private enum FrameState : byte
    {
        /// <summary>Never touched: the host has allocated nothing for it yet.</summary>
        Untouched,

        /// <summary>Touched since the host last discarded it: the host backs it.</summary>
        Backed,

        /// <summary>Reported and discarded, not touched since: a touch refaults, a report re-reports.</summary>
        Discarded,
    }

    private void Touch((int Pfn, int Order) block)
    {
        for (int p = block.Pfn; p < block.Pfn + (1 << block.Order); p++)
        {
            if (_frames[p] == FrameState.Discarded)
                _refaults++;
            if (_frames[p] != FrameState.Backed)
                _backedPages++;
            _frames[p] = FrameState.Backed;
            _sys.Memory.Write(p, ++_tag);
        }
    }

    private void Free(FreeStep f)
    {
        foreach (string name in f.Set is null ? _setOrder.ToArray() : [f.Set])
        {
            var set = _sets[name];
            long pages = f.Bytes is long b ? b / 4096 : long.MaxValue;
            while (set.Count > 0 && pages > 0)
            {
                var (pfn, order) = set[^1];
                set.RemoveAt(set.Count - 1);
                pages -= 1L << order;
                _pcp[ZoneOf(pfn)].Free(pfn, order);
            }
        }
    }

    private IEnumerable<(int Pfn, int Order)> Blocks(string? set) =>
        set is null ? _setOrder.SelectMany(n => _sets[n]) : _sets[set];

    private int ZoneOf(int pfn)
    {
        for (int i = 0; i < _sys.Zones.Count; i++)
            if (_sys.Zones[i].SpansPfn(pfn))
                return i;
        throw new InvalidOperationException($"pfn {pfn} is in no zone");
    }

    /// <summary>Let virtual time pass to target: the design's work runs when due, the worker and the host until nothing can run, samples on their interval.</summary>
    private void RunUntil(long target)
    {
        while (true)
        {
            Settle();
            long now = _sys.Now;
            long next = Math.Min(target, _nextSample);
            if (_sys.NextEvent() is long due && due > now && due < next)
                next = due;
            if (next <= now && now >= target)
                break;
            if (next > now)
                _sys.AdvanceTo(next);
            if (_sys.Now >= _nextSample)
                Sample();
            if (_sys.Now >= target)
            {
                Settle();
                break;
            }
        }
    }

    /// <summary>Run the design until nothing can make progress at this instant, recording what the host took.</summary>
    private void Settle()
    {
        if (!_sys.Settle(RecordReport))
            throw new SimulationFailure($"at {SimulationWriter.Seconds(_sys.Now)} s the worker and the host did not go quiet");
    }

    /// <summary>One buffer the host took: a report; the pages it discarded are no longer backed.</summary>
    private void RecordReport(IReadOnlyList<(int Pfn, int NrPages, bool Discarded)> ranges)
    {
        if (ranges.Count == 0)
            return;
        var taken = new List<ReportedRange>();
        string zone = "";
        foreach (var r in ranges)
        {
            taken.Add(new ReportedRange((long)r.Pfn << 12, (long)r.NrPages << 12));
            zone = _sys.Zones[ZoneOf(r.Pfn)].Config.Name;
            if (!r.Discarded)
                continue;
            for (int p = r.Pfn; p < r.Pfn + r.NrPages; p++)
            {
                if (_frames[p] == FrameState.Backed)
                {
                    _backedPages--;
                    _returned++;
                }
                else if (_frames[p] == FrameState.Discarded)
                    _reReported++;
                _frames[p] = FrameState.Discarded;
            }
        }
        _reports.Add(new ReportEvent(_sys.Now, zone, taken));
    }

    private void Sample()
    {
        long now = _sys.Now;
        _samples.Add(new SimulationSample(now, _backedPages, _returned, _refaults, _reReported, _reports.Count, _failures));
        _nextSample = now + _config.SampleJiffies;
        if (now >= _nextCheck)
        {
            Check($"{SimulationWriter.Seconds(now)} s");
            _nextCheck = now + _config.CheckJiffies;
        }
    }

    private void Check(string when)
    {
        foreach (var zone in _sys.Zones)
            if (BuddyInvariants.CheckAll(zone) is { } v)
                throw new SimulationFailure($"at {when}: {v}");
    }
}

/// <summary>An invariant broken during a simulation, or a design that did not go quiet: the message says when and what.</summary>
public sealed class SimulationFailure(string message) : Exception(message);
