using System.Diagnostics;
using Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Simulation.Tests;

/// <summary>A real-size guest with a design on the clock (the merged design, v1): what goes back to the host, when, and in what pieces.</summary>
public sealed class GuestSimulationTests(ITestOutputHelper output)
{
    private const string Burst = """
        alloc 512M name burst
        touch burst
        free burst
        sleep 10s
        """;

    [Fact]
    public void A_512_MiB_burst_on_a_1_GiB_guest_goes_back_to_the_host_in_2_MiB_blocks_after_the_delay()
    {
        var clock = Stopwatch.StartNew();
        var sim = GuestSimulation.Reporting(new SimulationConfig(), ReportingVersion.Mainline);
        var r = sim.Run(WorkloadParser.Parse("burst", Burst));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s wall; {r.Reports.Count} reports, first at {r.Reports.FirstOrDefault()?.Jiffies}, last at {r.Reports.LastOrDefault()?.Jiffies}; backed at end {r.Samples[^1].HostBackedPages} pages; pcp {string.Join(", ", sim.PerCpu.Select(p => $"{p.Count}/{p.High}"))}");
        foreach (var e in r.Reports.Take(3))
            output.WriteLine($"  {e.Jiffies}: {e.Zone} {e.Ranges.Count} entries, {e.Bytes >> 20} MiB");
        Assert.Equal(512 * 256, r.At(PageReporting.Delay - 1).HostBackedPages);   // touched, not yet reported
        Assert.NotEmpty(r.Reports);
        Assert.Equal(PageReporting.Delay, r.Reports[0].Jiffies);    // the work runs PAGE_REPORTING_DELAY after the free
        Assert.All(r.Reports, e => Assert.InRange(e.Ranges.Count, 1, PageReporting.Capacity));
        // page_reporting_order is pageblock_order: 2 MiB blocks, and the order-10 (MAX_ORDER - 1) blocks they merged into.
        Assert.All(r.Reports.SelectMany(e => e.Ranges), x => Assert.Contains(x.Bytes, new[] { 2L << 20, 4L << 20 }));
        // Every free block of the reporting order is reported, the untouched half of the guest
        // too (the host never backed it: it gets nothing back from those). Of the touched half,
        // what the per-cpu lists kept stays backed.
        long reported = r.Reports.Sum(e => e.Bytes) >> 12;
        Assert.True(reported > 512 * 256, $"{reported} pages reported");
        Assert.Equal(0, r.Samples[^1].ReReportedPages);   // one pass over each block: nothing reported twice
        Assert.Equal(512 * 256 - r.Samples[^1].HostBackedPages, r.Samples[^1].ReturnedPages);
        Assert.Equal(0, r.Samples[^1].Refaults);
        // What stays backed includes every page the per-cpu lists kept: they never reached the
        // buddy, so nothing reported them (with THP's watermarks pcp->high is 6,936 pages here).
        Assert.True(r.Samples[^1].HostBackedPages >= sim.PerCpu.Sum(p => p.Count), $"backed {r.Samples[^1].HostBackedPages}, on pcp lists {sim.PerCpu.Sum(p => p.Count)}");
        Assert.True(sim.PerCpu.Sum(p => p.Count) > 0);
    }

    [Fact]
    public void A_second_burst_refaults_on_what_the_first_gave_back_and_the_run_is_deterministic()
    {
        var w = WorkloadParser.Parse("burst twice", "repeat 2\n" + Burst + "\nend\n");
        var a = GuestSimulation.Reporting(new SimulationConfig(), ReportingVersion.Mainline).Run(w);
        var b = GuestSimulation.Reporting(new SimulationConfig(), ReportingVersion.Mainline).Run(w);
        var end = a.Samples[^1];
        output.WriteLine($"refaults {end.Refaults}, re-reported {end.ReReportedPages}, reports {end.Reports}, backed {end.HostBackedPages}");
        Assert.True(end.Refaults > 0, "the second burst touched no page the host had discarded");
        Assert.True(end.ReReportedPages > 0, "nothing the host had discarded was reported again");
        Assert.Equal(SimulationWriter.ToJson(a), SimulationWriter.ToJson(b));
    }

    [Fact]
    public void A_guest_of_4_GiB_reports_from_DMA32_and_Normal()
    {
        var r = GuestSimulation.Reporting(new SimulationConfig { GuestMiB = 4096 }, ReportingVersion.Mainline).Run(WorkloadParser.Parse("idle", "sleep 5s"));
        Assert.Contains(r.Reports, e => e.Zone == "Normal");
        Assert.Contains(r.Reports, e => e.Zone == "DMA32");
        Assert.DoesNotContain(r.Reports, e => e.Zone == "DMA");   // DMA never passes the gate: low + 32 << 9 pages is more than it has
    }

    [Fact]
    public void V1_hints_a_tenth_of_a_second_after_startup_in_batches_of_32_and_without_a_watermark_gate()
    {
        var r = GuestSimulation.V1(new SimulationConfig(), fixedV1: false).Run(WorkloadParser.Parse("burst", Burst));
        Assert.Equal(25, r.Reports[0].Jiffies);                           // schedule_delayed_work(HZ / 10) at HZ=250
        Assert.All(r.Reports, e => Assert.InRange(e.Ranges.Count, 1, 32)); // VIRTIO_BALLOON_ARRAY_HINTS_MAX
        Assert.All(r.Reports.SelectMany(e => e.Ranges), x => Assert.True(x.Bytes >= 2L << 20));   // AERATOR_MIN_ORDER = pageblock_order
        Assert.Contains(r.Reports, e => e.Zone == "DMA");                 // no zone gate: DMA is hinted too
        Assert.Equal(new[] { "v1", "v1-fixed", "reporting-5.7", "reporting-5.10", "reporting-5.14", "reporting" }, GuestSimulation.Designs);
    }
}
