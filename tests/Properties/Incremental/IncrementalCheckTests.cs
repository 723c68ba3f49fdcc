using BuddyModel;
using Checks;
using FsCheck;
using FsCheck.Fluent;
using Harness;
using Harness.Operations;
using Properties.Aeration;
using Properties.Buddy;
using Properties.Isolation;
using Properties.Reporting;
using Properties.Zones;
using Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Incremental;

/// <summary>
/// The incremental check against the full one (BuddySystem.IncrementalChecks): every scenario
/// runs on two systems side by side, one checking in full after every step, one checking only
/// the changes (with no periodic full check, so that every check but the first is incremental
/// where it can be), and both must give the same verdict and the same message at the same step,
/// the step's own outcome and the settle phase included. Over generated scenarios of every
/// generator, on the correct designs and on every deliberately broken model of the suite.
/// A second assertion keeps the comparison honest: on the correct designs most checks must
/// really have been incremental (a check that always handed over would agree trivially).
/// </summary>
public sealed class IncrementalCheckTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>Run s on two systems from make, full and incremental, step by step; the first difference, or null. Counts checks.</summary>
    internal static string? Differ(Scenario s, Func<Scenario, BuddySystem> make, Counts counts, int interval = int.MaxValue)
    {
        BuddySystem full, incremental;
        try
        {
            full = make(s);
            incremental = make(s);
        }
        catch (ArgumentException)
        {
            return null; // a bad configuration for this system: nothing to compare
        }
        full.IncrementalChecks = false;
        incremental.FullCheckInterval = interval;
        string? d = Compare(-1, "initial state", full.CheckInvariants(), incremental.CheckInvariants(), counts);
        if (d is not null || counts.LastFailed)
            return d;
        for (int i = 0; i < s.Operations.Count; i++)
        {
            var op = s.Operations[i];
            var (a, ea) = Apply(full, op);
            var (b, eb) = Apply(incremental, op);
            if (ea != eb || a?.Note != b?.Note || a?.Violation?.ToString() != b?.Violation?.ToString())
                return $"step {i + 1} ({op}): the steps themselves differ: {ea ?? a?.Note} / {eb ?? b?.Note}";
            if (ea is not null || a is null || a.Violation is not null)
                return null;
            d = Compare(i, op.ToString(), full.CheckInvariants(), incremental.CheckInvariants(), counts);
            if (d is not null || counts.LastFailed)
                return d;
        }
        var logA = new List<string>();
        var logB = new List<string>();
        string? fa = full.Finish(logA)?.ToString(), fb = incremental.Finish(logB)?.ToString();
        if (fa != fb || !logA.SequenceEqual(logB))
            return $"settle: full {fa ?? "passes"} / incremental {fb ?? "passes"}";
        counts.FullChecksOfIncremental += incremental.FullChecks;
        return null;
    }

    private static (StepOutcome? Outcome, string? Error) Apply(BuddySystem system, Operation op)
    {
        try
        {
            return (system.Apply(op), null);
        }
        catch (BadPageException e)
        {
            return (null, e.Message);
        }
    }

    private static string? Compare(int step, string what, Specs.Violation? full, Specs.Violation? incremental, Counts counts)
    {
        counts.Checks++;
        counts.LastFailed = full is not null;
        if (full is not null)
            counts.Violations++;
        string? a = full?.ToString(), b = incremental?.ToString();
        return a == b ? null : $"after step {step + 1} ({what}): full: {a ?? "holds"}; incremental: {b ?? "holds"}";
    }

    internal sealed class Counts
    {
        public long Checks;
        public long Violations;
        public long FullChecksOfIncremental;
        public bool LastFailed;
    }

    private void Run(string name, Gen<Scenario> scenarios, int count, int size, Func<Scenario, BuddySystem> make, bool correct, int interval = int.MaxValue)
    {
        var counts = new Counts();
        int n = 0;
        foreach (var s in scenarios.Sample(count, new Rnd(Seed, Gamma), size))
        {
            n++;
            var d = Differ(s, make, counts, interval);
            Assert.True(d is null, $"{name}, scenario {n}: {d}\n{s}");
        }
        output.WriteLine($"{name}: {n} scenarios, {counts.Checks} checks compared, {counts.Violations} violations, {counts.FullChecksOfIncremental} full checks on the incremental side");
        if (correct && interval == int.MaxValue)
        {
            Assert.Equal(0, counts.Violations);
            Assert.True(counts.FullChecksOfIncremental * 4 < counts.Checks, $"{name}: {counts.FullChecksOfIncremental} of {counts.Checks} incremental checks handed over to the full one");
        }
    }

    [Fact]
    public void Buddy_scenarios_agree()
    {
        Run("buddy", BuddyOperationGen.Scenario(), 600, 200, s => new BuddySystem(s.Zones.Select(c => new Zone(c)).ToList()), correct: true);
        // The walks find the isolation findings of IsolationWalkFindingTests: compared, not required to pass.
        Run("buddy walks 6.10", BuddyOperationGen.Scenario(BuddyOperationGen.SmallZones, walks: true), 300, 200,
            s => new BuddySystem(s.Zones.Select(c => new Zone(c, KernelEra.V6_10)).ToList()), correct: false);
        Run("buddy walks 5.2", BuddyOperationGen.Scenario(BuddyOperationGen.SmallZones, walks: true), 300, 200,
            s => new BuddySystem(s.Zones.Select(c => new Zone(c)).ToList()), correct: false);
    }

    [Fact]
    public void Aeration_scenarios_agree()
    {
        Run("v1-fixed", AerationOperationGen.Scenario(), 500, 200, s => new AerationSystem(s, AerationDesign.V1Fixed), correct: true);
        Run("v1-fixed, a full check every 7th", AerationOperationGen.Scenario(), 150, 200, s => new AerationSystem(s, AerationDesign.V1Fixed), correct: true, interval: 7);
        Run("v1-fixed walks", AerationOperationGen.Scenario(walks: true), 200, 200, s => new AerationSystem(s, AerationDesign.V1Fixed), correct: false);
        Run("v1-fixed multi-zone", AerationOperationGen.MultiZoneScenario(), 200, 200, s => new AerationSystem(s, AerationDesign.V1Fixed), correct: true);
        Run("v1", AerationOperationGen.Scenario(), 300, 200, s => new AerationSystem(s, AerationDesign.V1), correct: false);
    }

    [Fact]
    public void Reporting_scenarios_agree()
    {
        Run("mainline", ReportingOperationGen.Scenario(), 400, 200, s => new PageReportingSystem(s, ReportingVersion.Mainline), correct: false);
        Run("mainline multi-zone", ReportingOperationGen.MultiZoneScenario(), 150, 200, s => new PageReportingSystem(s, ReportingVersion.Mainline), correct: false);
    }

    /// <summary>
    /// The comparison can fail: a change made while the zone's change log is detached (what a
    /// store the log does not record would be) leaves the incremental check blind to a
    /// corruption the full check reports, and Differ's comparison names it.
    /// </summary>
    [Fact]
    public void A_change_the_log_does_not_record_is_missed_by_the_incremental_check_and_the_comparison_shows_it()
    {
        var zone = new Zone(new ZoneConfig { NrPages = 64, MaxOrder = 4, PageblockOrder = 2 });
        var system = new BuddySystem(zone);
        Assert.Null(system.CheckInvariants());
        var log = zone.ChangeLog;
        Assert.NotNull(log);
        zone.ChangeLog = null;
        int first = zone.Lists.Next(zone.ListHead(3, MigrateType.Movable));
        zone.Lists.Del(first); // a free block taken off its list, PageBuddy still set
        zone.ChangeLog = log;
        var counts = new Counts();
        var full = new BuddySystem(zone) { IncrementalChecks = false }.CheckInvariants();
        Assert.NotNull(full);
        Assert.Null(system.CheckInvariants());
        Assert.NotNull(Compare(0, "unrecorded list_del", full, null, counts));
        // Recorded, the same change is seen: the next full check (the interval) finds it too.
        system.FullCheckInterval = 1;
        Assert.Equal(full.ToString(), system.CheckInvariants()?.ToString());
    }

    private static IEnumerable<string> Names(IEnumerable<object[]> table) => table.Select(row => (string)row[0]);

    [Fact]
    public void Broken_allocators_and_isolation_agree()
    {
        foreach (var variant in Names(BrokenAllocatorTests.Caught))
            Run(variant, BuddyOperationGen.Scenario(BuddyOperationGen.SmallZones), 150, 100, s => new BuddySystem(BrokenAllocatorTests.Make(variant, s.Config)), correct: false);
        foreach (var variant in Names(BrokenIsolationTests.Variants))
            Run(variant, BuddyOperationGen.Scenario(BuddyOperationGen.SmallZones, walks: true), 150, 100, s => new BuddySystem(BrokenIsolationTests.Make(variant, s.Config)), correct: false);
    }

    [Fact]
    public void Broken_aerators_agree()
    {
        foreach (var variant in Names(BrokenAeratorTests.Caught))
        {
            var setups = variant != "PoisoningWithoutPagePoison" ? null
                : AerationOperationGen.Setups.Select(s => s with { PagePoisoning = true, Features = s.Features with { PagePoison = false }, ValidatePoison = false });
            var design = BrokenAerators.Design(variant);
            Run(variant, AerationOperationGen.Scenario(AerationOperationGen.Zones, setups), 150, 150, s => new AerationSystem(s, design), correct: false);
        }
    }

    [Fact]
    public void Broken_reporters_agree()
    {
        foreach (var variant in Names(BrokenReporterTests.Caught).Concat(Names(BrokenReporterTests.Missed)))
        {
            var parts = BrokenReporters.Parts(variant);
            Run(variant, ReportingOperationGen.Scenario(ReportingOperationGen.Zones), 60, 150, s => new PageReportingSystem(s, BrokenReporters.Base, parts), correct: false);
        }
    }

    [Fact]
    public void Broken_multi_zone_models_agree()
    {
        foreach (var variant in Names(MultiZoneBrokenModelTests.Variants))
        {
            var gen = variant.StartsWith("Reporting", StringComparison.Ordinal) ? ReportingOperationGen.MultiZoneScenario() : AerationOperationGen.MultiZoneScenario();
            Run(variant, gen, 150, 150, s => MultiZoneBrokenModelTests.Make(variant, s), correct: false);
        }
    }
}
