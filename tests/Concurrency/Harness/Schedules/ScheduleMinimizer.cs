using System.Text.RegularExpressions;

namespace Concurrency.Harness.Schedules;

/// <summary>The trace given to the minimizer shows no bug.</summary>
public sealed class NotReproducedException(string message) : Exception(message);

/// <summary>The simplest schedule found, and what the search cost.</summary>
public sealed record MinimizeResult(ScheduleTrace Original, ScheduleTrace Minimized, string Bug, int Candidates, int Replays, TimeSpan Elapsed);

/// <summary>
/// From a trace that shows a bug, finds a simpler one that shows the same bug: fewest
/// preemptions first, then fewest scheduling steps, then fewest operations (ScheduleTrace.Cost).
/// Every candidate is checked by replaying it; only a replay that runs into the same bug (the
/// same invariant, <see cref="Signature"/>) is kept, and what is kept is the schedule the replay
/// really took, so the result replays in this harness and in `coyote replay` alike.
///
/// The trace is read as segments: a segment is what one operation runs between two scheduling
/// points. A preemption ends a segment of operation a while a could have gone on. The moves, in
/// the spirit of Jalbert and Sen's trace simplification (move an operation's events together):
///   1. let a go on: its next segment is moved up to right after the preempted one, everything
///      else keeps its order;
///   2. let a go on, and let Coyote schedule the rest (the trace cut after that step; the
///      continuation is PCT with few priority changes, a few seeds).
/// A moved segment may stop at another kind of scheduling point than before (the data it sees
/// changed); the replay names the kind it met, the candidate takes it and is replayed again.
/// Passes repeat until one finds nothing better. The search is greedy: the result is a local
/// minimum, and the tests state the number of preemptions each bug needs, from the code.
/// </summary>
public sealed class ScheduleMinimizer(Func<Task> test)
{
    private const int Repairs = 40;
    /// <summary>
    /// How the rest of a cut trace is scheduled. Coyote's "probabilistic" strategy keeps the
    /// running operation while it is enabled and changes it only with probability 2^-bound: with
    /// a bound of 30 it never preempts, and picks at random (by the seed) where the running
    /// operation completes or blocks. PCT without priority changes is the second opinion.
    /// </summary>
    private static readonly (string Strategy, int Bound, uint Seed)[] Continuations =
        [("probabilistic", 30, 0), ("probabilistic", 30, 1), ("probabilistic", 30, 2), ("prioritization", 0, 3)];

    /// <summary>Seeds of the non-preemptive continuation tried after each cut in the first phase.</summary>
    private const int CutSeeds = 8;

    private int _replays;
    private string? _lastDivergence;

    /// <summary>When set, every candidate's outcome is written here.</summary>
    public TextWriter? Verbose { get; set; }

    /// <summary>The invariant a bug text names ("X violated", with the function a "found f: ..." names), or its kind (deadlock, liveness), so that a simpler schedule may reach the same violation with other numbers in it.</summary>
    public static string Signature(string bug)
    {
        var m = Regex.Match(bug, @"([A-Z][a-z]+(?: [a-z_]+)*) violated");
        if (m.Success)
        {
            // The same invariant broken at the same place: "found aerator_cycle: NULL ..." and
            // "found __aerator_notify: NULL ..." are two bugs of Device lifetime.
            var at = Regex.Match(bug[m.Index..], @"found (?:the )?([A-Za-z_][\w>-]*)(?:\(\))?:");
            return at.Success ? $"{m.Groups[1].Value} ({at.Groups[1].Value})" : m.Groups[1].Value;
        }
        // "Lost request: expected ...", the form of the harness's own end-of-run checks.
        var named = Regex.Match(bug, @"(?:^|: )([A-Z][a-z]+(?: [a-z_]+)*): expected");
        if (named.Success)
            return named.Groups[1].Value;
        // "KernelOops in page_reporting_process: ...": the oops and the function it is in.
        var oops = Regex.Match(bug, @"\b(KernelOops|Oops) in ([A-Za-z_]\w*)");
        if (oops.Success)
            return $"{oops.Groups[1].Value} ({oops.Groups[2].Value})";
        if (bug.Contains("Deadlock", StringComparison.Ordinal))
            return "deadlock";
        if (bug.Contains("liveness", StringComparison.OrdinalIgnoreCase))
            return "liveness";
        return Regex.Replace(bug, @"\d+", "#");
    }

