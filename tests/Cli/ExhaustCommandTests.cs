using Counterexamples;
using Xunit;

namespace Cli.Tests;

/// <summary>`exhaust` as a user runs it: the default exploration finishes and says so; a design with a finding gets its shortest counterexample written, and the file replays; misuse is one line and exit 2.</summary>
public sealed class ExhaustCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => TestFiles.RunCli(args);

    [Fact]
    public void The_default_exploration_is_exhausted_and_every_state_keeps_every_invariant()
    {
        var (code, output, err) = Run("exhaust");
        Assert.True(code == ExitCodes.Ok, output + err);
        Assert.Contains("distinct states: 1,829", output, StringComparison.Ordinal);
        Assert.Contains("exhausted:       yes", output, StringComparison.Ordinal);
        Assert.EndsWith("OK: every reachable state keeps every invariant (1,829 states)\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_6_0_window_is_found_with_the_shortest_counterexample_and_the_file_replays()
    {
        string dir = TestFiles.TempDir();
        var (code, output, _) = Run("exhaust", "--design", "buddy-6.0", "--isolation-walk", "--zone-pages", "16", "--out", dir);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("Block shape violated", output, StringComparison.Ordinal);
        Assert.Contains("shortest counterexample (2 operation(s), breadth-first)", output, StringComparison.Ordinal);
        string file = Assert.Single(Directory.GetFiles(dir, "*.json"));
        Assert.Equal("buddy-6.0-exhaust-block-shape.json", Path.GetFileName(file));
        var replay = Replayer.Replay(CounterexampleLoader.Load(file));
        Assert.True(replay.Reproduced, replay.Message);
    }

    /// <summary>v1-fixed up to depth 6 with the default aerator (HWM 2, capacity 1): the first levels of the space the property tests explore to exhaustion.</summary>
    [Fact]
    public void V1_fixed_is_explored_with_the_aeration_moves()
    {
        var (code, output, err) = Run("exhaust", "--design", "v1-fixed", "--depth", "6");
        Assert.True(code == ExitCodes.Ok, output + err);
        Assert.Contains("HWM 2, capacity 1", output, StringComparison.Ordinal);
        Assert.Contains("worker step, host step; every new state settled (Progress)", output, StringComparison.Ordinal);
        Assert.Contains("states per level: 1, 4, 14, 38, 88, 176, 343", output, StringComparison.Ordinal);
        Assert.EndsWith("OK: every state up to depth 6 keeps every invariant (664 states; the depth bound (6) was reached with 343 states on the last level)\n", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The merged design is explored too (every design is now: the refusal case this file had
    /// for it is gone, no design is left that exhaust refuses): mainline on 64 frames, MAX_ORDER
    /// 6, the driver asking for order 0, one live block, to depth 8.
    /// </summary>
    [Fact]
    public void Mainline_reporting_is_explored_with_the_reporting_moves()
    {
        var (code, output, err) = Run("exhaust", "--design", "reporting", "--zone-pages", "64", "--max-order", "6", "--pageblock-order", "3",
            "--driver-order", "0", "--max-live", "1", "--no-freeze", "--no-order-parameter", "--depth", "8");
        Assert.True(code == ExitCodes.Ok, output + err);
        Assert.Contains("register, unregister and its steps, worker step, host step, time (500 jiffies); every new state settled (Progress, No lost request); at most 1 live block(s)", output, StringComparison.Ordinal);
        Assert.Contains("states per level: 1, 7, 8, 14, 22, 43, 78, 147, 183", output, StringComparison.Ordinal);
        Assert.Contains("OK: every state up to depth 8 keeps every invariant (503 states;", output, StringComparison.Ordinal);
    }

    /// <summary>5.14's unvalidated page_reporting_order on the default zone: the shortest counterexample, written and replayed.</summary>
    [Fact]
    public void Reporting_5_14_unvalidated_order_is_found_and_the_file_replays()
    {
        string dir = TestFiles.TempDir();
        var (code, output, _) = Run("exhaust", "--design", "reporting-5.14", "--no-freeze", "--max-live", "1", "--out", dir);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("Reporting order in range violated", output, StringComparison.Ordinal);
        Assert.Contains("shortest counterexample (2 operation(s), breadth-first)", output, StringComparison.Ordinal);
        string file = Assert.Single(Directory.GetFiles(dir, "*.json"));
        var replay = Replayer.Replay(CounterexampleLoader.Load(file));
        Assert.True(replay.Reproduced, replay.Message);
    }

    /// <summary>The v1-fixed finding with HWM 1 (Progress once the watermark ended a pass), written and replayed.</summary>
    [Fact]
    public void V1_fixed_with_HWM_1_fails_Progress_and_the_file_replays()
    {
        string dir = TestFiles.TempDir();
        var (code, output, _) = Run("exhaust", "--design", "v1-fixed", "--hwm", "1", "--out", dir);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("Progress violated", output, StringComparison.Ordinal);
        Assert.Contains("shortest counterexample (7 operation(s), breadth-first)", output, StringComparison.Ordinal);
        string file = Assert.Single(Directory.GetFiles(dir, "*.json"));
        var replay = Replayer.Replay(CounterexampleLoader.Load(file));
        Assert.True(replay.Reproduced, replay.Message);
    }

    /// <summary>A guest of two zones is explored to exhaustion (both zones' frames, their own lists), and the header says so.</summary>
    [Fact]
    public void Two_zones_are_explored_to_exhaustion()
    {
        var (code, output, err) = Run("exhaust", "--zones", "2", "--zone-pages", "4");
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.Contains("2 zones (DMA32, Normal) of 4 pages each", output, StringComparison.Ordinal);
        Assert.Contains("distinct states: 900", output, StringComparison.Ordinal);
        Assert.Contains("OK: every reachable state keeps every invariant (900 states)", output, StringComparison.Ordinal);
    }

    /// <summary>v1 as posted with a poisoning guest: the low watermark finding is found first, in 2 operations, and replays with poisoning on.</summary>
    [Fact]
    public void V1_with_page_poisoning_is_explored_and_its_counterexample_replays_with_poisoning()
    {
        string dir = TestFiles.TempDir();
        var (code, output, _) = Run("exhaust", "--design", "v1", "--poisoning", "--out", dir);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("page poisoning on (PAGE_POISON negotiated)", output, StringComparison.Ordinal);
        Assert.Contains("shortest counterexample (2 operation(s), breadth-first)", output, StringComparison.Ordinal);
        var file = CounterexampleLoader.Load(Assert.Single(Directory.GetFiles(dir, "*.json")));
        Assert.True(file.Scenario.Aeration!.PagePoisoning);
        Assert.True(Replayer.Replay(file).Reproduced);
    }

    [Theory]
    [InlineData(new[] { "exhaust", "--poisoning" }, "--poisoning: applies to the v1 designs (v1, v1-fixed) and the merged design's versions only, not buddy")]
    [InlineData(new[] { "exhaust", "--zones", "4" }, "--zones:")]
    [InlineData(new[] { "exhaust", "--no-freeze" }, "--no-freeze: applies to the merged design's versions only, not buddy")]
    [InlineData(new[] { "exhaust", "--design", "reporting", "--hwm", "2" }, "--hwm: applies to the v1 designs (v1, v1-fixed) only, not reporting")]
    [InlineData(new[] { "exhaust", "--hwm", "2" }, "--hwm: applies to the v1 designs (v1, v1-fixed) only, not buddy")]
    [InlineData(new[] { "exhaust", "--design", "v1", "--capacity", "33" }, "--capacity:")]
    [InlineData(new[] { "exhaust", "--design", "v3" }, "--design: unknown design 'v3'")]
    [InlineData(new[] { "exhaust", "--depth", "0" }, "--depth: '0' is not a whole number from 1 to 1,000")]
    [InlineData(new[] { "exhaust", "--zone-pages", "6" }, "--zone-pages:")]
    [InlineData(new[] { "exhaust", "--pageblock-order", "3" }, "--pageblock-order:")]
    public void Misuse_is_one_line_and_exit_2(string[] args, string message) => TestFiles.AssertMisuse(args, message);
}
