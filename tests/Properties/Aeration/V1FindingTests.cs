using Checks;
using Specs.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Properties.Aeration;

/// <summary>
/// Flaws of the v1 design as posted that the generic properties rediscover by themselves. Each
/// test asserts that the flaw IS found, with the invariant and message expected, that the
/// shrunk counterexample is short and replays, and that the fixed design passes the same check.
/// </summary>
public sealed class V1FindingTests(ITestOutputHelper output)
{
    private const ulong Seed = 20190619;

    private PropertyCheck.Result CheckV1()
    {
        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(), AerationProperties.RunV1, maxTest: 500, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        return result;
    }

    /// <summary>
    /// Fill walks every migratetype, MIGRATE_ISOLATE included, and get_aeration_page takes each
    /// block out of NR_FREE_PAGES, which never counted isolated pages: NR_FREE_PAGES drifts
    /// down. (mm/page_reporting.c later skips MIGRATE_ISOLATE.)
    /// </summary>
    [Fact]
    public void V1_fill_takes_isolated_blocks_and_NR_FREE_PAGES_drifts()
    {
        var result = CheckV1();
        Assert.False(result.Passed);
        var v = result.ShrunkReport!.Violation!;
        Assert.Equal("Counters match contents", v.Invariant);
        Assert.Contains("NR_FREE_PAGES", v.ToString());
        Assert.Contains(result.Shrunk!.Operations, op => op.ToString().Contains("Isolate"));
        Assert.True(result.Shrunk.Operations.Count <= 4, result.Shrunk.ToString());
        Assert.Equal(result.ShrunkReport.FailureMessage, AerationProperties.RunV1(result.Shrunk).FailureMessage);
        Assert.True(AerationProperties.RunFixed(result.Shrunk).Passed);
    }

    /// <summary>
    /// v1 screens only frees; the halves expand() splits off an aerated block are raw blocks no
    /// free ever reports, so once the worker is idle a zone can stay at HWM raw blocks for good.
    /// </summary>
    [Fact]
    public void V1_raw_blocks_made_by_expand_never_request_a_pass()
    {
        var noIsolation = AerationOperationGen.Arbitrary();
        RunReport RunV1WithoutIsolation(Scenario s) =>
            s.Operations.Any(op => op.ToString().Contains("Isolate")) ? new RunReport([], null, null, null) : AerationProperties.RunV1(s);
        var result = PropertyCheck.Check(noIsolation, RunV1WithoutIsolation, maxTest: 500, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed);
        var v = result.ShrunkReport!.Violation!;
        Assert.Equal("Progress", v.Invariant);
        Assert.Contains("raw blocks", v.Found);
        Assert.Contains(result.Shrunk!.Operations, op => op.ToString().StartsWith("alloc_pages", StringComparison.Ordinal));
        Assert.True(result.Shrunk.Operations.Count <= 12, result.Shrunk.ToString());
        Assert.Equal(result.ShrunkReport.FailureMessage, AerationProperties.RunV1(result.Shrunk).FailureMessage);
        Assert.True(AerationProperties.RunFixed(result.Shrunk).Passed, AerationProperties.RunFixed(result.Shrunk).FailureMessage);
    }

    /// <summary>
    /// v1's fill has no watermark check: with the zone near its low watermark a batch takes the
    /// remaining memory away while the host works. The targeted property counts only "Low
    /// watermark kept" failures, so that v1's other flaws do not mask this one.
    /// </summary>
    [Fact]
    public void V1_fill_ignores_the_low_watermark()
    {
        var zones = new[] { new BuddyModel.ZoneConfig { Name = "Tight", NrPages = 256, MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 48 } };
        static RunReport OnlyWatermark(RunReport r) =>
            r.Violation?.Invariant == "Low watermark kept" ? r : new RunReport(r.Log, null, null, null);
        var result = PropertyCheck.Check(AerationOperationGen.Arbitrary(zones), s => OnlyWatermark(AerationProperties.RunV1(s)), maxTest: 1000, Seed);
        output.WriteLine(PropertyCheck.Explain(result));
        Assert.False(result.Passed);
        var v = result.ShrunkReport!.Violation!;
        Assert.Equal("Low watermark kept", v.Invariant);
        Assert.Contains("out for hinting", v.Found);
        Assert.True(result.Shrunk!.Operations.Count <= 30, result.Shrunk.ToString());
        Assert.Equal(result.ShrunkReport.FailureMessage, AerationProperties.RunV1(result.Shrunk).FailureMessage);
        var fixedRun = AerationProperties.RunFixed(result.Shrunk);
        Assert.True(fixedRun.Violation?.Invariant != "Low watermark kept", fixedRun.FailureMessage);
    }
}
