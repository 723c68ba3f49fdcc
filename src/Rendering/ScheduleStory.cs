using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rendering;

/// <summary>What a row of a schedule story is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StoryEventKind>))]
public enum StoryEventKind
{
    /// <summary>Something the code did, in kernel terms (static_key_false() answered, refcnt 1 -> 0, a_dev_info = NULL, a report submitted).</summary>
    Event,
    /// <summary>The task took zone->lock (a lock hold begins).</summary>
    Lock,
    /// <summary>The task released zone->lock (the hold ends).</summary>
    Unlock,
    /// <summary>The task was switched out while it could have gone on (a preemption of the schedule).</summary>
    Preempted,
    /// <summary>The check that failed: the invariant and its message. The last row.</summary>
    Violation,
}

/// <summary>One row: a task (lane) did something at a scheduling step.</summary>
/// <param name="Step">The index of the trace step that was current when it happened (Coyote's scheduling step count).</param>
/// <param name="Lane">The task, one of <see cref="ScheduleStory.Lanes"/>.</param>
public sealed record StoryEvent(int Step, string Lane, StoryEventKind Kind, string Text);

/// <summary>
/// A concurrency counterexample told as a story: the tasks of a scenario as lanes (worker,
/// shutdown, each free path, host) and, in the order they happened, what each did, with the
/// preemptions of the schedule marked and the violation closing it. Written by the concurrency
/// harness when it replays a trace (tests/Concurrency, `story`), read by `show FILE.trace`.
/// </summary>
public sealed record ScheduleStory(
    string Scenario,
    string Trace,
    IReadOnlyList<string> Lanes,
    IReadOnlyList<StoryEvent> Events,
    int Preemptions,
    int SchedulingSteps,
    string? Invariant,
    string? Bug)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static ScheduleStory FromJson(string json) =>
        JsonSerializer.Deserialize<ScheduleStory>(json, Options) ?? throw new JsonException("empty story");
}
