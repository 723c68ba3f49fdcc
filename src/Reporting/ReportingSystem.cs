using Aeration.Virtio;
using BuddyModel;
using Kernel;
using Reporting.Virtio;

namespace Reporting;

/// <summary>How a reporting system is set up: the guest, the device and the host.</summary>
public sealed record ReportingSetup
{
    /// <summary>The features the device offers (Hinting stands for VIRTIO_BALLOON_F_REPORTING).</summary>
    public BalloonFeatures Offered { get; init; } = new() { Hinting = true, PagePoison = false };

    /// <summary>What the guest does to free pages.</summary>
    public GuestPoisoning Guest { get; init; } = new();

    /// <summary>prdev->order the driver asks for (0 = none before 2026; the default picks the version's "none").</summary>
    public int? DriverOrder { get; init; }

    /// <summary>A page_reporting_order given on the boot command line, applied before the probe.</summary>
    public long? BootOrder { get; init; }

    /// <summary>reporting_vq size.</summary>
    public int VqSize { get; init; } = 128;

    /// <summary>The host's situation.</summary>
    public HostOptions Host { get; init; } = new();
}

/// <summary>
/// Which code plays each part of a reporting system. The default is the version's own code;
/// tests swap in deliberately broken parts (a zone that keeps PG_reported on allocation, a
/// worker that ignores __isolate_free_page's answer, a host that drops after the ack) to show
/// that the generic invariants catch them. The named versions always use Default.
/// </summary>
public sealed record ReportingParts
{
    /// <summary>The released code of every part.</summary>
    public static readonly ReportingParts Default = new();

    /// <summary>A name for reports ("default" for the released code).</summary>
    public string Name { get; init; } = "default";

    /// <summary>The zone of the version's allocator era.</summary>
    public Func<ZoneConfig, KernelEra, Zone> MakeZone { get; init; } = (config, era) => new Zone(config, era);

    /// <summary>The page reporting core on the zones.</summary>
    public Func<IReadOnlyList<Zone>, ReportingVersion, VirtualClock, PageReporting> MakeReporting { get; init; } =
        (zones, version, clock) => new PageReporting(zones, version, clock);

    /// <summary>The worker of the core.</summary>
    public Func<PageReporting, ReportingWorker> MakeWorker { get; init; } = reporting => new ReportingWorker(reporting);

    /// <summary>The host: driver, guest memory, options, whether the 2025 used-notification fix is in.</summary>
    public Func<ReportingDriver, GuestMemory, HostOptions, bool, ReportingHost> MakeHost { get; init; } =
        (driver, memory, options, usedNotifyFixed) => new ReportingHost(driver, memory, options, usedNotifyFixed);
}

/// <summary>
/// One guest with the merged design: a zone of the version's allocator era, the page reporting
/// core and its worker, a virtual clock, the virtio-balloon driver and the host. For harnesses
/// and tests; the pieces stay usable on their own.
///
///   var sys = ReportingSystem.Create(ReportingVersion.Named("reporting-5.10"), config);
///   sys.Probe();                      // validate features, create reporting_vq, register
///   sys.Zone.Free(...);               // frees notify (static branch, order screen)
///   sys.Clock.Advance(PageReporting.Delay);
///   sys.Worker.Step();                // runs up to report(): Submitted
///   sys.Host.Step();                  // the host takes the buffer and acknowledges it
///   sys.Worker.Step();                // drain, go on ... Finished / Rescheduled
///   var u = sys.Remove(); while (!u.Step()) { ... }   // page_reporting_unregister
///
/// The zones (one or more, lowest first, ZoneLayout) share one core, worker and device, as the
/// kernel's page_reporting_process walks every zone; pfn = guest-physical frame, and the guest
/// memory covers frames 0 .. the highest zone_end_pfn, so two zones' frames never collide.
/// </summary>
public sealed class ReportingSystem
{
    private ReportingSystem(ReportingVersion version, IReadOnlyList<ZoneConfig> configs, ReportingSetup setup, ReportingParts parts)
    {
        ZoneLayout.Validate(configs);
        Version = version;
        Setup = setup;
        Parts = parts;
        Zones = configs.Select(c => parts.MakeZone(c, version.Era)).ToArray();
        Zone = Zones[0];
        Clock = new VirtualClock();
        Reporting = parts.MakeReporting(Zones, version, Clock);
        Worker = parts.MakeWorker(Reporting);
        Memory = new GuestMemory(ZoneLayout.EndPfn(configs));
        var negotiated = ReportingDriver.Validate(setup.Offered, setup.Guest, version.Has(ReportingFixes.PoisonValidate));
        if (setup.Offered.Hinting && !negotiated.Hinting)
            Zone.Reach.Hit(GuardedRule.ReportingRefusedForPoison); // virtballoon_validate cleared F_REPORTING
        Driver = new ReportingDriver(negotiated, setup.VqSize);
        Host = parts.MakeHost(Driver, Memory, setup.Host, version.Has(ReportingFixes.UsedNotifyDense));
        Host.Reach = Zone.Reach;
    }

