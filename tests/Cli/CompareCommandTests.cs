using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Cli.Tests;

/// <summary>`compare` end to end: the default table (every simulated design) pinned by a snapshot, the overlaid page, and one line for each misuse.</summary>
public sealed class CompareCommandTests
{
    [Fact]
    public void Every_design_side_by_side_on_the_default_burst()
    {
        string dir = TestFiles.TempDir();
        var (code, output, err) = TestFiles.RunCli("compare", "--out", dir);
        Assert.True(code == ExitCodes.Ok, err + output);
        // 5.14 let the per-cpu lists keep orders up to 3 and sized pcp->high from the low
        // watermark: with THP's watermarks they keep 24.6 MiB that no report reaches (1.2 MiB before).
        Assert.Contains("reporting-5.10        held           510 MiB", output, StringComparison.Ordinal);
        Assert.Contains("reporting-5.14        held           486 MiB", output, StringComparison.Ordinal);
        Snapshot.Match(string.Join('\n', output.Split('\n').Where(l => !l.StartsWith("written:", StringComparison.Ordinal))), new SnapshotNameExtension("burst"));
        string html = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.Equal(18, html.Split("<polyline ").Length - 1);   // 3 charts x 6 designs
        Assert.True(File.Exists(Path.Combine(dir, "reporting-5.7-samples.csv")));
    }

    [Theory]
    [InlineData(new[] { "compare", "--designs", "reporting,v3" }, "--designs: 'v3' is not simulated (designs: v1, v1-fixed, reporting-5.7, reporting-5.10, reporting-5.14, reporting)")]
    [InlineData(new[] { "compare", "--designs", "reporting,reporting" }, "--designs: 'reporting' is named twice")]
    [InlineData(new[] { "compare", "--designs", "," }, "--designs: name at least one design")]
    [InlineData(new[] { "compare", "--named", "nope" }, "--named: no workload 'nope'")]
    public void Misuse_is_one_line_and_exit_2(string[] args, string message) => TestFiles.AssertMisuse(args, message);
}
