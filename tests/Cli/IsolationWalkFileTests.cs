using BuddyModel;
using Counterexamples;
using Harness;
using Harness.Operations;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// The isolation walk's operations in counterexample files: written with their JSON names,
/// loaded back to the same operations, replayed to the same failure, refused with a field-named
/// error when malformed, and listed by `show`.
/// </summary>
public sealed class IsolationWalkFileTests
{
    /// <summary>The 5.2 undo that counts a piece of a split block twice (IsolationWalkFindingTests), as the buddy design runs it.</summary>
    private static Scenario UndoCountsTwice => new(
        new ZoneConfig { Name = "Tiny", NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 2 },
        [
            new StartIsolatePageRange(0, 1), new IsolationStep(), new IsolationStep(), new IsolationStep(),
            new UndoIsolatePageRange(0), new IsolationStep(), new AllocPages(0, MigrateType.Movable), new IsolationStep(),
        ]);

    private static CounterexampleFile File()
    {
        var report = Designs.Run(Designs.Buddy, UndoCountsTwice);
        Assert.False(report.Passed);
        return CounterexampleFile.FromRun(Designs.Buddy, UndoCountsTwice, report, seed: 20190619, title: "5.2 undo counts a piece twice");
    }

    [Fact]
    public void Walk_operations_round_trip_through_a_file_and_replay_to_the_same_failure()
    {
        var file = File();
        Assert.Equal("Counters match contents", file.Expected.Invariant);
        string json = CounterexampleWriter.ToJson(file);
        Assert.Contains("\"op\": \"start_isolate_page_range\"", json, StringComparison.Ordinal);
        Assert.Contains("\"op\": \"undo_isolate_page_range\"", json, StringComparison.Ordinal);
        Assert.Contains("\"op\": \"isolation_step\"", json, StringComparison.Ordinal);

        var loaded = CounterexampleLoader.Parse(json);
        Assert.Equal(UndoCountsTwice.Operations, loaded.Scenario.Operations);
        Assert.Equal(json, CounterexampleWriter.ToJson(loaded));
        var replay = Replayer.Replay(loaded);
        Assert.True(replay.Reproduced, replay.Message);
    }

    [Theory]
    [InlineData("\"pageblocks\": 1", "\"pageblocks\": \"one\"", "operations[0].pageblocks")]
    [InlineData("\"pageblocks\": 1", "\"blocks\": 1", "operations[0].blocks")]
    [InlineData("\"range\": 0", "\"range\": 1.5", "operations[4].range")]
    public void A_malformed_walk_operation_is_refused_naming_its_field(string from, string to, string field)
    {
        string json = CounterexampleWriter.ToJson(File());
        Assert.Contains(from, json, StringComparison.Ordinal);
        var e = Assert.Throws<CounterexampleFormatException>(() => CounterexampleLoader.Parse(ReplaceFirst(json, from, to)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Show_lists_the_walk_operations_and_what_each_hold_did()
    {
        string dir = Path.Combine(Path.GetTempPath(), "iso-walk-show-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "undo.json");
        CounterexampleWriter.Write(File(), path);
        var (code, stdout, _) = TestFiles.RunCli("show", path);
        Directory.Delete(dir, recursive: true);
        Assert.Equal(0, code);
        Assert.Contains("start_isolate_page_range(pageblock #0, 1 pageblock(s)) -> start_isolate_page_range(pfn 0..7) begins", stdout, StringComparison.Ordinal);
        Assert.Contains("isolation walk step -> unset_migratetype_isolate(pfn 4, Movable)", stdout, StringComparison.Ordinal);
        Assert.Contains("undo_isolate_page_range(isolated range #0)", stdout, StringComparison.Ordinal);
    }

    private static string ReplaceFirst(string s, string from, string to)
    {
        int i = s.IndexOf(from, StringComparison.Ordinal);
        return s[..i] + to + s[(i + from.Length)..];
    }
}
