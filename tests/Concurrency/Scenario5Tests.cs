using Concurrency.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Concurrency;

/// <summary>Scenario 5: two zones share the global boundary array.</summary>
public class Scenario5Tests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v1")]
    [InlineData("v1-fixed")]
    public void Scenario5_TwoZonesShareTheBoundaryArray(string design)
    {
        foreach (var s in new[] { Strategy.Random, Strategy.Pct })
        {
            var r = CoyoteRunner.Run(s, 1, 100, () => new TwoZones(design == "v1" ? TwoZones.V1 : TwoZones.Fixed).Run());
            output.WriteLine($"scenario 5 {design} {s}: {r.Iterations} iterations, {r.Elapsed.TotalSeconds:F1} s");
            Assert.Empty(r.UncontrolledInvocations);
            if (r.BugFound)
                Traces.Save($"unexpected-scenario-5-{design}-{s}.trace", r.ReproducibleTrace!);
            Assert.False(r.BugFound, r.Bug);
        }
    }

    /// <summary>
    /// A populate that treats the global array as if it were per zone is caught: the second zone
    /// runs ACTIVE on the first zone's boundaries. The trace replays to the same failure.
    /// </summary>
    [Fact]
    public void Scenario5_StaleBoundaryFromTheOtherZoneIsFound_AndReplays()
    {
        static Task Test() => new TwoZones(TwoZones.PopulateKeepsOtherZonesBoundaries).Run();
        var r = CoyoteRunner.Run(Strategy.Random, 1, 300, Test);
        output.WriteLine($"found after {r.Iterations} iterations: {r.Bug}");
        Assert.True(r.BugFound, "a populate that keeps another zone's boundaries was not caught in 300 iterations");
        Assert.Matches("boundary|points into zone", r.Bug!);
        var path = Traces.Save("scenario5-stale-boundary.trace", r.ReproducibleTrace!);
        var replay = CoyoteRunner.Replay(File.ReadAllText(path), Test);
        Assert.True(replay.BugFound);
        Assert.Equal(r.Bug, replay.Bug);
    }

    [Fact]
    public void Scenario5_CheckedInTraceReplays()
    {
        var path = Path.Combine(Traces.Dir, "scenario5-stale-boundary.trace");
        Assert.True(File.Exists(path), $"{path} is missing");
        var replay = CoyoteRunner.Replay(File.ReadAllText(path), () => new TwoZones(TwoZones.PopulateKeepsOtherZonesBoundaries).Run());
        Assert.True(replay.BugFound, "the checked-in trace did not reproduce the failure");
        Assert.Contains("points into zone", replay.Bug);
    }
}
