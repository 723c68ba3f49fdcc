using Xunit;

namespace Simulation.Tests;

/// <summary>The files a run is written to (CSV, JSON, HTML with SVG charts): their exact form, and that they do not depend on the machine.</summary>
public sealed class SimulationOutputTests
{
    private static SimulationResult Run(string design, long backed) => new(design, "burst", 1024,
        [
            new SimulationSample(0, 1000, 0, 0, 0, 0, 0),
            new SimulationSample(500, backed, 0, 3, 0, 2, 0),
            new SimulationSample(1000, backed / 2, backed / 2, 5, 512, 4, 1),
        ],
        [
            new ReportEvent(480, "DMA32", [new ReportedRange(0x4000_0000, 2 << 20), new ReportedRange(0x4020_0000, 2 << 20)]),
            new ReportEvent(980, "Normal", [new ReportedRange(0x1_0000_0000, 4 << 20)]),
        ]);

    [Fact]
    public void Samples_and_reports_are_written_as_csv_with_seconds_at_HZ_250()
    {
        var r = Run("reporting", 256000);
        Assert.Equal("""
            jiffies,seconds,host_backed_pages,returned_pages,refaults,re_reported_pages,reports,allocation_failures
            0,0.000,1000,0,0,0,0,0
            500,2.000,256000,0,3,0,2,0
            1000,4.000,128000,128000,5,512,4,1

            """.Replace("\r\n", "\n", StringComparison.Ordinal), SimulationWriter.SamplesCsv(r));
        Assert.Equal("""
            report,jiffies,seconds,zone,entries,gpa,bytes
            1,480,1.920,DMA32,2,0x40000000,2097152
            1,480,1.920,DMA32,2,0x40200000,2097152
            2,980,3.920,Normal,1,0x100000000,4194304

            """.Replace("\r\n", "\n", StringComparison.Ordinal), SimulationWriter.ReportsCsv(r));
        Assert.Equal(4L << 20, r.Reports[0].Bytes);
        Assert.Equal(500, r.At(999).Jiffies);
        Assert.Equal(0, r.At(-1).Jiffies);
    }

    [Fact]
    public void The_json_names_every_field_in_camel_case()
    {
        string json = SimulationWriter.ToJson(Run("reporting", 256000));
        Assert.Contains("\"design\": \"reporting\"", json, StringComparison.Ordinal);
        Assert.Contains("\"hostBackedPages\": 256000", json, StringComparison.Ordinal);
        Assert.Contains("\"gpa\": 4294967296", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_overlays_every_run_in_each_chart_with_a_legend()
    {
        string html = SimulationChart.Page([Run("v1", 200000), Run("reporting", 256000)]);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<title>v1, reporting: burst on a 1024 MiB guest</title>", html, StringComparison.Ordinal);
        Assert.Equal(3, Count(html, "<svg "));
        Assert.Equal(6, Count(html, "<polyline "));                   // 3 charts x 2 runs
        Assert.Equal(3, Count(html, ">reporting</text>"));            // the legend, once per chart
        // Host memory in MiB: 256000 pages = 1000 MiB, the axis top rounded to 1000; 4 s at the right end.
        Assert.Contains(">1000</text>", html, StringComparison.Ordinal);
        Assert.Contains(">4 s</text>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Writing_twice_gives_the_same_bytes()
    {
        string a = Path.Combine(Path.GetTempPath(), "sim-" + Guid.NewGuid().ToString("N")), b = a + "-2";
        var results = new[] { Run("reporting", 256000) };
        var first = SimulationWriter.Write(a, results);
        SimulationWriter.Write(b, results);
        Assert.Equal(["samples.csv", "reports.csv", "result.json", "index.html"], first.Select(Path.GetFileName));
        foreach (var f in first)
            Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(b, Path.GetFileName(f))));
        Directory.Delete(a, true);
        Directory.Delete(b, true);
    }

    [Theory]
    [InlineData(0.3, 0.5)]
    [InlineData(1, 1)]
    [InlineData(1000, 1000)]
    [InlineData(1001, 2000)]
    [InlineData(7, 10)]
    public void Axis_tops_are_round(double v, double top) => Assert.Equal(top, SimulationChart.NiceCeiling(v), 9);

    private static int Count(string s, string part)
    {
        int n = 0;
        for (int i = s.IndexOf(part, StringComparison.Ordinal); i >= 0; i = s.IndexOf(part, i + 1, StringComparison.Ordinal))
            n++;
        return n;
    }
}
