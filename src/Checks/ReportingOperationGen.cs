using Aeration.Virtio;
using BuddyModel;
using FsCheck;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;
using Reporting;
using Reporting.Virtio;

namespace Checks;

/// <summary>
/// Generators of scenarios for the merged design: allocator operations mixed with worker and
/// host steps, time passing (a tick, half the delay, the whole PAGE_REPORTING_DELAY),
/// register and unregister, freeze and restore, and writes of page_reporting_order, on small
/// zones where a full scatterlist (32 blocks) and the watermark gate are both reachable.
/// Swarm testing: each scenario draws its own mix and its own guest, device and host.
/// </summary>
public static class ReportingOperationGen
{
    /// <summary>Small zones: 64 to 256 blocks of pageblock_order; on Flat a full report of 32 blocks and an exhausted budget happen.</summary>
    public static readonly ZoneConfig[] Zones =
    [
        new() { Name = "Small", NrPages = 256, MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 4 },
        new() { Name = "Pb1", NrPages = 256, MaxOrder = 6, PageblockOrder = 1, MinWatermarkPages = 4 },
        new() { Name = "Shuffled", NrPages = 512, MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 8, ShuffleSeed = 3 },
        // 128 blocks of order 2 on one list: full scatterlists of 32 and a budget that runs out.
        new() { Name = "Flat", NrPages = 512, MaxOrder = 3, PageblockOrder = 1, MinWatermarkPages = 4 },
    ];

    /// <summary>
    /// Guests of several small zones (ZoneLayouts): DMA32 + Normal on the Small shape, and
    /// DMA + DMA32 + a hole + Normal; page_reporting_process walks them in order.
    /// </summary>
    public static readonly ZoneConfig[][] Layouts =
    [
        ZoneLayouts.Stack(new ZoneConfig { MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 4 }, [256, 256], ["DMA32", "Normal"]),
        ZoneLayouts.Stack(new ZoneConfig { MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 }, [64, 64, 256], ["DMA", "DMA32", "Normal"], hole: 128),
    ];

    /// <summary>The jiffies an AdvanceClock step lets pass: one, a second at HZ=250, and PAGE_REPORTING_DELAY.</summary>
    public static IReadOnlyList<int> ClockSteps { get; } = [1, 250, PageReporting.Delay];

    /// <summary>Guests, devices and hosts: poisoning with and without PAGE_POISON, drivers asking for an order, hosts that skip the discard, a virtio-ccw dense queue layout.</summary>
    public static Gen<ReportingSetup> Setups =>
        from poison in Gen.Elements(0, 0, 0, 1, 2)
        from host in Gen.Elements(0, 0, 0, 0, 1, 2, 3)
        from driverOrder in Gen.Elements<int?>(null, null, null, 0, 1, 3, 40)
        select new ReportingSetup
        {
            Guest = new GuestPoisoning { PagePoisoning = poison > 0 },
            Offered = new BalloonFeatures { Hinting = true, PagePoison = poison == 1, PoisonVal = poison == 1 ? GuestPoisoning.PagePoisonVal : 0 },
            DriverOrder = driverOrder,
            Host = new HostOptions { DiscardInhibited = host == 1, HostPageOrder = host == 2 ? 3 : 0, DenseLayout = host == 3 },
        };

    /// <summary>
    /// Setups as `check` draws them: Setups, and now and then a reporting_vq of exactly
    /// PAGE_REPORTING_CAPACITY entries or fewer (virtballoon_probe refuses 16: -ENOSPC, no
    /// registration). Kept apart from Setups so that the property tests' pinned counterexamples,
    /// drawn from Setups, stay as they are.
    /// </summary>
    public static Gen<ReportingSetup> SetupsWithSmallRings(Gen<ReportingSetup>? setups = null) =>
        from s in setups ?? Setups
        from vqSize in Gen.Elements(128, 128, 128, 128, 128, 128, 32, 16)
        select s with { VqSize = vqSize };

