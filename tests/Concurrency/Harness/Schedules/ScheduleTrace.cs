using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Concurrency.Harness.Schedules;

/// <summary>
/// One decision of a Coyote 1.7.11 reproducible trace. A scheduling step says that operation
/// <see cref="Op"/> reached a scheduling point of kind <see cref="Point"/> and that the scheduler
/// then ran <see cref="Next"/>; a choice step is a controlled random value drawn by <see cref="Op"/>.
/// Operations are named by Coyote's id (creation order) and sequence id (a hash of where they
/// were created); replay matches the id and the point kind only.
/// </summary>
public sealed record TraceStep(ulong Op, ulong OpSeq, string? Point, ulong Next, ulong NextSeq, string? Choice)
{
    public bool IsScheduling => Point != null;

    /// <summary>A switch that the running operation did not force: it was still enabled (it had not completed or blocked).</summary>
    public bool IsPreemption => IsScheduling && Next != Op && !ScheduleTrace.ForcedPoints.Contains(Point!);

    /// <summary>Any change of the running operation.</summary>
    public bool IsSwitch => IsScheduling && Next != Op;

    public override string ToString() => IsScheduling
        ? $"op({Op}:{OpSeq}),sp({Point}),next({Next}:{NextSeq})"
        : $"op({Op}:{OpSeq}),{Choice}";

    public static TraceStep Parse(string s)
    {
        // op(id:seq),sp(Kind),next(id:seq) | op(id:seq),int(v) | op(id:seq),bool(v)
        var parts = s.Split(',');
        if (parts.Length < 2 || !parts[0].StartsWith("op(", StringComparison.Ordinal))
            throw new FormatException($"not a Coyote trace step: '{s}'");
        var (op, opSeq) = Ids(parts[0], "op(");
        if (parts[1].StartsWith("sp(", StringComparison.Ordinal))
        {
            if (parts.Length != 3 || !parts[2].StartsWith("next(", StringComparison.Ordinal))
                throw new FormatException($"not a Coyote scheduling step: '{s}'");
            var (next, nextSeq) = Ids(parts[2], "next(");
            return new TraceStep(op, opSeq, parts[1][3..^1], next, nextSeq, null);
        }
        return new TraceStep(op, opSeq, null, 0, 0, parts[1]);
    }

    private static (ulong, ulong) Ids(string token, string prefix)
    {
        var inner = token[prefix.Length..^1].Split(':');
        return (ulong.Parse(inner[0], CultureInfo.InvariantCulture), ulong.Parse(inner[1], CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// A Coyote reproducible trace: the settings block the tool writes (kept as it is) and the steps.
/// Counts what a reader of a schedule cares about: preemptions, switches, scheduling steps and
/// the operations that ran.
/// </summary>
public sealed class ScheduleTrace
{
    /// <summary>
    /// Scheduling points at which the running operation cannot go on: it completed, or it paused
    /// (blocked on a lock another operation holds, or awaited something not yet done). A switch
    /// there is forced; a switch anywhere else (a free lock about to be taken, an atomic, a new
    /// task or continuation created) is a preemption. Coyote injects an Acquire point only when
    /// the lock is free (Monitor rewriting), so a switch at Acquire is a preemption.
    /// </summary>
    public static readonly IReadOnlySet<string> ForcedPoints = new HashSet<string>(StringComparer.Ordinal) { "Complete", "Pause" };

    private readonly JsonObject _header;

    public ScheduleTrace(JsonObject header, IReadOnlyList<TraceStep> steps)
    {
        _header = header;
        Steps = steps;
    }

    public IReadOnlyList<TraceStep> Steps { get; }

    public static ScheduleTrace Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("a trace is a JSON object");
        var steps = (root["Steps"] as JsonArray ?? throw new FormatException("a trace has Steps"))
            .Select(n => TraceStep.Parse(n!.GetValue<string>())).ToList();
        var header = (JsonObject)root.DeepClone();
        header.Remove("Steps");
        return new ScheduleTrace(header, steps);
    }

    public ScheduleTrace WithSteps(IReadOnlyList<TraceStep> steps) => new((JsonObject)_header.DeepClone(), steps);

    /// <summary>The same trace whose continuation (what runs after its last step) uses this strategy and seed.</summary>
    public ScheduleTrace WithContinuation(string strategy, int bound, uint seed)
    {
        var h = (JsonObject)_header.DeepClone();
        if (h["Settings"] is JsonObject s)
        {
            s["Strategy"] = strategy;
            s["StrategyBound"] = bound;
            s["Seed"] = seed;
        }
        return new ScheduleTrace(h, Steps);
    }

    public string ToJson()
    {
        var root = (JsonObject)_header.DeepClone();
        var arr = new JsonArray();
        foreach (var s in Steps)
            arr.Add(s.ToString());
        root["Steps"] = arr;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public int Preemptions => Steps.Count(s => s.IsPreemption);

    public int Switches => Steps.Count(s => s.IsSwitch);

    public int SchedulingSteps => Steps.Count(s => s.IsScheduling);

    /// <summary>Operations that ran (Coyote creates one per task and one per continuation of an await).</summary>
    public int Operations => Steps.Where(s => s.IsScheduling).SelectMany(s => new[] { s.Op, s.Next }).Distinct().Count();

    /// <summary>
    /// The sum of the controlled integer choices. The scenarios draw their sizes this way (for
    /// example how many free/alloc operations run before shutdown begins), so a smaller sum is a
    /// smaller scenario.
    /// </summary>
    public long ChoiceSum => Steps.Where(s => s.Choice is { } c && c.StartsWith("int(", StringComparison.Ordinal))
        .Sum(s => long.Parse(s.Choice![4..^1], CultureInfo.InvariantCulture));

    /// <summary>The minimizer's order: fewest preemptions, then fewest scheduling steps, then fewest operations, then the smallest scenario choices.</summary>
    public (int, int, int, long) Cost => (Preemptions, SchedulingSteps, Operations, ChoiceSum);

    public override string ToString() => $"{Preemptions} preemptions, {Switches} switches, {SchedulingSteps} scheduling steps, {Operations} operations";
}
