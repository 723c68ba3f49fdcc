using System.Text.RegularExpressions;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// The concurrency stage of `check`: after the sequential checks, every Coyote scenario of the
/// checked designs runs with PCT and random at a small budget. It must find the v1 shutdown race
/// (which no sequential scenario can show: it needs a second CPU between the free path's static
/// key test and its read of a_dev_info), write the trace and its minimized trace, and the trace
/// must replay to the same bug. These run the scenario assembly as the solution build left it
/// (--no-build), as TraceCommandsTests do.
/// </summary>
public sealed class ConcurrencyStageTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => TestFiles.RunCli(args);

    /// <summary>The lines of the stage's table for one design, as (scenario, strategy, bug).</summary>
    private static List<(string Scenario, string Strategy, string Bug)> Rows(string output, string design) =>
        Regex.Matches(output, $@"^│ {Regex.Escape(design)} +│ ([a-z0-9-]+) +│ (pct|random) +│ [0-9,]+ +│ [0-9,]+ +│ ([^│]*?) +│", RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList();

    [Fact]
    public void The_default_designs_run_their_coyote_scenarios_after_the_sequential_checks()
    {
        string[] args = ["check", "--runs", "20", "--skip-regressions", "--no-build", "--concurrency-iterations", "3"];
        var (code, output, err) = Run(args);
        Assert.True(code == ExitCodes.Ok, output + err);
        Assert.Contains("concurrency: 10 Coyote scenario(s) of buddy, v1-fixed, reporting; PCT and random, 3 iterations each, seed 20190619", output);
        Assert.Contains("concurrency: buddy has no Coyote scenario", output);
        Assert.True(output.IndexOf("check summary", StringComparison.Ordinal) < output.IndexOf("concurrency (Coyote)", StringComparison.Ordinal), output);
        var fixedRows = Rows(output, "v1-fixed");
        var reportingRows = Rows(output, "reporting");
        Assert.Equal(["scrub", "scrub", "shutdown", "shutdown", "startup", "startup", "late-device", "late-device", "two-zones", "two-zones"], fixedRows.Select(r => r.Scenario));
        Assert.Equal(["reporting-unregister", "reporting-end-of-pass", "reporting-merge-on-drain", "reporting-freeze", "reporting-dead-device"], reportingRows.Select(r => r.Scenario).Distinct());
        Assert.All(fixedRows.Concat(reportingRows), r => Assert.Equal("-", r.Bug));
        Assert.Equal(10, fixedRows.Concat(reportingRows).Count(r => r.Strategy == "pct"));
        Assert.EndsWith("OK: no violation\n", output, StringComparison.Ordinal);

        // The same seed gives the same stage, byte for byte (no times off a terminal).
        var again = Run(args);
        Assert.Equal(output[output.IndexOf("concurrency:", StringComparison.Ordinal)..], again.Out[again.Out.IndexOf("concurrency:", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void The_stage_finds_the_v1_shutdown_race_and_its_trace_replays_to_it()
    {
        string dir = TestFiles.TempDir();
        var (code, output, err) = Run("check", "--design", "v1", "--runs", "1", "--skip-regressions", "--no-build", "--out", dir);
        Assert.True(code == ExitCodes.Failed, output + err);
        var rows = Rows(output, "v1");
        Assert.Contains(("shutdown", "pct", "Device lifetime violated"), rows);
        Assert.Contains("CONCURRENCY BUG under design v1, scenario shutdown, pct seed 20190619", output);
        Assert.Contains("a_dev_info is NULL (device shut down)", output);
        Assert.Matches(@"minimized: \d+ preemptions, .* -> 1 preemptions, ", output);
        Assert.Contains("concurrency exploration(s) found a bug", output);

        string min = Path.Combine(dir, "ShutdownV1-pct-seed20190619.min.trace");
        Assert.True(File.Exists(Path.Combine(dir, "ShutdownV1-pct-seed20190619.trace")), output);
        Assert.True(File.Exists(min), output);
        var (replayCode, replayed, replayErr) = Run("replay", min, "--no-build");
        Assert.True(replayCode == ExitCodes.Ok, replayErr + replayed);
        Assert.Contains("OK: reproduced in ShutdownV1", replayed);
        Assert.Contains("a_dev_info is NULL", replayed);
    }

    [Theory]
    [InlineData(new[] { "check", "--concurrency-iterations", "0" }, "--concurrency-iterations: '0' is not a whole number from 1 to 100,000")]
    [InlineData(new[] { "check", "--no-concurrency", "--concurrency-iterations", "5" }, "--concurrency-iterations: there is no concurrency stage to size with --no-concurrency")]
    [InlineData(new[] { "check", "--no-concurrency", "--no-build" }, "--no-build: only the concurrency stage builds (tests/Concurrency), and --no-concurrency skips it")]
    public void Stage_options_that_make_no_sense_are_one_line_usage_errors(string[] args, string expected)
    {
        var (code, output, err) = Run([.. args, "--skip-regressions"]);
        Assert.Equal(ExitCodes.Usage, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, err);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("check summary", output, StringComparison.Ordinal);
    }
}
