using BuddyModel;
using Reporting;
using Reporting.Virtio;

namespace Concurrency.Harness;

/// <summary>One operation of a free/alloc task of a reporting scenario (each under one hold of zone->lock).</summary>
public abstract record ReportingOp;

/// <summary>__free_pages of the Index-th block the preparation allocated.</summary>
public sealed record FreePrepared(int Index) : ReportingOp;

/// <summary>Allocate a MOVABLE block of this order; the task keeps it (a failed allocation is skipped).</summary>
public sealed record AllocBlock(int Order) : ReportingOp;

/// <summary>Free the block this task allocated last (nothing when it holds none).</summary>
public sealed record FreeLastAllocated : ReportingOp;

/// <summary>How page_reporting_unregister runs in a scenario.</summary>
public enum UnregisterKind
{
    /// <summary>Not called.</summary>
    None,
    /// <summary>The model's page_reporting_unregister: clear the pointer, synchronize_rcu, cancel_delayed_work_sync.</summary>
    Mainline,
    /// <summary>A seeded bug written in the test project: the pointer is cleared and the work cancelled, without synchronize_rcu.</summary>
    NoGracePeriod,
}

/// <summary>Which tasks a concurrent reporting scenario runs besides the worker and the host.</summary>
public sealed record ReportingScenarioSpec(
    string Name,
    string Design,
    ReportingVersion Version,
    IReadOnlyList<int> PrepareAllocs,
    bool SettleFirst,
    IReadOnlyList<IReadOnlyList<ReportingOp>> OpTasks,
    UnregisterKind Unregister = UnregisterKind.None,
    bool UnregisterAfterFirstReport = false,
    bool FreezeRestore = false,
    bool PlainIdleStore = false,
    HostOptions? Host = null,
    bool HostNever = false,
    bool CheckNoLostRequest = false)
{
    public override string ToString() => $"{Name} ({Design}: {Version.Name})";
}

/// <summary>
/// The concurrency scenarios of the merged design (mm/page_reporting.c), small enough for
/// systematic exploration.
///
/// Zone: 64 pages, MAX_ORDER 4 (blocks up to 8 pages), pageblock_order 2, no min watermark; the
/// driver asks for order 0 (mainline accepts it), so every order is reported and the zone gate
/// of page_reporting_process_zone is low + (32 &lt;&lt; 0) = 32 free pages. The preparation
/// allocates three order-3 blocks (40 pages stay free, above the gate), so a pass reports the
/// free blocks in one leftover scatterlist (fewer than 32 blocks: no full list, one report per
/// pass) and the isolation watermark refuses the last block of a pass that finds only
/// unreported memory (WMARK_MIN + 2^order, as the kernel does).
/// </summary>
public static class ReportingScenarios
{
    public static readonly ZoneConfig Zone = new() { NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 0 };

    /// <summary>The driver's prdev->order: 0, so that the small zone passes the gate.</summary>
    public const int DriverOrder = 0;

    /// <summary>Mainline (every fix).</summary>
    public static ReportingVersion Mainline => ReportingVersion.Mainline;

    private static readonly int[] ThreeTopBlocks = [3, 3, 3];

    /// <summary>
    /// 1. A free that passed the static branch runs __page_reporting_notify (RCU read side)
    /// while page_reporting_unregister clears the pointer and waits (synchronize_rcu), then
    /// cancels the work. The zone is settled first (state IDLE, no work pending), so the frees'
    /// requests are what schedules the work.
    /// </summary>
    public static ReportingScenarioSpec Unregister(UnregisterKind kind) => new(
        "reporting-unregister", kind == UnregisterKind.Mainline ? "reporting" : "broken (no synchronize_rcu)", Mainline,
        ThreeTopBlocks, SettleFirst: true,
        OpTasks: [[new FreePrepared(0), new FreePrepared(1)]],
        Unregister: kind);

    /// <summary>
    /// 2. Frees request reporting while the first pass (requested by register) runs and ends:
    /// the end of the pass (cmpxchg ACTIVE -> IDLE, or a seeded plain store) races a REQUESTED
    /// set by a free. After everything settles, a request made during a pass must have led to
    /// another pass.
    /// </summary>
    public static ReportingScenarioSpec EndOfPass(bool plainStore) => new(
        "reporting-end-of-pass", plainStore ? "broken (plain IDLE store)" : "reporting", Mainline,
        ThreeTopBlocks, SettleFirst: false,
        OpTasks: [[new FreePrepared(0), new FreePrepared(1)]],
        PlainIdleStore: plainStore,
        CheckNoLostRequest: true);

    /// <summary>
    /// 3. The first pass isolates the free order-2 block at pfn 4 while a task frees its buddy
    /// at pfn 0 (so the drain's __putback_isolated_page merges them into an order-3 block at
    /// pfn 0, which must not be marked PG_reported); another task allocates and frees, taking
    /// reported and unreported blocks.
    /// </summary>
    public static ReportingScenarioSpec MergeOnDrain() => new(
        "reporting-merge-on-drain", "reporting", Mainline,
        [2, 3, 3], SettleFirst: false,
        OpTasks:
        [
            [new FreePrepared(0), new AllocBlock(2), new FreeLastAllocated()],
            [new AllocBlock(3), new FreePrepared(1), new FreeLastAllocated()],
        ]);

    /// <summary>
    /// 4. Hibernation: the PM core freezes the freezable workqueues and virtballoon_freeze
    /// deletes the virtqueues, while a free requests reporting; virtballoon_restore re-creates
    /// them once the free is done. The zone is settled first.
    /// </summary>
    public static ReportingScenarioSpec Freeze(ReportingVersion version) => new(
        "reporting-freeze", version.Name, version,
        ThreeTopBlocks, SettleFirst: true,
        OpTasks: [[new FreePrepared(0)]],
        FreezeRestore: true);

    /// <summary>The versions of scenario 4: mainline, and mainline without the freezable work (2026 row).</summary>
    public static ReportingVersion WithoutFreezableWork => Mainline.Without(ReportingFixes.FreezableWork);

    /// <summary>Which device scenario 5 runs against.</summary>
    public enum DeadDeviceKind
    {
        /// <summary>Mainline on a dense virtio-ccw queue layout: the notification is delivered (the 2025 fix); unregister returns.</summary>
        DenseLayoutFixed,
        /// <summary>Mainline without the 2025 fix on a dense layout: the host uses the buffer but the guest is never notified.</summary>
        LostNotification,
        /// <summary>Mainline, and the device never takes the buffer at all.</summary>
        NeverAnswers,
    }

    /// <summary>
    /// 5. The first pass submits its report; then page_reporting_unregister runs and waits in
    /// cancel_delayed_work_sync for the worker, which waits in report() for the device.
    /// </summary>
    public static ReportingScenarioSpec DeadDevice(DeadDeviceKind kind) => new(
        "reporting-dead-device",
        kind switch { DeadDeviceKind.DenseLayoutFixed => "reporting", DeadDeviceKind.LostNotification => "reporting-no-UsedNotifyDense", _ => "never-answers" },
        kind == DeadDeviceKind.LostNotification ? Mainline.Without(ReportingFixes.UsedNotifyDense) : Mainline,
        ThreeTopBlocks, SettleFirst: false,
        OpTasks: [],
        Unregister: UnregisterKind.Mainline,
        UnregisterAfterFirstReport: true,
        Host: kind == DeadDeviceKind.NeverAnswers ? new HostOptions() : new HostOptions { DenseLayout = true },
        HostNever: kind == DeadDeviceKind.NeverAnswers);
}
