using System.Reflection;
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
/// Coyote writes no trace in replay mode and keeps the executed steps and the replay error in
/// internal members (TestingEngine.Scheduler, OperationScheduler.Trace and GetLastError): they
/// are read by reflection, pinned to Coyote 1.7.11 (Directory.Packages.props). If a Coyote update
/// renames them, <see cref="Replay"/> fails with a message naming the member.
/// </summary>
public static class TraceReplayer
{
    private const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    public static ReplayOutcome Replay(ScheduleTrace trace, Func<Task> test)
    {
        var c = Configuration.Create()
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithPotentialDeadlocksReportedAsBugs(true)
            .WithReproducibleTrace(trace.ToJson());
        using var engine = TestingEngine.Create(c, test);
        engine.Run();
        var scheduler = Member(engine, "Scheduler");
        var executed = ((System.Collections.IEnumerable)Member(scheduler, "Trace")).Cast<object>()
            .Select(s => TraceStep.Parse(s.ToString()!)).ToList();
        var error = scheduler.GetType().GetMethod("GetLastError", Internal)?.Invoke(scheduler, null) as string;
        string? bug = engine.TestReport.NumOfFoundBugs > 0 ? engine.TestReport.BugReports.First() : null;
        return new ReplayOutcome(bug, trace.WithSteps(executed), string.IsNullOrEmpty(error) ? null : error);
    }

    private static object Member(object o, string name)
    {
        var t = o.GetType();
        object? v = t.GetProperty(name, Internal)?.GetValue(o) ?? t.GetField(name, Internal)?.GetValue(o);
        return v ?? throw new MissingMemberException($"Coyote {typeof(TestingEngine).Assembly.GetName().Version}: {t.Name}.{name} not found (the trace replayer is written for 1.7.11)");
    }
}
