using Rendering;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// `show FILE.trace`, `minimize FILE.trace` and the trace options of `replay`, run in process
/// on the checked-in traces with --no-build: the solution build has built and rewritten
/// tests/Concurrency already (the CLI runs its Concurrency.dll to replay schedules).
/// </summary>
public sealed class TraceCommandsTests
{
    private static string Traces => Path.Combine(TestFiles.RepoRoot, "tests", "Concurrency", "traces");

    private static string ShutdownMin => Path.Combine(Traces, "scenario2-v1-shutdown-race.min.trace");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var @out = new StringWriter();
        var err = new StringWriter();
        int code = CliApp.Run(args, @out, err);
        return (code, @out.ToString(), err.ToString());
    }

    [Fact]
    public void Show_tells_the_minimized_shutdown_race_as_lanes()
    {
        var (code, output, err) = Run("show", ShutdownMin, "--no-build");
        Assert.True(code == ExitCodes.Ok, err + output);
        var lines = output.Split('\n');
        Assert.Equal("Schedule story: ShutdownV1", lines[0]);
        Assert.Equal("trace: scenario2-v1-shutdown-race.min.trace", lines[1]);
        Assert.StartsWith("1 preemption, ", lines[2]);
        Assert.Equal("invariant: Device lifetime (__aerator_notify)", lines[3]);
        string header = lines.Single(l => l.StartsWith("step |", StringComparison.Ordinal));
        foreach (var lane in new[] { "main", "free path 1", "shutdown", "worker", "host" })
            Assert.Contains(lane, header);
        Assert.Contains("static_key_false(&aerator_notify_", output);
        Assert.Contains(">> preempted", output);
        Assert.Contains("a_dev_info = NULL", output);
        Assert.Contains("!! after __free_pages", output);
        Assert.Contains("the violation: Device lifetime (__aerator_notify)", output);
    }

    [Fact]
    public void Show_html_writes_the_swimlane_picture()
    {
        string page = Path.Combine(TestFiles.TempDir(), "story.html");
        var (code, output, err) = Run("show", ShutdownMin, "--no-build", "--html", page);
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.Contains($"HTML written to {page}", output);
        string html = File.ReadAllText(page);
        Assert.Contains("<svg", html);
        Assert.Contains(StorySvgRenderer.ViolationColour, html);
        Assert.Contains(StorySvgRenderer.PreemptedColour, html);
        Assert.Contains("a_dev_info = NULL", html);
    }

    /// <summary>The page of a real trace, drawn by headless Chromium: the red violation, the lock-hold bars and the preemption are on the picture.</summary>
    [ChromiumFact]
    public void Show_html_of_the_shutdown_race_draws_in_chromium()
    {
        string page = Path.Combine(TestFiles.TempDir(), "race.html");
        var (code, output, err) = Run("show", ShutdownMin, "--no-build", "--html", page);
        Assert.True(code == ExitCodes.Ok, err + output);
        string png = HtmlScreenshotTests.Screenshot(File.ReadAllText(page), "race", 1400, 3000);
        var image = PngImage.Read(png);
        Assert.True(image.Count(StorySvgRenderer.ViolationColour) > 5000, "the violation's red box is missing");
        Assert.True(image.Count(StorySvgRenderer.LockHoldColour) > 8 * 200, "the lock-hold bars are missing");
        Assert.True(image.Count(StorySvgRenderer.PreemptedColour) > 400, "the preemption marker is missing");
    }

    [Fact]
    public void Minimize_writes_the_simplest_trace_beside_the_input_and_it_shows_the_same_bug()
    {
        string dir = TestFiles.TempDir();
        string raw = Path.Combine(dir, "scenario5-stale-boundary.trace");
        File.Copy(Path.Combine(Traces, "scenario5-stale-boundary.trace"), raw);
        var (code, output, err) = Run("minimize", raw, "--no-build");
        Assert.True(code == ExitCodes.Ok, err + output);
        string min = Path.Combine(dir, "scenario5-stale-boundary.min.trace");
        Assert.True(File.Exists(min), output);
        Assert.Matches(@"minimized: \d+ preemptions, .* -> 0 preemptions, ", output);
        Assert.Contains("No raw block below the boundary violated", output);
        // The minimized trace replays to the same bug (show exits 0 only when it ends in the violation).
        var (showCode, story, showErr) = Run("show", min, "--no-build");
        Assert.True(showCode == ExitCodes.Ok, showErr + story);
        Assert.Contains("invariant: No raw block below the boundary", story);
    }

    [Fact]
    public void A_trace_that_shows_no_bug_is_a_finding_not_misuse()
    {
        // The v1 race's schedule, replayed in the fixed design: a valid trace that does not fail there.
        var (code, output, _) = Run("minimize", ShutdownMin, "--no-build", "--method", "ShutdownFixed", "--out", Path.Combine(TestFiles.TempDir(), "x.trace"));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("MINIMIZE FAILED", output);
        Assert.Contains("the trace does not reproduce a bug", output);
        var (showCode, story, _) = Run("show", ShutdownMin, "--no-build", "--method", "ShutdownFixed");
        Assert.Equal(ExitCodes.Failed, showCode);
        Assert.Contains("REPLAY FAILED: the trace did not reproduce a bug in ShutdownFixed", story);
    }

    [Fact]
    public void Replay_of_a_minimized_trace_finds_its_scenario_from_the_name()
    {
        var (code, output, err) = Run("replay", ShutdownMin, "--no-build");
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.Contains("OK: reproduced in ShutdownV1", output);
        Assert.Contains("a_dev_info is NULL", output);
    }

    /// <summary>explore writes the raw trace of a bug and, by default, its minimized trace; --no-minimize only the raw one.</summary>
    [Fact]
    public void Explore_writes_the_raw_and_the_minimized_trace_of_a_bug()
    {
        string dir = TestFiles.TempDir();
        var (code, output, err) = Run("explore", "--scenario", "two-zones", "--design", "stale-boundary", "--strategy", "random", "--iterations", "300", "--seed", "1", "--no-build", "--out", dir);
        Assert.True(code == ExitCodes.Failed, err + output);
        Assert.True(File.Exists(Path.Combine(dir, "TwoZonesStaleBoundary-random-seed1.trace")), output);
        Assert.True(File.Exists(Path.Combine(dir, "TwoZonesStaleBoundary-random-seed1.min.trace")), output);
        Assert.Matches(@"minimized: \d+ preemptions, .* -> 0 preemptions, ", output);
        Assert.Contains("show ", output);

        string raw = TestFiles.TempDir();
        var (rawCode, rawOutput, rawErr) = Run("explore", "--scenario", "two-zones", "--design", "stale-boundary", "--strategy", "random", "--iterations", "300", "--seed", "1", "--no-build", "--no-minimize", "--out", raw);
        Assert.True(rawCode == ExitCodes.Failed, rawErr + rawOutput);
        Assert.Equal(["TwoZonesStaleBoundary-random-seed1.trace"], Directory.GetFiles(raw).Select(Path.GetFileName));
        Assert.DoesNotContain("minimized:", rawOutput);
    }

    [Theory]
    [InlineData(new[] { "show", "X.trace", "--max-steps", "5" }, "--max-steps and --all-steps apply to a counterexample file")]
    [InlineData(new[] { "minimize", "counterexample.json" }, "minimize takes a Coyote trace (.trace)")]
    [InlineData(new[] { "minimize", "no/such/ShutdownV1-pct-seed7.trace" }, "no such file: no/such/ShutdownV1-pct-seed7.trace")]
    [InlineData(new[] { "minimize", "SHUTDOWN", "--out", "no/such/folder/x.trace" }, "--out: no such folder:")]
    [InlineData(new[] { "minimize", "SHUTDOWN", "--out", "SHUTDOWN" }, "--out: the minimized trace would overwrite the trace it comes from")]
    [InlineData(new[] { "minimize", "SHUTDOWN", "--method", "Nope" }, "--method: unknown scenario method 'Nope'")]
    [InlineData(new[] { "show", "regressions-file.json", "--method", "ShutdownV1" }, "--method and --no-build apply to a .trace")]
    [InlineData(new[] { "explore", "--no-minimize", "--frobnicate" }, "unknown option '--frobnicate' for 'explore'")]
    public void Trace_command_misuse_is_refused_with_exit_code_2(string[] args, string expected)
    {
        args = args.Select(a => a == "SHUTDOWN" ? ShutdownMin : a).ToArray();
        var (code, _, err) = Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("System.", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