    public MinimizeResult Minimize(ScheduleTrace original, TextWriter? log = null, int maxPasses = 50)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        _replays = 0;
        int candidates = 0;
        var first = Replay(original);
        if (first.Bug is null)
            throw new NotReproducedException($"the trace does not reproduce a bug{(first.Divergence is { } d ? ": " + FirstLine(d) : "")}");
        string bug = first.Bug, sig = Signature(bug);
        var best = first.Executed;
        log?.WriteLine($"start: {best} ({sig})");
        if (best.Preemptions > 1 && FewPreemptions(best, sig, ref candidates) is { } few)
        {
            best = few.Executed;
            bug = few.Bug!;
            log?.WriteLine($"few-preemption search: {best}");
        }
        for (int pass = 0; pass < maxPasses; pass++)
        {
            bool improved = false;
            // Phase 1: keep the trace up to a preemption (or none of it) and schedule the rest
            // without preemptions: the first cut that still shows the bug bounds the preemptions
            // the bug needs by the ones before it.
            var preemptions = Enumerable.Range(0, best.Steps.Count).Where(j => best.Steps[j].IsPreemption).Prepend(-1).ToList();
            foreach (int j in preemptions)
            {
                if (preemptions.IndexOf(j) >= best.Preemptions)
                    break; // cutting later cannot have fewer preemptions
                ReplayOutcome? found = null;
                for (uint seed = 0; seed < CutSeeds && found is null; seed++)
                {
                    candidates++;
                    var r = Replay(best.WithSteps(best.Steps.Take(j + 1).ToList()).WithContinuation("probabilistic", 30, seed));
                    if (r.Bug is { } b && Signature(b) == sig && r.Executed.Cost.CompareTo(best.Cost) < 0)
                        found = r;
                }
                if (found != null)
                {
                    best = found.Executed;
                    bug = found.Bug!;
                    improved = true;
                    log?.WriteLine($"pass {pass + 1}, cut after preemption {preemptions.IndexOf(j)}: {best}");
                    break;
                }
            }
            // Phase 2: take away single preemptions.
            // Preemptions are tried from the last to the first: a late one is more often noise.
            for (int j = best.Steps.Count - 1; j >= 0; j--)
            {
                if (j >= best.Steps.Count)
                    continue;
                var moves = best.Steps[j].IsPreemption ? Moves(best, j)
                    : best.Steps[j].Choice is { } c && c.StartsWith("int(", StringComparison.Ordinal) ? SmallerChoices(best, j)
                    : [];
                foreach (var candidate in moves)
                {
                    candidates++;
                    var r = Try(candidate);
                    if (Verbose != null)
                        Verbose.WriteLine($"  step {j}: {(r is null ? "left the trace: " + _lastDivergence : r.Bug is null ? "no bug" : Signature(r.Bug) != sig ? "other bug: " + r.Bug : r.Executed.ToString())}");
                    if (r?.Bug is { } b && Signature(b) == sig && r.Executed.Cost.CompareTo(best.Cost) < 0)
                    {
                        best = r.Executed;
                        bug = b;
                        improved = true;
                        log?.WriteLine($"pass {pass + 1}: {best}");
                        break;
                    }
                }
            }
            if (!improved)
                break;
        }
        sw.Stop();
        log?.WriteLine($"done: {best} after {candidates} candidates, {_replays} replays, {sw.Elapsed.TotalSeconds:F1} s");
        return new MinimizeResult(first.Executed, best, bug, candidates, _replays, sw.Elapsed);
    }

    /// <summary>
    /// Phase 0: look for the same bug among schedules with few preemptions, the way iterative
    /// context bounding (Musuvathi and Qadeer's CHESS) looks at one preemption before two.
    /// Coyote's probabilistic strategy with bound b keeps the running operation at each
    /// scheduling point and switches only with probability 2^-b, so a run of a hundred points
    /// with b = 7 has about one preemption (PCT does not serve here: it switches whenever an
    /// operation of higher priority becomes enabled, and every await creates one). A few short
    /// explorations, from the fewest expected preemptions up: the trace of a bug they find with
    /// the same signature and fewer preemptions replaces the trace to minimize (checked by
    /// replay, like every candidate). Trace editing alone gets stuck when a preemption cannot be
    /// taken away without renumbering the operations created after it: Coyote names an operation
    /// by its creation order, and every await continues as a new operation.
    /// </summary>
    private ReplayOutcome? FewPreemptions(ScheduleTrace best, string sig, ref int candidates)
    {
        ReplayOutcome? found = null;
        foreach (int bound in SearchBounds)
        {
            for (uint seed = 0; seed < SearchSeeds; seed++)
            {
                var c = CoyoteRunner.Configure(Strategy.Probabilistic, seed, SearchIterations, probabilisticBound: (uint)bound);
                using var engine = Microsoft.Coyote.SystematicTesting.TestingEngine.Create(c, test);
                engine.Run();
                candidates++;
                if (engine.TestReport.NumOfFoundBugs == 0 || Signature(engine.TestReport.BugReports.First()) != sig)
                {
                    Verbose?.WriteLine($"  probabilistic bound {bound}, seed {seed}: {(engine.TestReport.NumOfFoundBugs == 0 ? "no bug" : "other bug: " + engine.TestReport.BugReports.First())}");
                    continue;
                }
                var r = Replay(ScheduleTrace.Parse(engine.ReproducibleTrace));
                Verbose?.WriteLine($"  probabilistic bound {bound}, seed {seed}: {r.Executed}");
                if (r.Bug is { } b && Signature(b) == sig && r.Executed.Cost.CompareTo((found ?? new ReplayOutcome(null, best, null)).Executed.Cost) < 0)
                    found = r;
                // One preemption is as few as this search tells apart; the trace edits look for none.
                if (found is { Executed.Preemptions: <= 1 })
                    return found;
            }
        }
        return found;
    }

    /// <summary>Bounds of the probabilistic strategy the few-preemption search tries (switch probability 2^-bound), in the order that found bugs soonest when measured.</summary>
    private static readonly int[] SearchBounds = [7, 6, 5, 4];

    private const int SearchSeeds = 2;

    private const uint SearchIterations = 100;

    private ReplayOutcome Replay(ScheduleTrace t)
    {
        _replays++;
        return TraceReplayer.Replay(t, test);
    }

    /// <summary>Replay a candidate, taking the scheduling point kind the run met where the candidate guessed another; null when it leaves the trace otherwise.</summary>
    private ReplayOutcome? Try(ScheduleTrace candidate)
    {
        for (int attempt = 0; attempt <= Repairs; attempt++)
        {
            var r = Replay(candidate);
            if (r.Bug != null || r.Divergence is null)
                return r;
            var m = Regex.Match(r.Divergence, @"execution step '(\d+)': expected scheduling point '(\w+)' instead of '(\w+)'");
            if (!m.Success)
            {
                _lastDivergence = Regex.Match(r.Divergence, @"step '\d+': [^.]*").Value;
                return null;
            }
            int i = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (i >= candidate.Steps.Count || !candidate.Steps[i].IsScheduling)
                return null;
            var steps = candidate.Steps.ToList();
            steps[i] = steps[i] with { Point = m.Groups[3].Value };
            candidate = candidate.WithSteps(steps);
        }
        _lastDivergence = "more than " + Repairs + " repairs";
        return null;
    }

    /// <summary>The candidates that take away the preemption at step j.</summary>
    private static IEnumerable<ScheduleTrace> Moves(ScheduleTrace t, int j)
    {
        if (MoveSegmentsUp(t, j, toForcedStop: true) is { } run)
            yield return run;
        if (MoveSegmentsUp(t, j, toForcedStop: false) is { } moved)
            yield return moved;
        var cut = t.Steps.Take(j).ToList();
        cut.Add(t.Steps[j] with { Next = t.Steps[j].Op, NextSeq = t.Steps[j].OpSeq });
        foreach (var (strategy, bound, seed) in Continuations)
            yield return t.WithSteps(cut).WithContinuation(strategy, bound, seed);
    }

    /// <summary>Move 3: a scenario size drawn by the scenario (an integer choice) is made smaller: 0, or one less.</summary>
    private static IEnumerable<ScheduleTrace> SmallerChoices(ScheduleTrace t, int j)
    {
        int v = int.Parse(t.Steps[j].Choice![4..^1], System.Globalization.CultureInfo.InvariantCulture);
        foreach (int w in new[] { 0, v - 1 }.Where(w => w >= 0 && w < v).Distinct())
        {
            var steps = t.Steps.ToList();
            steps[j] = steps[j] with { Choice = $"int({w})" };
            yield return t.WithSteps(steps);
            foreach (var (strategy, bound, seed) in Continuations)
                yield return t.WithSteps(steps.Take(j + 1).ToList()).WithContinuation(strategy, bound, seed);
        }
    }

    /// <summary>A segment: the choices an operation drew and the scheduling step that ended it (null for the last one).</summary>
    private sealed record Segment(ulong Op, ulong OpSeq, List<TraceStep> Choices, TraceStep? End);

    private static List<Segment> Segments(ScheduleTrace t)
    {
        var list = new List<Segment>();
        if (t.Steps.Count == 0)
            return list;
        ulong op = t.Steps[0].Op, seq = t.Steps[0].OpSeq;
        var choices = new List<TraceStep>();
        foreach (var s in t.Steps)
        {
            if (!s.IsScheduling)
            {
                choices.Add(s);
                continue;
            }
            list.Add(new Segment(op, seq, choices, s));
            op = s.Next;
            seq = s.NextSeq;
            choices = new List<TraceStep>();
        }
        list.Add(new Segment(op, seq, choices, null));
        return list;
    }

    private static ScheduleTrace FromSegments(ScheduleTrace t, List<Segment> segs)
    {
        var steps = new List<TraceStep>();
        for (int i = 0; i < segs.Count; i++)
        {
            var s = segs[i];
            steps.AddRange(s.Choices);
            if (i + 1 < segs.Count)
            {
                var n = segs[i + 1];
                // The kind of point the segment stops at is its own (what its code reached); a
                // segment that was the last one has none yet: guess, and let the replay correct it.
                steps.Add(new TraceStep(s.Op, s.OpSeq, s.End?.Point ?? "Default", n.Op, n.OpSeq, null));
            }
        }
        return t.WithSteps(steps);
    }

    /// <summary>
    /// Move 1: the preempted operation's next segment (or, toForcedStop, all its segments up to
    /// the first that ends where it completes or blocks) moves up to follow the preempted one.
    /// </summary>
    private static ScheduleTrace? MoveSegmentsUp(ScheduleTrace t, int j, bool toForcedStop)
    {
        var segs = Segments(t);
        // The scheduling step j ends segment i: count the scheduling steps before it.
        int i = t.Steps.Take(j).Count(s => s.IsScheduling);
        if (i >= segs.Count - 1)
            return null;
        ulong a = segs[i].Op;
        int k = segs.FindIndex(i + 1, s => s.Op == a);
        if (k < 0)
            return null;
        var moved = new List<Segment>();
        for (int x = k; x < segs.Count; x++)
        {
            if (segs[x].Op != a)
                continue;
            moved.Add(segs[x]);
            if (!toForcedStop || segs[x].End is null || ScheduleTrace.ForcedPoints.Contains(segs[x].End!.Point!))
                break;
        }
        if (toForcedStop && moved.Count < 2)
            return null; // the same as the single move
        foreach (var m in moved)
            segs.Remove(m);
        segs.InsertRange(i + 1, moved);
        return FromSegments(t, segs);
    }

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd('\r');
}