    /// <summary>A system of the given version on a zone of the given configuration; parts (tests only) swaps in other code for a part.</summary>
    public static ReportingSystem Create(ReportingVersion version, ZoneConfig config, ReportingSetup? setup = null, ReportingParts? parts = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Create(version, [config], setup, parts);
    }

    /// <summary>A system of the given version on several zones (lowest first).</summary>
    public static ReportingSystem Create(ReportingVersion version, IReadOnlyList<ZoneConfig> configs, ReportingSetup? setup = null, ReportingParts? parts = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(configs);
        return new ReportingSystem(version, configs, setup ?? new ReportingSetup(), parts ?? ReportingParts.Default);
    }

    public ReportingVersion Version { get; }
    public ReportingSetup Setup { get; }

    /// <summary>The code playing each part (ReportingParts.Default unless a test swapped one).</summary>
    public ReportingParts Parts { get; }
    public Zone Zone { get; }

    /// <summary>Every zone, lowest first (Zone is the first).</summary>
    public IReadOnlyList<Zone> Zones { get; }
    public VirtualClock Clock { get; }
    public PageReporting Reporting { get; }
    public ReportingWorker Worker { get; }
    public GuestMemory Memory { get; }
    public ReportingDriver Driver { get; }
    public ReportingHost Host { get; }

    /// <summary>The order the driver passes: the setup's, else the version's "no preference".</summary>
    public int DriverOrder => Setup.DriverOrder
        ?? (Version.Has(ReportingFixes.OrderZeroAllowed) ? PageReportingDevInfo.OrderUnspecified : 0);

    /// <summary>Boot parameter (if any), then the driver's probe: 0 or a negative errno.</summary>
    public int Probe(IPageReportingDevice? report = null)
    {
        if (Setup.BootOrder is long boot)
        {
            int err = Reporting.SetReportingOrderParameter(boot);
            if (err != 0 && err != PageReporting.ENoEnt)
                return err;
        }
        int rc = Driver.Probe(Reporting, DriverOrder, report);
        if (rc == ReportingDriver.ENoSpc)
            Zone.Reach.Hit(GuardedRule.ProbeRingTooSmall);
        return rc;
    }

    /// <summary>virtballoon_remove's page_reporting_unregister; step the result until Done.</summary>
    public ReportingUnregister Remove() =>
        Driver.DevInfo is { } prdev ? Reporting.Unregister(prdev) : Reporting.Unregister(new PageReportingDevInfo(Driver));

    /// <summary>
    /// Hibernation/suspend: the PM core freezes the freezable workqueues, then
    /// virtballoon_freeze deletes the virtqueues. Refused while a work item on a freezable
    /// workqueue is running (the freezer waits for it: step the worker and the host first).
    /// </summary>
    public void Freeze()
    {
        Reporting.SystemFreezableWq.Freeze();
        var work = Reporting.WorkOwner?.Work;
        if (work is { Running: true, Workqueue.Freezable: true })
        {
            Zone.Reach.Hit(GuardedRule.FreezeWaitsForWork);
            Reporting.SystemFreezableWq.Thaw();
            throw new InvalidOperationException("freeze_workqueues_busy: the reporting work is running on a freezable workqueue; let it finish first");
        }
        Driver.Freeze();
    }

    /// <summary>virtballoon_restore re-creates the virtqueues, then the workqueues thaw.</summary>
    public void Restore()
    {
        Driver.Restore();
        Reporting.SystemFreezableWq.Thaw();
    }

    /// <summary>Advance the clock to the work's due time, if it is pending.</summary>
    public void AdvanceToDue()
    {
        if (Reporting.WorkOwner?.Work is { Pending: true } w)
            Clock.AdvanceTo(w.DueAt);
    }

    /// <summary>
    /// Let time pass, the worker and the host run, until the worker is idle with no work
    /// pending, or stuck (no progress possible); returns the number of reports made.
    /// </summary>
    public int RunToQuiescence(int maxRounds = 100_000)
    {
        int reports = Reporting.Events.Reports;
        for (int i = 0; i < maxRounds; i++)
        {
            if (Host.Step())
                continue;
            if (Worker.State == ReportingWorkerState.Idle)
            {
                if (Reporting.WorkOwner?.Work is not { Pending: true } w || (w.Workqueue?.Frozen ?? false))
                    return Reporting.Events.Reports - reports;
                Clock.AdvanceTo(w.DueAt);
            }
            if (Worker.Step() == ReportingStep.NoProgress && !Host.HasWork)
                return Reporting.Events.Reports - reports;
        }
        throw new InvalidOperationException($"no quiescence after {maxRounds} rounds");
    }
}
