using Checks;
using FsCheck;
using Harness;
using Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Zones;

/// <summary>
/// Broken models that need two zones: each passes the same property on single-zone guests
/// (so the bug is invisible to a suite of one zone), and is caught on the default generator
/// (whose multi-zone fraction reaches it) by a generic invariant, with a short shrunk
/// counterexample that keeps its second zone and replays to the same failure.
/// </summary>
[Trait("Category", "BrokenModel")]
public sealed class MultiZoneBrokenModelTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    public static TheoryData<string, string[]> Variants => new()
    {
        { nameof(KeepsActiveAfterScrub), ["No raw block below the boundary", "Device lifetime"] },
        { nameof(HostWrapsIntoLowRam), ["No data loss", "Content contract"] },
        { nameof(ReportingHostWrapsIntoLowRam), ["No data loss", "Content contract"] },
    };

    /// <summary>A run of the scenario on the broken model.</summary>
    private static RunReport Run(string variant, Scenario s) => ScenarioRunner.Run(s, Maker(variant));

    /// <summary>A system of the broken model for a scenario (the host's low RAM block is the scenario's first zone).</summary>
    internal static Func<Scenario, BuddySystem> Maker(string variant) => variant switch
    {
        nameof(KeepsActiveAfterScrub) => sc => new AerationSystem(sc,
            AerationDesign.V1Fixed with { Name = variant, MakeAerator = (z, c) => new KeepsActiveAfterScrub(z, c) }),
        nameof(HostWrapsIntoLowRam) => sc => new AerationSystem(sc,
            AerationDesign.V1Fixed with { Name = variant, MakeHost = (vq, m, f) => new HostWrapsIntoLowRam(vq, m, f, sc.Config.EndPfn) }),
        nameof(ReportingHostWrapsIntoLowRam) => sc => new PageReportingSystem(sc, ReportingVersion.Mainline,
            ReportingParts.Default with { Name = variant, MakeHost = (d, m, o, f) => new ReportingHostWrapsIntoLowRam(d, m, o, f, sc.Config.EndPfn) }),
        _ => throw new ArgumentException($"unknown variant {variant}", nameof(variant)),
    };

    /// <summary>The broken model's system for a scenario.</summary>
    internal static BuddySystem Make(string variant, Scenario sc) => Maker(variant)(sc);

    /// <summary>The property check (every guest shape) that catches the variant, shrunk.</summary>
    internal static PropertyCheck.Result Check(string variant) =>
        CheckCache.Get($"two zones {variant}", () => PropertyCheck.Check(Generator(variant, singleZone: false), s => Run(variant, s), maxTest: 500, Seed));

    private static Arbitrary<Scenario> Generator(string variant, bool singleZone) => variant.StartsWith("Reporting", StringComparison.Ordinal)
        ? ReportingOperationGen.Arbitrary(singleZone ? ReportingOperationGen.Zones : null)
        : AerationOperationGen.Arbitrary(singleZone ? AerationOperationGen.Zones : null);

    [Theory]
    [MemberData(nameof(Variants))]
    public void Broken_model_is_caught_only_with_two_zones_with_a_short_counterexample_that_replays(string variant, string[] invariants)
    {
        var single = PropertyCheck.Check(Generator(variant, singleZone: true), s => Run(variant, s), maxTest: 300, Seed);
        output.WriteLine($"single zone: {PropertyCheck.Explain(single)}");
        Assert.True(single.Passed, $"{variant} is caught with one zone already:\n{PropertyCheck.Explain(single)}");

        var result = Check(variant);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed, $"{variant} was not caught in {result.Tests} tests");
        var shrunk = result.Shrunk!;
        Assert.True(shrunk.Operations.Count <= 12, $"{variant}: shrunk counterexample has {shrunk.Operations.Count} operations:\n{shrunk}");
        Assert.True(shrunk.MoreZones is { Count: > 0 }, $"{variant}: the shrunk counterexample lost its second zone:\n{shrunk}");
        var violation = result.ShrunkReport!.Violation;
        Assert.NotNull(violation);
        Assert.Contains(violation!.Invariant, invariants);

        var replay = Run(variant, shrunk);
        Assert.Equal(result.ShrunkReport.FailureMessage, replay.FailureMessage);
        var oneZone = Run(variant, shrunk with { MoreZones = null });
        Assert.True(oneZone.Passed || oneZone.FailureMessage != result.ShrunkReport.FailureMessage,
            $"{variant}: the counterexample fails the same way without its second zone");
    }
}
