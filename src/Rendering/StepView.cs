using Specs;
using BuddyModel;

namespace Rendering;

/// <summary>One free block on a free list, as drawn; Aerated: PageAerated (v1) or PageReported (the merged design).</summary>
public sealed record BlockView(int Pfn, bool Aerated);

/// <summary>
/// One free_list[order][mt] in list order (head first). Boundary is the index of the boundary
/// node in Blocks (Blocks.Count when it points at the list head), or null when no boundary is
/// in force for this list; BoundaryElsewhere describes a boundary that points outside the list.
/// </summary>
public sealed record FreeListView(int Order, MigrateType Mt, IReadOnlyList<BlockView> Blocks, int? Boundary, string? BoundaryElsewhere = null);

/// <summary>A block held outside the free lists (aerator batch, isolated by a test).</summary>
public sealed record HeldBlockView(int Pfn, int Order, MigrateType? Mt);

/// <summary>The zone and the aerator after one step: everything a reviewer needs to follow the run.</summary>
public sealed record ZoneView(
    string Zone,
    int NrPages,
    int MaxOrder,
    int PageblockOrder,
    IReadOnlyList<FreeListView> Lists,
    IReadOnlyList<int> NrFree,
    IReadOnlyList<int>? NrFreeAerated,
    long NrFreePages,
    IReadOnlyList<MigrateType> Pageblocks,
    IReadOnlyList<HeldBlockView> Live,
    IReadOnlyList<HeldBlockView> Isolated,
    AeratorView? Aerator,
    ReporterView? Reporter = null);

/// <summary>The merged design's state: the atomic, the worker, the clock and the work, the device, the report in flight.</summary>
public sealed record ReporterView(
    string State,
    string Worker,
    long Jiffies,
    string Work,
    uint ReportingOrder,
    bool StaticBranch,
    bool DevicePublished,
    IReadOnlyList<HeldBlockView> InFlight,
    int HostRanges,
    string? Oops);

/// <summary>The aerator's state: zone flags, refcount, worker, device, batch.</summary>
public sealed record AeratorView(
    int MinOrder,
    int Hwm,
    bool Requested,
    bool Active,
    bool StaticKey,
    bool DevicePublished,
    int Refcnt,
    string Worker,
    bool ShutdownInProgress,
    IReadOnlyList<HeldBlockView> Batch,
    int HostApplied);

/// <summary>
/// One step of a run as drawn: its number (0 = the initial state, settle steps numbered on as
/// the log numbers them), the log line, the state after it, and the failure it ended with.
/// </summary>
public sealed record StepView(int Step, string Text, ZoneView State, Violation? Violation = null, string? Error = null)
{
    public bool Failed => Violation is not null || Error is not null;
}

/// <summary>
/// Steps a bounded rendering left out: Count consecutive steps, numbered FirstStep to LastStep,
/// that would come after the first After drawn steps, out of Total steps in the run.
/// </summary>
public sealed record LeftOutSteps(int After, int Count, int FirstStep, int LastStep, int Total);

/// <summary>The steps recorded for drawing, how many the run had, and which were left out (null: none).</summary>
public sealed record CapturedSteps(IReadOnlyList<StepView> Steps, int Total, LeftOutSteps? LeftOut);
