using Specs;
using Harness;
using Counterexamples;
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
        // Every v1 finding kept here must name the design that fixes it, and that design must pass.
        if (file.Design == Designs.V1)
            Assert.False(file.FixedBy is null, $"{name}: a v1 regression must name its fix (fixedBy)");
        if (Replayer.ReplayFix(file) is { } fix)
            Assert.True(fix.Outcome == ReplayOutcome.Passed, fix.Message + "\n" + fix.Report.Narrate());
    }

    [Theory]
    [InlineData("v1-fill-takes-isolated-blocks.json", "Counters match contents")]
    [InlineData("v1-expand-made-raw-blocks-never-request-a-pass.json", "Progress")]
    [InlineData("v1-moved-block-loses-mark-never-reprocessed.json", "Progress")]
    [InlineData("v1-fill-ignores-low-watermark.json", "Low watermark kept")]
    public void The_folder_holds_each_v1_finding(string name, string invariant)
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, name));
        Assert.Equal(Designs.V1, file.Design);
        Assert.Equal(Designs.V1Fixed, file.FixedBy);
        Assert.Equal(invariant, file.Expected.Invariant);
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
