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
        // Every finding kept here under a design that has a fixed successor must name it, and that design must pass.
        if (Designs.Named(file.Design).FixedIn is { } fixedIn)
            Assert.True(file.FixedBy == fixedIn, $"{name}: a {file.Design} regression must name its fix (fixedBy: {fixedIn})");
        if (Replayer.ReplayFix(file) is { } fix)
            Assert.True(fix.Outcome == ReplayOutcome.Passed, fix.Message + "\n" + fix.Report.Narrate());
    }

    [Theory]
    [InlineData("v1-fill-takes-isolated-blocks.json", "Counters match contents")]
    [InlineData("v1-expand-made-raw-blocks-never-request-a-pass.json", "Progress")]
    [InlineData("v1-moved-block-loses-mark-never-reprocessed.json", "Progress")]
    [InlineData("v1-fill-ignores-low-watermark.json", "Low watermark kept")]
    [InlineData("reporting-5.7-poisoning-without-page-poison.json", "Content contract")]
    [InlineData("reporting-5.14-work-during-freeze.json", "Reporting lifetime")]
    [InlineData("reporting-5.14-unvalidated-order.json", "Reporting order in range")]
    [InlineData("reporting-5.14-driver-order-0-ignored.json", "Reporting order in range")]
    [InlineData("reporting-5.14-lost-ack-dense-layout.json", "Progress")]
    public void The_folder_holds_each_finding(string name, string invariant)
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, name));
        Assert.Equal(Designs.Named(file.Design).FixedIn, file.FixedBy);
        Assert.NotNull(file.FixedBy);
        Assert.StartsWith(file.Design + "-", name, StringComparison.Ordinal);
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
