using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace Concurrency.Harness.Schedules;

/// <summary>What one replay of a (possibly edited) trace did.</summary>
/// <param name="Bug">The bug it ran into, or null.</param>
/// <param name="Executed">The steps the run really took (the trace's own, then the continuation's).</param>
/// <param name="Divergence">Coyote's replay error when the run left the trace, else null.</param>
public sealed record ReplayOutcome(string? Bug, ScheduleTrace Executed, string? Divergence);

/// <summary>
/// Replays a trace in this process, through Coyote's TestingEngine, and reads back the steps the
/// run took. Coyote 1.7.11 follows a trace as a prefix: once its steps are used up the strategy
/// named in the trace's settings (with its seed) schedules the rest, so an edited or cut trace
/// still runs to the end. When the run leaves the trace (an operation the trace names is not
/// enabled, or it stopped at another kind of scheduling point) Coyote ends the run and keeps the
/// reason.
///
/// Coyote writes no trace in replay mode: the executed steps and the replay error are read from
/// its internals (CoyoteInternals).
/// </summary>
public static class TraceReplayer
{
    public static ReplayOutcome Replay(ScheduleTrace trace, Func<Task> test)
    {
        var c = Configuration.Create()
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithPotentialDeadlocksReportedAsBugs(true)
            .WithReproducibleTrace(trace.ToJson());
        using var engine = TestingEngine.Create(c, test);
        engine.Run();
        var executed = CoyoteInternals.ExecutedSteps(engine).Select(TraceStep.Parse).ToList();
        string? bug = engine.TestReport.NumOfFoundBugs > 0 ? engine.TestReport.BugReports.First() : null;
        return new ReplayOutcome(bug, trace.WithSteps(executed), CoyoteInternals.ReplayError(engine));
    }
}
