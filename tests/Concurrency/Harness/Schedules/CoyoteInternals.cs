using System.Reflection;
using Microsoft.Coyote.SystematicTesting;

namespace Concurrency.Harness.Schedules;

/// <summary>
/// The few internal members of Coyote 1.7.11 that the schedule tools read, found once by
/// reflection: the steps a run took (OperationScheduler.Trace, which Coyote does not write out in
/// replay mode), the replay error (GetLastError), the runtime of the run under way and its
/// running operation. Pinned to 1.7.11 (Directory.Packages.props); a member that a Coyote update
/// renamed fails with a message naming it.
/// </summary>
internal static class CoyoteInternals
{
    private const BindingFlags Any = BindingFlags.Instance | BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public;
    private static readonly Assembly Core = typeof(Microsoft.Coyote.Runtime.SchedulingPoint).Assembly;
    private static readonly Type RuntimeType = Need(Core.GetType("Microsoft.Coyote.Runtime.CoyoteRuntime"), "CoyoteRuntime");
    private static readonly Type SchedulerType = Need(Core.GetType("Microsoft.Coyote.Runtime.OperationScheduler"), "OperationScheduler");
    private static readonly Type TraceType = Need(Core.GetType("Microsoft.Coyote.Runtime.ExecutionTrace"), "ExecutionTrace");
    private static readonly PropertyInfo EngineScheduler = Need(typeof(TestingEngine).GetProperty("Scheduler", Any), "TestingEngine.Scheduler");
    private static readonly PropertyInfo CurrentRuntime = Need(RuntimeType.GetProperty("Current", Any), "CoyoteRuntime.Current");
    private static readonly FieldInfo RuntimeScheduler = Need(RuntimeType.GetField("Scheduler", Any), "CoyoteRuntime.Scheduler");
    private static readonly FieldInfo SchedulerTrace = Need(SchedulerType.GetField("Trace", Any), "OperationScheduler.Trace");
    private static readonly MethodInfo LastError = Need(SchedulerType.GetMethod("GetLastError", Any, Type.EmptyTypes), "OperationScheduler.GetLastError");
    private static readonly PropertyInfo TraceLength = Need(TraceType.GetProperty("Length", Any), "ExecutionTrace.Length");
    private static readonly MethodInfo ExecutingOperation = Need(RuntimeType.GetMethods(Any)
        .FirstOrDefault(m => m.Name == "GetExecutingOperation" && !m.IsGenericMethod && m.GetParameters().Length == 0), "CoyoteRuntime.GetExecutingOperation");
    private static readonly PropertyInfo OperationId = Need(ExecutingOperation.ReturnType.GetProperty("Id", Any), "ControlledOperation.Id");

    /// <summary>The steps the engine's last run took, as the trace file writes them.</summary>
    public static IEnumerable<string> ExecutedSteps(TestingEngine engine) =>
        ((System.Collections.IEnumerable)SchedulerTrace.GetValue(EngineScheduler.GetValue(engine))!).Cast<object>().Select(s => s.ToString()!);

    /// <summary>The engine's replay error, or null.</summary>
    public static string? ReplayError(TestingEngine engine) =>
        LastError.Invoke(EngineScheduler.GetValue(engine), null) is string { Length: > 0 } e ? e : null;

    /// <summary>In a run under way: the number of steps taken so far and the running operation's id; (-1, 0) outside a run.</summary>
    public static (int Step, ulong Op) Where()
    {
        var rt = CurrentRuntime.GetValue(null);
        if (rt is null)
            return (-1, 0);
        var trace = SchedulerTrace.GetValue(RuntimeScheduler.GetValue(rt));
        int step = trace is null ? -1 : (int)TraceLength.GetValue(trace)!;
        var op = ExecutingOperation.Invoke(rt, null);
        return (step, op is null ? 0 : (ulong)OperationId.GetValue(op)!);
    }

    private static T Need<T>(T? member, string name) where T : class =>
        member ?? throw new MissingMemberException($"Coyote {typeof(TestingEngine).Assembly.GetName().Version}: {name} not found (the schedule tools are written for 1.7.11)");
}
