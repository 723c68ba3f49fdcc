using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Cli.Tests;

/// <summary>`simulate` end to end: a named workload's whole output pinned by a snapshot, the files it writes, and one line for each misuse.</summary>
public sealed class SimulateCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => TestFiles.RunCli(args);

    /// <summary>Everything but the wall-clock line, which depends on the machine.</summary>
    private static string Stable(string output) =>
        string.Join('\n', output.Split('\n').Where(l => !l.TrimStart().StartsWith("time:", StringComparison.Ordinal) && !l.TrimStart().StartsWith("written:", StringComparison.Ordinal)));

    [Fact]
    public void The_default_burst_is_pinned_report_by_report()
    {
        var (code, output, err) = Run("simulate");
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.Contains("simulate: reporting on a 1024 MiB q35 guest, 2 CPUs, THP on; workload burst", output, StringComparison.Ordinal);
        Assert.Contains("zone DMA32: pfn 4096..261119 (1004 MiB), watermarks min 11098 low 13872 high 16646 pages", output, StringComparison.Ordinal);
        Snapshot.Match(Stable(output), new SnapshotNameExtension("burst"));
    }

    [Fact]
    public void Out_writes_the_csv_json_and_html()
    {
        string dir = TestFiles.TempDir();
        var (code, output, err) = Run("simulate", "--named", "huge-burst", "--quiet", "--out", dir);
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.DoesNotContain(" report  ", output, StringComparison.Ordinal);
        Assert.Equal(["index.html", "reports.csv", "result.json", "samples.csv"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.StartsWith("jiffies,seconds,host_backed_pages", File.ReadAllText(Path.Combine(dir, "samples.csv")), StringComparison.Ordinal);
        Assert.Contains("<svg ", File.ReadAllText(Path.Combine(dir, "index.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_workload_file_runs_and_a_broken_one_is_refused_with_its_line()
    {
        string dir = TestFiles.TempDir();
        string good = Path.Combine(dir, "idle.txt"), bad = Path.Combine(dir, "bad.txt");
        File.WriteAllText(good, "sleep 3s\n");
        File.WriteAllText(bad, "alloc 64M\ntuch all\n");
        var (code, output, err) = Run("simulate", "--workload", good, "--quiet");
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.Contains("workload idle (1 steps, 3.000 s of sleep)", output, StringComparison.Ordinal);
        (code, output, err) = Run("simulate", "--workload", bad);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal($"error: --workload: {bad}: line 2: unknown step 'tuch' (steps: alloc, touch, free, sleep, hold, repeat, end)", err.TrimEnd('\n'));
    }

    [Theory]
    [InlineData(new[] { "simulate", "--design", "buddy" }, "--design: 'buddy' is not simulated (designs: v1, v1-fixed, reporting-5.7, reporting-5.10, reporting-5.14, reporting)")]
    [InlineData(new[] { "simulate", "--guest-mib", "8" }, "--guest-mib:")]
    [InlineData(new[] { "simulate", "--machine", "virt" }, "--machine: 'virt' is not q35 or pc")]
    [InlineData(new[] { "simulate", "--named", "nope" }, "--named: no workload 'nope' (named workloads: burst, huge-burst, small-frees, big-burst)")]
    [InlineData(new[] { "simulate", "--named", "burst", "--workload", "x" }, "--workload and --named: give one of them")]
    [InlineData(new[] { "simulate", "--workload", "/nonexistent/w.txt" }, "--workload: cannot read '/nonexistent/w.txt'")]
    public void Misuse_is_one_line_and_exit_2(string[] args, string message) => TestFiles.AssertMisuse(args, message);
}

/// <summary>The page `simulate --out` writes, rendered by headless Chromium: each chart draws its line in the run's colour.</summary>
public sealed class SimulateHtmlScreenshotTests
{
    [ChromiumFact]
    public void The_charts_render_with_the_runs_line()
    {
        string dir = TestFiles.TempDir();
        var (code, output, err) = TestFiles.RunCli("simulate", "--named", "huge-burst", "--quiet", "--out", dir);
        Assert.True(code == ExitCodes.Ok, err + output);
        string png = HtmlScreenshotTests.Screenshot(File.ReadAllText(Path.Combine(dir, "index.html")), "simulate", 800, 1000);
        var image = PngImage.Read(png);
        // Three charts, each with a 2-pixel line in the first run's colour over most of its width.
        Assert.True(image.Count("#1f77b4", tolerance: 24) > 3 * 600, $"{image.Count("#1f77b4", tolerance: 24)} pixels of the line's colour");
    }
}
