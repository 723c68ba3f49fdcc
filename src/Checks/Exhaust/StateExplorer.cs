using System.Diagnostics;
using BuddyModel;
using Harness;
using Harness.Operations;
using Specs;

namespace Checks.Exhaust;

/// <summary>What to explore: a design, the guest it runs on, the moves, and the bounds.</summary>
public sealed record ExhaustConfig(string Design, Scenario Guest, ExhaustAlphabet Alphabet, int MaxDepth, long MaxStates)
{
    /// <summary>Whether every new state is also settled (the system's Finish: liveness, e.g. v1's Progress) and a violation there counts as one in that state. Default on; off only to measure what it costs.</summary>
    public bool CheckSettle { get; init; } = true;

    /// <summary>
    /// Threads that expand a level (default: every core). The result does not depend on it:
    /// the threads only compute each successor's verdict and hash, and one thread takes them in
    /// the order a single thread would (see StateExplorer).
    /// </summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The one invariant searched for (null: any). With one named, a state that breaks another
    /// invariant is a dead end, neither a finding nor explored further: the search is for the
    /// shortest path to that invariant's violation through states that keep every invariant.
    /// A refused operation is named ModelError.
    /// </summary>
    public string? TargetInvariant { get; init; }

    /// <summary>The name a refused operation (a model error) goes by as TargetInvariant.</summary>
    public const string ModelError = "model error";

    /// <summary>Operations per path that the explorer allows itself, for a bad bound.</summary>
    public const int DepthLimit = 1000;
}

/// <summary>
/// What an exploration found: distinct states and transitions, the deepest level completed,
/// whether the space was exhausted (no new state at the last level, within the bounds), the
/// states per level, and the first violation with the shortest path to it.
/// </summary>
public sealed record ExhaustResult(
    long States,
    long Transitions,
    int DepthReached,
    bool Exhausted,
    IReadOnlyList<long> StatesPerLevel,
    TimeSpan Elapsed,
    long PeakManagedBytes,
    Scenario? Counterexample,
    RunReport? CounterexampleReport,
    string? StoppedBecause)
{
    /// <summary>Distinct states per second of wall time.</summary>
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? States / Elapsed.TotalSeconds : States;

    /// <summary>Whether every state explored kept every invariant.</summary>
    public bool Passed => Counterexample is null;
}

/// <summary>
/// Breadth-first exploration of every state a design reaches from its boot state, level by
/// level up to a depth bound or until a level adds no new state. States are identified by the
/// 128-bit hash of their canonical form (BuddySystem.WriteCanonicalState), so a state reached
/// by two paths is explored once. Every invariant (the system's own CheckInvariants, the step's
/// oracle verdict, and a model refusal) is checked in every new state; the first violation
/// found is at the smallest depth at which any violation exists, and its path is the shortest
/// counterexample (a Scenario that ScenarioRunner, replay and show accept).
///
/// How a state is rebuilt: the explorer keeps no copies of systems, only each state's parent
/// and the move that reached it; expanding a state replays its path on a fresh system (the
/// model is deterministic: the same path gives the same state). Each successor is one more
/// replay of the path plus its move. That costs a path's length in applied operations per
/// transition, cheap next to the invariant checks on small configurations.
///
/// Settling (liveness): a design with a settle phase (BuddySystem.Finish: v1's runs the host,
/// the worker and shutdown until nothing can run, then checks Progress) is settled in every
/// new state too: the system just built for the new state (a fresh replay, used for nothing
/// else once its hash is taken) is handed to Finish, and a violation there is a violation
/// found in that state, its path the counterexample (ScenarioRunner settles at the end of a
/// scenario, so running the path reproduces it). The first such finding is at the smallest
/// depth too: a path of n operations whose settle fails is found while level n is built,
/// before any longer path. Cost: one settle per distinct state (not per transition), each
/// as many steps as the state needs to go quiet (a few on the tiny configurations: the worker
/// fills, the host drops, the worker drains) with the invariants checked after each; for the
/// buddy designs Finish does nothing.
///
/// Threads (ExhaustConfig.Jobs): a level's successors are computed in parallel, each node's by
/// one thread (replay, move, invariants, hash), and the new states' settles likewise; one
/// thread takes the results in the order a single thread would meet them, so the states, the
/// counts and the counterexample do not depend on the number of threads.
///
/// Scope: the designs whose systems write a canonical state (BuddySystem.CanonicalStateMissing
/// is null): every registered design (the buddy family, v1, the merged design); a system with a
/// test-only part whose state is not written (a broken model) is refused.
/// </summary>
public sealed class StateExplorer
{
    private readonly ExhaustConfig _config;
    private readonly Func<Scenario, BuddySystem> _make;
    private readonly List<(int Parent, Operation? Move)> _nodes = new();
    private readonly HashSet<UInt128> _seen = new();
    private readonly StateHasher _hasher = new();

