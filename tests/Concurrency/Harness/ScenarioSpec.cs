using Aeration;
using Aeration.Fixes;
using Aeration.Virtio;
using BuddyModel;
using Harness;
using Harness.Operations;

namespace Concurrency.Harness;

/// <summary>Which tasks a concurrent scenario runs besides the worker and the host.</summary>
public sealed record ScenarioSpec(
    string Name,
    AerationDesign Design,
    ZoneConfig Zone,
    AerationSetup Setup,
    IReadOnlyList<Operation> Preparation,
    bool StartupFirst,
    IReadOnlyList<IReadOnlyList<Operation>> OpTasks,
    bool ConcurrentStartup = false,
    bool ConcurrentShutdown = false,
    bool CheckProgress = false,
    int HostLateBy = 0,
    bool HostNever = false,
    int ShutdownSleepBound = 0,
    int ShutdownAfterOpsMax = 0)
{
    public override string ToString() => $"{Name} ({Design.Name})";
}

/// <summary>The designs the concurrency scenarios run against.</summary>
public static class Designs
{
    /// <summary>v1 as posted.</summary>
    public static AerationDesign V1 => AerationDesign.V1;

    /// <summary>v1 with the suite's fixes and the RCU-style shutdown (Aeration.Fixes.RcuAerator / RcuShutdown).</summary>
    public static readonly AerationDesign V1Rcu = AerationDesign.V1Fixed with
    {
        Name = "v1-rcu",
        MakeAerator = (zones, c) => new RcuAerator(zones, c),
        MakeShutdown = a => new RcuShutdown((RcuAerator)a),
    };

    /// <summary>A seeded bug: the RCU fix without its grace period (shutdown does not wait for free paths already in notify).</summary>
    public static readonly AerationDesign V1RcuNoGracePeriod = V1Rcu with
    {
        Name = "v1-rcu without synchronize_rcu",
        MakeShutdown = a => new NoGracePeriodShutdown((RcuAerator)a),
    };

    private sealed class NoGracePeriodShutdown(RcuAerator a) : RcuShutdown(a)
    {
        protected override bool GracePeriodElapsed() => true;
    }

    /// <summary>A design whose host completes late (after lateBy polls) or never.</summary>
    public static AerationDesign WithSlowHost(AerationDesign d, int lateBy, bool never) => d with
    {
        Name = $"{d.Name}+{(never ? "dead-device" : $"late-device({lateBy})")}",
        MakeHost = (vq, mem, f) => new SlowHost(vq, mem, f, lateBy, never),
    };
}

/// <summary>The five scenarios of issue 4, small enough for systematic exploration.</summary>
public static class Scenarios
{
    /// <summary>
    /// 64 pages, MAX_ORDER 4 (blocks up to 8 pages), pageblock_order 2 = MIN_ORDER, no min
    /// watermark: every order >= 2 is hinted, and 8 top-order blocks make a pass several batches long.
    /// </summary>
    public static readonly ZoneConfig SmallZone = new() { NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 0 };

    /// <summary>HWM 1 (every free of order >= MIN_ORDER with a raw block requests a pass), batches of 2 blocks.</summary>
    public static readonly AerationSetup SmallSetup = new() { Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 }, QueueSize = 4, SettleBound = 500 };

    private const MigrateType M = MigrateType.Movable;

    private static IReadOnlyList<Operation> Allocs(params int[] orders) => orders.Select(o => (Operation)new AllocPages(o, M)).ToList();

    /// <summary>
    /// 1. The worker scrubs the zone while two tasks free and allocate in it. Half the zone is
    /// allocated first; the pass starts on the other half, so frees of the allocated blocks free
    /// the buddies of blocks that sit in the batch.
    /// </summary>
    public static ScenarioSpec Scrub(AerationDesign d) => new(
        "1 scrub vs free/alloc", d, SmallZone, SmallSetup,
        Preparation: Allocs(3, 3, 3, 3),
        StartupFirst: true,
        OpTasks:
        [
            [new FreePages(0), new AllocPages(2, M), new FreePages(2), new AllocPages(3, M)],
            [new FreePages(1), new AllocPages(2, M), new FreePages(-1), new FreePages(0)],
        ],
        CheckProgress: d.Name != "v1");

    /// <summary>
    /// 2. Shutdown runs concurrently with frees and an active pass (the device is started
    /// first; its pass over the zone is under way when the tasks start).
    /// </summary>
    public static ScenarioSpec Shutdown(AerationDesign d) => new(
        "2 shutdown vs free + pass", d, SmallZone, SmallSetup,
        Preparation: Allocs(3, 3, 3, 3, 3, 3, 3),
        StartupFirst: true,
        OpTasks:
        [
            [new FreePages(0), new AllocPages(3, M), new FreePages(0), new AllocPages(3, M), new FreePages(0), new FreePages(0)],
        ],
        ConcurrentShutdown: true,
        ShutdownAfterOpsMax: 5);

    /// <summary>3. Startup runs concurrently with frees (and with the worker it schedules).</summary>
    public static ScenarioSpec Startup(AerationDesign d) => new(
        "3 startup vs free", d, SmallZone, SmallSetup,
        Preparation: Allocs(3, 3, 3, 3),
        StartupFirst: false,
        OpTasks:
        [
            [new FreePages(0), new AllocPages(3, M), new FreePages(0)],
            [new FreePages(1), new FreePages(0)],
        ],
        ConcurrentStartup: true,
        CheckProgress: d.Name != "v1");

    /// <summary>
    /// 4. The device completes late (lateBy polls) or never, and shutdown runs. A device that
    /// never completes must be reported as a liveness failure, not hang the test.
    /// </summary>
    public static ScenarioSpec DeadDevice(AerationDesign d, int lateBy, bool never) => new(
        never ? "4 shutdown vs dead device" : "4 shutdown vs late device", Designs.WithSlowHost(d, lateBy, never), SmallZone, SmallSetup,
        Preparation: Allocs(3, 3, 3, 3),
        StartupFirst: true,
        OpTasks:
        [
            [new FreePages(0), new FreePages(0)],
        ],
        ConcurrentShutdown: true,
        HostLateBy: lateBy,
        HostNever: never);
}
