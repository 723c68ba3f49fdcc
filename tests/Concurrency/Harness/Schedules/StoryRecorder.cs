using Kernel;
using Rendering;

namespace Concurrency.Harness.Schedules;

/// <summary>
/// The task a piece of harness code runs as, for the story ("worker", "shutdown", "free path 1",
/// "host"). An AsyncLocal: set at the top of a task's body, it follows the task across its awaits
/// (each await continues as a new Coyote operation). Setting it is not a scheduling point.
/// </summary>
public static class Lane
{
    private static readonly AsyncLocal<string?> s_lane = new();

    public static string Current => s_lane.Value ?? "main";

    public static void Enter(string name) => s_lane.Value = name;
}

/// <summary>
/// Writes down, while a trace is replayed, what each task did: the model's tracepoints
/// (Kernel.Tracepoint) and the harness's own (an operation applied, a check failed), each with
/// its task and the scheduling step it happened at; then merges in the preemptions of the
/// executed trace and returns the story. Recording adds no scheduling point (plain fields, no
/// locks, no Interlocked), so the replay schedules exactly as the run that wrote the trace.
///
/// The step and the running Coyote operation are read from Coyote's internals (CoyoteInternals).
/// </summary>
public sealed class StoryRecorder : ITraceListener
{
    private readonly List<(int Step, ulong Op, string Lane, StoryEventKind Kind, string Text)> _events = new();
    private bool _violated;

    /// <summary>
    /// The recorder of the replay this code runs in, if any (harness code reports its own events
    /// here). An AsyncLocal set at the start of the replayed test, so it flows into every task of
    /// that test and no other: tests that run at the same time in the same process (xunit runs
    /// collections in parallel) are not told in this story.
    /// </summary>
    public static StoryRecorder? Active => s_active.Value;

    private static readonly AsyncLocal<StoryRecorder?> s_active = new();

    public void Trace(TraceKind kind, string text)
    {
        // The tracepoint listener is global: keep only what this replay's tasks report.
        if (!ReferenceEquals(Active, this))
            return;
        Record(kind switch
        {
            TraceKind.Lock => StoryEventKind.Lock,
            TraceKind.Unlock => StoryEventKind.Unlock,
            _ => StoryEventKind.Event,
        }, text);
    }

    /// <summary>Whether a story is being recorded (test it before formatting a note).</summary>
    public static bool On => Active != null;

    /// <summary>A harness event of the running task (what, as its ToString, only when recording).</summary>
    public static void Note(object what) => Active?.Record(StoryEventKind.Event, what.ToString()!);

    public static void Lock(string text = "took zone->lock") => Active?.Record(StoryEventKind.Lock, text);

    public static void Unlock(string text = "released zone->lock") => Active?.Record(StoryEventKind.Unlock, text);

    /// <summary>
    /// The running operation belongs to the current lane: called by the harness's bookkeeping,
    /// which every task runs between its kernel steps, so that an operation that reports no event
    /// (a worker that finds nothing to do, a task that wakes and waits again) is still named when
    /// it preempts another.
    /// </summary>
    public static void Seen()
    {
        if (Active is { } r)
            r._laneOfOp.TryAdd(CoyoteInternals.Where().Op, Lane.Current);
    }

    private readonly Dictionary<ulong, string> _laneOfOp = new();

    /// <summary>The check that failed (only the first one is kept).</summary>
    public static void Violation(string message) => Active?.Record(StoryEventKind.Violation, message);

    private void Record(StoryEventKind kind, string text)
    {
        // The first violation closes the story; a task that fails after it (the run stopping) is not told.
        if (kind == StoryEventKind.Violation && _violated)
            return;
        _violated |= kind == StoryEventKind.Violation;
        var (step, op) = CoyoteInternals.Where();
        _events.Add((step, op, Lane.Current, kind, text));
    }

    /// <summary>Replay the trace with the recorder listening; the story of what ran.</summary>
    public static ScheduleStory Tell(string scenario, string traceName, ScheduleTrace trace, Func<Task> test)
    {
        var recorder = new StoryRecorder();
        ReplayOutcome outcome;
        using (Tracepoint.Listen(recorder))
            outcome = TraceReplayer.Replay(trace, () =>
            {
                s_active.Value = recorder;
                return test();
            });
        return recorder.Story(scenario, traceName, outcome);
    }

    private ScheduleStory Story(string scenario, string traceName, ReplayOutcome outcome)
    {
        var executed = outcome.Executed;
        var events = _events;
        var laneOf = new Dictionary<ulong, string>(_laneOfOp);
        foreach (var e in events)
            laneOf[e.Op] = e.Lane;
        var rows = new List<StoryEvent>();
        int k = 0;
        for (int j = 0; j < executed.Steps.Count; j++)
        {
            while (k < events.Count && events[k].Step <= j)
            {
                rows.Add(new StoryEvent(events[k].Step, events[k].Lane, events[k].Kind, events[k].Text));
                k++;
            }
            var s = executed.Steps[j];
            if (s.IsPreemption && laneOf.TryGetValue(s.Op, out var lane))
            {
                string to = laneOf.TryGetValue(s.Next, out var l2) ? l2 : "another task";
                if (to != lane)
                    rows.Add(new StoryEvent(j, lane, StoryEventKind.Preempted, $"preempted at a scheduling point ({s.Point}); {to} runs"));
            }
        }
        for (; k < events.Count; k++)
            rows.Add(new StoryEvent(events[k].Step, events[k].Lane, events[k].Kind, events[k].Text));
        if (outcome.Bug is { } bug && !rows.Any(r => r.Kind == StoryEventKind.Violation))
            rows.Add(new StoryEvent(executed.Steps.Count, rows.LastOrDefault()?.Lane ?? "main", StoryEventKind.Violation, bug));
        // The violation closes the story: nothing recorded after it (other tasks winding down) is told.
        int v = rows.FindIndex(r => r.Kind == StoryEventKind.Violation);
        if (v >= 0)
            rows = rows.Take(v + 1).ToList();
        var lanes = rows.Select(r => r.Lane).Distinct().OrderBy(LaneOrder).ThenBy(l => l, StringComparer.Ordinal).ToList();
        return new ScheduleStory(scenario, traceName, lanes, rows, executed.Preemptions, executed.SchedulingSteps,
            outcome.Bug is null ? null : ScheduleMinimizer.Signature(outcome.Bug), outcome.Bug);
    }

    private static int LaneOrder(string lane) => lane switch
    {
        "main" => 0,
        _ when lane.StartsWith("free", StringComparison.Ordinal) => 1,
        "startup" or "shutdown" or "unregister" or "freeze/restore" => 2,
        "worker" => 3,
        "host" => 4,
        _ => 5,
    };
}
