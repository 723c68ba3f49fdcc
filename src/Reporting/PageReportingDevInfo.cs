using Kernel;

namespace Reporting;

/// <summary>
/// struct page_reporting_dev_info (include/linux/page_reporting.h): the driver's report
/// callback, the order it asks for (5.14+), and the state and work the core initialises at
/// register time.
/// </summary>
public sealed class PageReportingDevInfo
{
    /// <summary>PAGE_REPORTING_ORDER_UNSPECIFIED (2026): "no preference" for prdev->order.</summary>
    public const int OrderUnspecified = -1;

    public PageReportingDevInfo(IPageReportingDevice device, int order = 0)
    {
        Device = device ?? throw new ArgumentNullException(nameof(device));
        Order = order;
    }

    /// <summary>prdev->report.</summary>
    public IPageReportingDevice Device { get; }

    /// <summary>
    /// prdev->order (5.14+): the smallest order the driver wants reported. Before 2026, 0 (the
    /// zero-initialised field) means "no preference"; from 2026, OrderUnspecified does, and 0 is
    /// a real order. Ignored by 5.7 and 5.10 (PAGE_REPORTING_MIN_ORDER is pageblock_order).
    /// </summary>
    public int Order { get; }

    /// <summary>prdev->state (ReportingState values).</summary>
    public AtomicInt State { get; } = new((int)ReportingState.Idle);

    /// <summary>prdev->work, set up by page_reporting_register (INIT_DELAYED_WORK); null before.</summary>
    public DelayedWork? Work { get; internal set; }

    /// <summary>
    /// Canonical state (exhaustive exploration): the state atomic and the delayed work (absent
    /// before register; its own form keeps only jiffies until due). The report callback and
    /// prdev->order are configuration (the setup's driver order, the same for every probe).
    /// </summary>
    public void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        State.WriteCanonicalState(sink);
        sink.Add(Work is null ? 0 : 1);
        Work?.WriteCanonicalState(sink);
    }

    /// <summary>The state as the enum.</summary>
    public ReportingState CurrentState => (ReportingState)State.Read();
}
