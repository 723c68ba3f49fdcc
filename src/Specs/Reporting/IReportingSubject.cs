using Reporting;
using Specs.Guest;

namespace Specs.Reporting;

/// <summary>
/// What the merged design's invariants look at: the guest, the page reporting core and its
/// worker, the blocks the test itself took off the lists, whether unregister returned, and the
/// ledger of what the host acknowledged. A harness system implements it.
/// </summary>
public interface IReportingSubject : IGuest
{
    /// <summary>The page reporting core (device pointer, reporting order, events, static branch).</summary>
    PageReporting Reporting { get; }

    /// <summary>The reporting worker (its state, the blocks out in a report).</summary>
    ReportingWorker Worker { get; }

    /// <summary>The prdev the driver registered (state atomic, work), or null before the probe.</summary>
    PageReportingDevInfo? Registered { get; }

    /// <summary>Blocks the test took off the free lists with __isolate_free_page (not the design's).</summary>
    IReadOnlyList<(int Pfn, int Order)> Isolated { get; }

    /// <summary>Reports made when page_reporting_unregister returned, or null while it has not.</summary>
    int? ReportsWhenUnregistered { get; }

    /// <summary>
    /// The order the registered driver asked for (prdev->order, 5.14+), or null when it states no
    /// preference or the version has no such field.
    /// </summary>
    int? RequestedOrder { get; }

    /// <summary>Whether page_reporting_order was set on the boot command line or through sysfs.</summary>
    bool OrderParameterWritten { get; }

    /// <summary>Whether every frame of the block was in a report the device acknowledged after the guest last freed it.</summary>
    bool HintedSinceLastFree(int pfn, int order);
}
