using Specs.Files;
using Xunit;

namespace Cli.Tests;

/// <summary>Every file in regressions/ still fails as recorded under its design, and passes under its fix.</summary>
public sealed class RegressionTests
{
    public static TheoryData<string> RegressionFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in RegressionFolder.Files(TestFiles.Regressions))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(RegressionFiles))]
    public void Regression_still_fails_as_recorded_and_passes_under_its_fix(string name)
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, name));
        var replay = Replayer.Replay(file);
        Assert.True(replay.Reproduced, replay.Message + "\n" + replay.Report.Narrate());
        if (Replayer.ReplayFix(file) is { } fix)
            Assert.True(fix.Outcome == ReplayOutcome.Passed, fix.Message + "\n" + fix.Report.Narrate());
    }

    [Fact]
    public void The_folder_holds_the_two_v1_findings()
    {
        var invariants = RegressionFolder.Files(TestFiles.Regressions).Select(CounterexampleLoader.Load).Select(f => f.Expected.Invariant).ToList();
        Assert.Contains("Counters match contents", invariants);
        Assert.Contains("Progress", invariants);
    }

    [Fact]
    public void A_changed_log_is_reported_as_a_divergence_naming_the_step()
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"));
        var log = file.Log!.ToArray();
        log[2] = "(settle) worker step -> something else";
        var replay = Replayer.Replay(file with { Log = log });
        Assert.Equal(ReplayOutcome.Diverged, replay.Outcome);
        Assert.Equal(3, replay.DivergedAtStep);
        Assert.Contains("diverged from the file at step 3", replay.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_passes_under_its_design_is_reported()
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"));
        var replay = Replayer.Replay(file with { Design = Designs.V1Fixed, Log = null });
        Assert.Equal(ReplayOutcome.Passed, replay.Outcome);
    }
}
