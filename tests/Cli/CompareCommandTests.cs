using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Cli.Tests;

/// <summary>`compare` end to end: the default table (every simulated design) pinned by a snapshot, the overlaid page, and one line for each misuse.</summary>
public sealed class CompareCommandTests
{
    [Fact]
    public void Without_the_generated_check_the_column_is_left_out()
    {
        var (code, output, err) = TestFiles.RunCli("compare", "--designs", "reporting", "--check-runs", "0");
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.DoesNotContain("generated check", output, StringComparison.Ordinal);
        Assert.Contains("reporting        held           486 MiB  486 MiB", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_design_side_by_side_on_the_default_burst()
    {
        string dir = TestFiles.TempDir();
        var (code, output, err) = TestFiles.RunCli("compare", "--out", dir);
        // The generated check finds v1's and the older versions' bugs: a finding, exit 1.
        Assert.True(code == ExitCodes.Failed, err + output);
        Assert.Contains("v1: the generated check found Counters match contents; counterexample: ", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "v1-seed20190619-counters-match-contents.json")));
        // 5.14 let the per-cpu lists keep orders up to 3 and sized pcp->high from the low
        // watermark: with THP's watermarks they keep 24.6 MiB that no report reaches (1.2 MiB before).
        Assert.Contains("reporting-5.10        held        Reporting lifetime           510 MiB", output, StringComparison.Ordinal);
        Assert.Contains("reporting-5.14        held  Reporting order in range           486 MiB", output, StringComparison.Ordinal);
        Snapshot.Match(string.Join('\n', output.Replace(dir, "<out>", StringComparison.Ordinal).Split('\n').Where(l => !l.StartsWith("written:", StringComparison.Ordinal))), new SnapshotNameExtension("burst"));
        string html = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.Equal(18, html.Split("<polyline ").Length - 1);   // 3 charts x 6 designs
        Assert.True(File.Exists(Path.Combine(dir, "reporting-5.7-samples.csv")));
    }

    [Theory]
    [InlineData(new[] { "compare", "--designs", "reporting,v3" }, "--designs: 'v3' is not simulated (designs: v1, v1-fixed, reporting-5.7, reporting-5.10, reporting-5.14, reporting)")]
    [InlineData(new[] { "compare", "--designs", "reporting,reporting" }, "--designs: 'reporting' is named twice")]
    [InlineData(new[] { "compare", "--designs", "," }, "--designs: name at least one design")]
    [InlineData(new[] { "compare", "--named", "nope" }, "--named: no workload 'nope'")]
    [InlineData(new[] { "compare", "--check-runs", "-1" }, "--check-runs:")]
    public void Misuse_is_one_line_and_exit_2(string[] args, string message) => TestFiles.AssertMisuse(args, message);
}
