using BuddyModel;
using Counterexamples;
using Harness;
using Harness.Operations;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// Counterexample files of several zones: zone.startPfn and moreZones, the operations' optional
/// "zone" field (absent = zone 0, written only when not 0), and the loader's refusals; files of
/// one zone read and write exactly as before.
/// </summary>
public sealed class ZonesFileTests
{
    private static readonly ZoneConfig Dma32 = new() { Name = "DMA32", NrPages = 128, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 };
    private static readonly ZoneConfig Normal = Dma32 with { Name = "Normal", StartPfn = 128 };

    /// <summary>v1's fill takes isolated blocks (finding 1), in the guest's upper zone.</summary>
    private static CounterexampleFile UpperZoneFinding()
    {
        var scenario = new Scenario(Dma32, [new StartAerator(), new SetPageblockMigratetype(0, MigrateType.Isolate, Zone: 1)],
            new AerationSetup { Aerator = new Aeration.AeratorConfig { Hwm = 1, Capacity = 2 } }, null, [Normal]);
        var report = Designs.Run("v1", scenario);
        Assert.False(report.Passed, "the upper-zone scenario passes under v1");
        return new CounterexampleFile("v1", scenario, ExpectedFailure.Of(report), null, "v1-fixed");
    }

    [Fact]
    public void A_file_of_two_zones_writes_loads_back_equal_and_replays()
    {
        var file = UpperZoneFinding();
        Assert.Equal("Counters match contents", file.Expected.Invariant);
        Assert.Contains("zone Normal", file.Expected.Message, StringComparison.Ordinal);
        string json = CounterexampleWriter.ToJson(file);
        Assert.Contains("\"moreZones\": [", json, StringComparison.Ordinal);
        Assert.Contains("\"startPfn\": 128", json, StringComparison.Ordinal);
        Assert.Contains("\"zone\": 1", json, StringComparison.Ordinal);
        var back = CounterexampleLoader.Parse(json);
        Assert.Equal(json, CounterexampleWriter.ToJson(back));
        Assert.Equal(file.Scenario.Operations, back.Scenario.Operations);
        Assert.Equal(file.Scenario.Zones, back.Scenario.Zones);
        Assert.True(Replayer.Replay(back).Reproduced);
        Assert.True(Replayer.ReplayFix(back)!.Outcome == ReplayOutcome.Passed, "v1-fixed should pass the upper-zone finding");
    }

    [Fact]
    public void A_zone_0_operation_is_written_without_a_zone_field()
    {
        string json = CounterexampleWriter.ToJson(UpperZoneFinding() is var f
            ? f with { Scenario = f.Scenario with { Operations = [new AllocPages(1, MigrateType.Movable), new IsolateFreePage(3)] } } : f);
        Assert.DoesNotContain("\"zone\": 0", json, StringComparison.Ordinal);
        Assert.Contains("\"op\": \"alloc_pages\",\n      \"order\": 1,\n      \"mt\": \"Movable\"\n", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_regression_file_of_one_zone_loads_as_zone_0_and_writes_as_before()
    {
        foreach (var path in Directory.GetFiles(Path.Combine(TestFiles.RepoRoot, "regressions"), "*.json"))
        {
            var file = CounterexampleLoader.Load(path);
            Assert.Null(file.Scenario.MoreZones);
            Assert.Equal(0, file.Scenario.Config.StartPfn);
            Assert.All(file.Scenario.Operations, op => Assert.True(op is not AllocPages { Zone: not 0 } and not SetPageblockMigratetype { Zone: not 0 } and not IsolateFreePage { Zone: not 0 }));
            string json = CounterexampleWriter.ToJson(file);
            Assert.DoesNotContain("\"zone\": ", json.Replace("\"zone\": {", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("moreZones", json, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"zone\": 2", "operations[1].zone", "out of range 0..1 (the file's guest has 2 zones)")]
    [InlineData("\"zone\": -1", "operations[1].zone", "out of range 0..1")]
    public void An_operation_naming_a_zone_the_guest_lacks_is_refused(string zoneField, string field, string message)
    {
        string json = CounterexampleWriter.ToJson(UpperZoneFinding()).Replace("\"zone\": 1", zoneField, StringComparison.Ordinal);
        var e = Assert.Throws<CounterexampleFormatException>(() => CounterexampleLoader.Parse(json));
        Assert.Equal(field, e.Field);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"startPfn\": 128", "\"startPfn\": 64", "moreZones", "starts at pfn 64, inside or below zone #0 (DMA32, pfn 0..127)")]
    [InlineData("\"startPfn\": 128", "\"startPfn\": 132", "moreZones[0].startPfn", "must be a non-negative multiple of MAX_ORDER_NR_PAGES")]
    [InlineData("\"startPfn\": 128", "\"startPfn\": 4194304", "moreZones", "the zones end beyond pfn 2097152")]
    public void A_bad_zone_layout_is_refused_naming_the_field(string from, string to, string field, string message)
    {
        string json = CounterexampleWriter.ToJson(UpperZoneFinding()).Replace(from, to, StringComparison.Ordinal);
        var e = Assert.Throws<CounterexampleFormatException>(() => CounterexampleLoader.Parse(json));
        Assert.Equal(field, e.Field);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
