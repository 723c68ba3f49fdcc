using BuddyModel;
using Checks;
using FsCheck;
using FsCheck.Fluent;
using Specs.Buddy;
using Harness;
using Specs.Oracle;

namespace Benchmarks;

/// <summary>Fixed inputs shared by the fast mode and the BenchmarkDotNet jobs: same seeds, same sequences.</summary>
public static class Workloads
{
    public const int Seed = 20190619;

    /// <summary>Timed operations of target 1 (after the untimed prefill).</summary>
    public const int MixedTimedOps = 1 << 22;

    /// <summary>Operations before the check of target 3 (prefill included): about 100k.</summary>
    public const int CheckWarmOps = 100_000;

    /// <summary>The 1024-frame zone of target 4 (MIN_ORDER = pageblock_order = 3).</summary>
    public static readonly ZoneConfig AerationZone = new()
    {
        Name = "Bench1024", NrPages = 1024, MaxOrder = 8, PageblockOrder = 3, MinWatermarkPages = 8,
    };

    public const int AerationScenarios = 40;
    public const int AerationSize = 400;

    private static MixedOps? s_mixed;
    private static MixedOps? s_check;

    /// <summary>Target 1's sequence on the default 1 GiB zone.</summary>
    public static MixedOps Mixed => s_mixed ??= new MixedOps(new ZoneConfig().NrPages, MixedTimedOps, Seed);

    /// <summary>Target 3's sequence: ~100k operations in all on the default zone.</summary>
    public static MixedOps CheckOps
    {
        get
        {
            if (s_check is null)
            {
                // The prefill of a 1 GiB zone is ~35k allocations; the rest up to CheckWarmOps is mixed.
                var probe = new MixedOps(new ZoneConfig().NrPages, 0, Seed + 1);
                s_check = new MixedOps(new ZoneConfig().NrPages, Math.Max(0, CheckWarmOps - probe.PrefillCount), Seed + 1);
            }
            return s_check;
        }
    }

    /// <summary>A fresh default zone brought to ~50% occupancy by the prefill.</summary>
    public static (Zone Zone, MixedOps.Handles Handles) PrefilledZone(MixedOps ops)
    {
        var zone = new Zone(new ZoneConfig());
        var h = new MixedOps.Handles(ops.MaxLive);
        int failed = MixedOps.RunModel(zone, ops.Ops, 0, ops.PrefillCount, h);
        if (failed != 0)
            throw new InvalidOperationException($"{failed} prefill allocations failed");
        return (zone, h);
    }

    /// <summary>Bare lists holding enough nodes of every order, with the prefill applied.</summary>
    public static (BareLists Lists, MixedOps.Handles Handles) PrefilledBare(MixedOps ops)
    {
        var lists = new BareLists(MixedOps.MaxOrderUsed + 1, ops.MaxLive);
        var h = new MixedOps.Handles(ops.MaxLive);
        MixedOps.RunBare(lists, ops.Ops, 0, ops.PrefillCount, h);
        return (lists, h);
    }

    /// <summary>The default zone after ~100k operations with the oracle kept alongside.</summary>
    public static (Zone Zone, ReferenceModel Oracle) CheckedZone()
    {
        var ops = CheckOps;
        var zone = new Zone(new ZoneConfig());
        var oracle = new ReferenceModel(zone.NrPages);
        var h = new MixedOps.Handles(ops.MaxLive);
        MixedOps.RunModelWithOracle(zone, oracle, ops.Ops, 0, ops.Ops.Length, h);
        if ((BuddyInvariants.CheckAll(zone) ?? oracle.Compare(zone)) is { } v)
            throw new InvalidOperationException($"invariant violated before timing: {v}");
        return (zone, oracle);
    }

    private static Scenario[]? s_scenarios;

    /// <summary>Target 4's scenarios: AerationOperationGen on the 1024-frame zone, sampled with a fixed seed.</summary>
    public static Scenario[] AerationScenarioSet =>
        s_scenarios ??= AerationOperationGen.Scenario([AerationZone])
            .Sample(AerationScenarios, new Rnd((ulong)Seed, 0x9E3779B97F4A7C15UL), AerationSize);

    public static int AerationSteps => AerationScenarioSet.Sum(s => s.Operations.Count);

    /// <summary>Fresh v1-fixed systems for target 4; incremental: BuddySystem.IncrementalChecks (off: every check is the full one).</summary>
    public static AerationSystem[] NewAerationSystems(bool incremental = false) =>
        AerationScenarioSet.Select(s => new AerationSystem(s, AerationDesign.V1Fixed) { IncrementalChecks = incremental }).ToArray();

    private static Scenario[]? s_reportingScenarios;

    /// <summary>Target 5's scenarios: ReportingOperationGen on the same 1024-frame zone, same seed and count.</summary>
    public static Scenario[] ReportingScenarioSet =>
        s_reportingScenarios ??= ReportingOperationGen.Scenario([AerationZone])
            .Sample(AerationScenarios, new Rnd((ulong)Seed, 0x9E3779B97F4A7C15UL), AerationSize);

    /// <summary>Fresh mainline reporting systems for target 5.</summary>
    public static BuddySystem[] NewReportingSystems(bool incremental = false) =>
        ReportingScenarioSet.Select(s => (BuddySystem)new PageReportingSystem(s, global::Reporting.ReportingVersion.Mainline) { IncrementalChecks = incremental }).ToArray();

    /// <summary>Apply then CheckInvariants for every step of every scenario. Returns the violations seen.</summary>
    public static int RunAeration(AerationSystem[] systems, bool check) => RunSystems(systems, AerationScenarioSet, check);

    /// <summary>Apply then (with check) CheckInvariants for every step of every scenario. Returns the violations seen.</summary>
    public static int RunSystems(BuddySystem[] systems, Scenario[] scenarios, bool check)
    {
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentNullException.ThrowIfNull(scenarios);
        int violations = 0;
        for (int i = 0; i < systems.Length; i++)
        {
            var sys = systems[i];
            foreach (var op in scenarios[i].Operations)
            {
                var outcome = sys.Apply(op);
                if (outcome?.Violation is not null)
                    violations++;
                if (check && sys.CheckInvariants() is not null)
                    violations++;
            }
        }
        return violations;
    }
}