    /// <summary>Swarm weights for: alloc, free, set pageblock mt, isolate, putback, worker, host, clock, register, unregister, unregister step, freeze, restore, set order.</summary>
    public static Gen<int[]> SwarmWeights =>
        from free in Gen.Elements(2, 6, 10)
        from setMt in Gen.Elements(0, 0, 1)
        from isolate in Gen.Elements(0, 0, 1)
        from worker in Gen.Elements(2, 4, 8)
        from host in Gen.Elements(1, 3, 6)
        from clock in Gen.Elements(1, 3, 6)
        from unregister in Gen.Elements(0, 0, 0, 1)
        from freeze in Gen.Elements(0, 0, 0, 1)
        from order in Gen.Elements(0, 0, 0, 1)
        select new[] { 6, free, setMt, isolate, isolate, worker, host, clock, unregister, unregister, unregister * 2, freeze, freeze, order };

    /// <summary>One operation with the scenario's weights.</summary>
    public static Gen<Operation> Operation(ZoneConfig config, int[] w, int zones = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(w);
        Gen<Operation>[] kinds =
        [
            .. HintingOperationGen.AllocatorKinds(config, zones),
            Gen.Constant((Operation)new StepWorker()),
            Gen.Constant((Operation)new StepHost()),
            Gen.Elements(ClockSteps.ToArray()).Select(j => (Operation)new AdvanceClock(j)),
            Gen.Constant((Operation)new RegisterReporting()),
            Gen.Constant((Operation)new UnregisterReporting()),
            Gen.Constant((Operation)new StepUnregister()),
            Gen.Constant((Operation)new FreezeGuest()),
            Gen.Constant((Operation)new RestoreGuest()),
            Gen.Elements(-1, 0, 1, 2, 3, config.MaxOrder - 1, config.MaxOrder, 40).Select(v => (Operation)new SetReportingOrder(v)),
        ];
        return HintingOperationGen.Weighted(kinds, w);
    }

    /// <summary>
    /// A scenario: register first (most of the time), then the swarm's mix. Given zones, one of
    /// them; by default a single zone of Zones or (a fraction, ZoneLayouts) a guest of Layouts.
    /// With walks, the isolation walk's operations join the mix (HintingOperationGen.WithOperations).
    /// </summary>
    public static Gen<Scenario> Scenario(ZoneConfig[]? zones = null, Gen<ReportingSetup>? setups = null, bool walks = false) =>
        Draw(zones is null ? ZoneLayouts.Mixed(Zones, Layouts) : Gen.Elements(zones).Select(z => new[] { z }), setups, walks);

    /// <summary>Scenarios on the multi-zone layouts only (the multi-zone properties).</summary>
    public static Gen<Scenario> MultiZoneScenario(ZoneConfig[][]? layouts = null, Gen<ReportingSetup>? setups = null) =>
        Draw(Gen.Elements(layouts ?? Layouts), setups, walks: false);

    private static Gen<Scenario> Draw(Gen<ZoneConfig[]> layouts, Gen<ReportingSetup>? setups, bool walks) =>
        HintingOperationGen.WithOperations(
            from layout in layouts
            from setup in setups ?? Setups
            from weights in SwarmWeights
            from registerFirst in Gen.Elements(true, true, true, false)
            select (Layout: layout, Setup: setup, Weights: weights, RegisterFirst: registerFirst),
            h => Operation(h.Layout[0], h.Weights, h.Layout.Length), h => h.Layout.Length, walks)
        .Select(x => new Scenario(x.Head.Layout[0], x.Head.RegisterFirst ? x.Ops.Prepend(new RegisterReporting()).ToArray() : x.Ops, null, x.Head.Setup, ZoneLayouts.More(x.Head.Layout)));

    /// <summary>Scenarios with the shrinker.</summary>
    public static Arbitrary<Scenario> Arbitrary(ZoneConfig[]? zones = null, Gen<ReportingSetup>? setups = null, bool walks = false) =>
        Arb.From(Scenario(zones, setups, walks), ScenarioShrinker.Shrink);
}