    public StateExplorer(ExhaustConfig config, Func<Scenario, BuddySystem>? make = null)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _make = make ?? (s => Designs.MakeSystem(config.Design, s));
    }

    /// <summary>Called after each completed level with (depth, distinct states so far, transitions so far).</summary>
    public Action<int, long, long>? Progress { get; init; }

    /// <summary>Explore; deterministic for a configuration.</summary>
    public ExhaustResult Run()
    {
        var clock = Stopwatch.StartNew();
        long peak = GC.GetTotalMemory(false);
        var root = _make(_config.Guest with { Operations = [] });
        if (root.CanonicalStateMissing is { } missing)
            throw new NotSupportedException($"design {_config.Design} cannot be explored: {missing}");
        var perLevel = new List<long> { 1 };
        var initial = root.CheckInvariants();
        switch (Judge(initial, failed: initial is not null))
        {
            case Verdict.Found: return Found([], clock, perLevel, 0, 0, peak);
            case Verdict.DeadEnd: return Done(clock, perLevel, 0, 0, exhausted: true, peak, null);
        }
        _nodes.Add((-1, null));
        _seen.Add(_hasher.Of(root));
        if (_config.CheckSettle && Settle(root) == Verdict.Found)
            return Found([], clock, perLevel, 0, 0, peak);
        long transitions = 0;
        var level = new List<int> { 0 };
        int depth = 0;
        int maxDepth = Math.Min(_config.MaxDepth, ExhaustConfig.DepthLimit);
        while (level.Count > 0 && depth < maxDepth)
        {
            // 1. Every successor of the level: its verdict and the hash of its state, in
            //    parallel (each node's successors by one thread, with its own hasher).
            var successors = Expand(level);
            // 2. In the order one thread would meet them: the first violation, the new states,
            //    the state bound.
            var next = new List<int>();
            var fresh = new List<(int Node, long Transitions)>();
            (int Parent, Operation Move)? violation = null;
            bool bound = false;
            for (int k = 0; k < level.Count && violation is null && !bound; k++)
            {
                foreach (var (move, verdict, hash) in successors[k])
                {
                    transitions++;
                    if (verdict == Verdict.Found)
                    {
                        violation = (level[k], move);
                        break;
                    }
                    if (verdict == Verdict.DeadEnd || !_seen.Add(hash))
                        continue;
                    _nodes.Add((level[k], move));
                    next.Add(_nodes.Count - 1);
                    fresh.Add((_nodes.Count - 1, transitions));
                    if (_nodes.Count >= _config.MaxStates)
                    {
                        bound = true;
                        break;
                    }
                }
            }
            // 3. The new states settled (in parallel); the first that fails comes before
            //    whatever ended step 2, as it would with one thread.
            if (_config.CheckSettle && FirstSettleFailure(fresh) is { } failed)
                return Found(PathOf(failed.Node), clock, perLevel, depth + 1, failed.Transitions, peak);
            if (violation is { } v)
                return Found([.. PathOf(v.Parent), v.Move], clock, perLevel, depth + 1, transitions, peak);
            if (bound)
            {
                perLevel.Add(next.Count);
                return Done(clock, perLevel, depth, transitions, exhausted: false, peak, $"the state bound ({_config.MaxStates:N0}) was reached at depth {depth + 1}");
            }
            peak = Math.Max(peak, GC.GetTotalMemory(false));
            depth++;
            if (next.Count > 0)
                perLevel.Add(next.Count);
            Progress?.Invoke(depth, _nodes.Count, transitions);
            level = next;
        }
        bool exhausted = level.Count == 0;
        return Done(clock, perLevel, depth, transitions, exhausted, peak,
            exhausted ? null : $"the depth bound ({maxDepth}) was reached with {level.Count:N0} states on the last level");
    }

    private ExhaustResult Done(Stopwatch clock, List<long> perLevel, int depth, long transitions, bool exhausted, long peak, string? why) =>
        new(_nodes.Count, transitions, depth, exhausted, perLevel, clock.Elapsed, peak, null, null, why);

    private ExhaustResult Found(IReadOnlyList<Operation> path, Stopwatch clock, List<long> perLevel, int depth, long transitions, long peak)
    {
        var scenario = _config.Guest with { Operations = path.ToArray() };
        var report = ScenarioRunner.Run(scenario, _make);
        return new ExhaustResult(_nodes.Count, transitions, depth, false, perLevel, clock.Elapsed, peak, scenario, report, $"a violation at depth {depth}");
    }

    /// <summary>What a state is to the search: one to explore, the violation searched for, or (with a target invariant) a state that breaks another one.</summary>
    private enum Verdict { Fine, Found, DeadEnd }

    /// <summary>The verdict on a state whose check failed (or not), with the violation if it named one (null for a refused operation).</summary>
    private Verdict Judge(Violation? violation, bool failed) =>
        !failed ? Verdict.Fine
        : _config.TargetInvariant is not { } target || target == (violation?.Invariant ?? ExhaustConfig.ModelError) ? Verdict.Found
        : Verdict.DeadEnd;

    /// <summary>Every node's successors in move order: the move, its verdict, and the hash of the state it reached.</summary>
    private List<(Operation Move, Verdict Verdict, UInt128 Hash)>[] Expand(List<int> level)
    {
        var paths = level.Select(PathOf).ToArray();
        var result = new List<(Operation, Verdict, UInt128)>[level.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _config.Jobs) };
        Parallel.For(0, level.Count, options, () => new StateHasher(), (k, _, hasher) =>
        {
            var path = paths[k];
            var list = new List<(Operation, Verdict, UInt128)>();
            foreach (var move in _config.Alphabet.Moves(Replay(path)).ToArray())
            {
                var system = Replay(path);
                var (violated, violation) = ApplyChecked(system, move);
                var verdict = Judge(violation, violated);
                list.Add((move, verdict, verdict == Verdict.Fine ? hasher.Of(system) : default));
            }
            result[k] = list;
            return hasher;
        }, _ => { });
        return result;
    }

    /// <summary>The first new state (in the order they were found) whose settle fails, with the transitions counted when it was found; null when all settle.</summary>
    private (int Node, long Transitions)? FirstSettleFailure(List<(int Node, long Transitions)> fresh)
    {
        var fails = new bool[fresh.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _config.Jobs) };
        Parallel.For(0, fresh.Count, options, i => fails[i] = Settle(Replay(PathOf(fresh[i].Node))) == Verdict.Found);
        int first = Array.IndexOf(fails, true);
        return first < 0 ? null : fresh[first];
    }

    /// <summary>The moves from the boot state to node.</summary>
    private List<Operation> PathOf(int node)
    {
        var path = new List<Operation>();
        for (int n = node; n > 0; n = _nodes[n].Parent)
            path.Add(_nodes[n].Move!);
        path.Reverse();
        return path;
    }

    /// <summary>A fresh system with the path applied (its states were checked when they were first reached).</summary>
    private BuddySystem Replay(List<Operation> path)
    {
        var system = _make(_config.Guest with { Operations = [] });
        foreach (var op in path)
            system.Apply(op);
        return system;
    }

    /// <summary>
    /// Settle the system (it is not used again) and check what must hold once nothing else
    /// happens. A settle that breaks another invariant than the target is no finding; the state
    /// itself stays explored (it kept every invariant when it was reached).
    /// </summary>
    private Verdict Settle(BuddySystem system)
    {
        try
        {
            var v = system.Finish(new List<string>());
            return Judge(v, failed: v is not null);
        }
        catch (BadPageException)
        {
            return Judge(null, failed: true);
        }
    }

    /// <summary>Apply one move and check every invariant after it, as ScenarioRunner does; true when something failed.</summary>
    private static (bool Violated, Violation? Violation) ApplyChecked(BuddySystem system, Operation move)
    {
        try
        {
            var outcome = system.Apply(move);
            if (outcome is null)
                return (true, null);
            var v = outcome.Violation ?? system.CheckInvariants();
            return (v is not null, v);
        }
        catch (BadPageException)
        {
            return (true, null);
        }
    }
}
