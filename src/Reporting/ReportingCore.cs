namespace Reporting;

/// <summary>prdev->state: the three-state atomic of mm/page_reporting.c.</summary>
public enum ReportingState
{
    /// <summary>PAGE_REPORTING_IDLE: no pass pending or running.</summary>
    Idle = 0,
    /// <summary>PAGE_REPORTING_REQUESTED: a pass is wanted (the work is scheduled, or a running pass must go again).</summary>
    Requested = 1,
    /// <summary>PAGE_REPORTING_ACTIVE: a pass is running and nobody asked for another since it began.</summary>
    Active = 2,
}

/// <summary>
/// One element of the scatterlist handed to report(): a whole free buddy block
/// (sg_set_page(sg, page, PAGE_SIZE &lt;&lt; order, 0)).
/// </summary>
public readonly record struct ScatterEntry(int Pfn, int Order)
{
    /// <summary>PAGE_SHIFT: 4 KiB pages.</summary>
    public const int PageShift = 12;

    /// <summary>sg->length in bytes.</summary>
    public uint Length => (uint)(1u << (PageShift + Order));

    /// <summary>sg_phys(): the block's guest-physical address.</summary>
    public ulong Phys => (ulong)Pfn << PageShift;
}

/// <summary>
/// prdev->report as a device the worker can drive step by step. The kernel's report() is
/// synchronous: it adds the buffer, kicks, and sleeps until the device used it. The model splits
/// it at the sleep: Start() runs up to the wait (returning a non-zero error when the buffer
/// could not even be added, then there is nothing to wait for), and Completed() is the wait's
/// condition, polled by the worker's Step. Either may throw KernelOops (a use after free).
/// </summary>
public interface IPageReportingDevice
{
    /// <summary>report() up to its wait_event: 0, or a negative errno when nothing was submitted.</summary>
    int Start(IReadOnlyList<ScatterEntry> sg);

    /// <summary>The wait_event condition: the device returned the buffer. Sets the result report() returns.</summary>
    bool Completed(out int err);
}
