using Aeration.Virtio;
using BuddyModel;
using Reporting;

namespace Simulation;

/// <summary>
/// The merged design (ReportingSystem: mm/page_reporting.c, the virtio-balloon driver, QEMU's
/// handler) of a version, registered at boot with the default setup; the reporting work runs on
/// its own virtual clock, PAGE_REPORTING_DELAY after a request.
/// </summary>
internal sealed class SimulatedReporting(ReportingVersion version) : SimulatedDesign
{
    private ReportingSystem? _sys;
    private int _rangesSeen;

    private ReportingSystem Sys => _sys ?? throw new InvalidOperationException("not booted");

    public override string Name => version.Name;

    /// <summary>5.14 brought both page_reporting_order and the high-order per-cpu lists (44042b449872).</summary>
    public override PcpEra PcpEra => version.Has(ReportingFixes.ReportingOrderParam) ? PcpEra.Since5_14 : PcpEra.Before5_14;

    public override bool Before5_7 => false;

    public override void Boot(IReadOnlyList<ZoneConfig> zones)
    {
        _sys = ReportingSystem.Create(version, zones, new ReportingSetup());
        if (_sys.Probe() != 0)
            throw new InvalidOperationException("the reporting device did not register");
    }

    public override IReadOnlyList<Zone> Zones => Sys.Zones;

    public override GuestMemory Memory => Sys.Memory;

    public override long Now => Sys.Clock.Jiffies;

    public override void AdvanceTo(long jiffies) => Sys.Clock.AdvanceTo(jiffies);

    public override long? NextEvent() => Sys.Reporting.WorkOwner?.Work is { Pending: true } w ? w.DueAt : null;

    protected override bool TryStepWorker()
    {
        if (!Sys.Worker.CanStep)
            return false;
        Sys.Worker.Step();
        return true;
    }

    protected override bool TryStepHost(Action<IReadOnlyList<(int Pfn, int NrPages, bool Discarded)>> report)
    {
        if (!Sys.Host.HasWork)
            return false;
        Sys.Host.Step();
        var ranges = Sys.Host.Ranges;
        report([.. ranges.Skip(_rangesSeen).Select(r => (r.Pfn, r.NrPages, r.Discarded))]);
        _rangesSeen = ranges.Count;
        return true;
    }
}
