using Snapshooter;
using Snapshooter.Xunit;
using Counterexamples;
using Rendering;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// Snapshots (Snapshooter, __snapshots__/) of the text rendering and of the written file for
/// known scenarios. Set SNAPSHOOTER_STRICT_MODE=true in CI so that a missing snapshot fails.
/// </summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData("fill-takes-isolated")]
    [InlineData("expand-made-raw")]
    [InlineData("boundary-in-force")]
    public void Text_rendering(string name)
    {
        var file = TestFiles.KnownFile(name);
        var text = TextRenderer.Render(file, ScenarioStepper.Capture(file.Design, file.Scenario));
        Snapshot.Match(text, new SnapshotNameExtension(name));
    }

    [Theory]
    [InlineData("fill-takes-isolated")]
    [InlineData("expand-made-raw")]
    [InlineData("boundary-in-force")]
    public void Written_file(string name)
    {
        Snapshot.Match(CounterexampleWriter.ToJson(TestFiles.KnownFile(name)), new SnapshotNameExtension(name));
    }

    /// <summary>The merged design's state (atomic, worker, clock, work, report in flight) and PG_reported blocks.</summary>
    [Theory]
    [InlineData("reporting-5.7-poisoning-without-page-poison")]
    [InlineData("reporting-5.14-lost-ack-dense-layout")]
    public void Text_rendering_of_a_reporting_regression(string name)
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, name + ".json"));
        var text = TextRenderer.Render(file, ScenarioStepper.Capture(file.Design, file.Scenario));
        Assert.Contains("reporting: state ", text, StringComparison.Ordinal);
        Snapshot.Match(text, new SnapshotNameExtension(name));
    }

    [Fact]
    public void Text_rendering_of_a_long_run_is_bounded()
    {
        var file = ShowCommandTests.LongFile(40);
        var captured = ScenarioStepper.Capture(file.Design, file.Scenario, 6, file.Expected.Step);
        Snapshot.Match(TextRenderer.Render(file, captured.Steps, captured.LeftOut, "--all-steps draws them all"));
    }

    [Fact]
    public void The_boundary_is_drawn_while_the_zone_is_active()
    {
        var file = TestFiles.KnownFile("boundary-in-force");
        var steps = ScenarioStepper.Capture(file.Design, file.Scenario);
        Assert.Contains(steps, s => s.State.Aerator is { Active: true } && s.State.Lists.Any(l => l.Boundary is not null));
        Assert.Contains(" | ", TextRenderer.Render(file, steps), StringComparison.Ordinal);
    }

    [Fact]
    public void The_stepper_ends_with_the_failure_the_runner_reports()
    {
        foreach (var name in TestFiles.Known.Keys)
        {
            var file = TestFiles.KnownFile(name);
            var last = ScenarioStepper.Capture(file.Design, file.Scenario)[^1];
            Assert.Equal(file.Expected.Step, last.Step);
            Assert.Equal(file.Expected.Message, last.Violation?.ToString() ?? last.Error);
        }
    }
}
