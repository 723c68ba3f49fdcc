using Harness;
using Harness.Operations;

namespace Checks.Exhaust;

/// <summary>
/// What the breadth-first explorer says about a counterexample's length: on the counterexample's
/// own configuration, with an alphabet that offers every kind of move it uses, either the shortest
/// counterexample (Minimum, which is at most Length: the given one is a path of the same space),
/// or, when the state bound ends the search first, the depth every path of which was checked
/// without a violation (so every counterexample is longer than DepthCleared). Shortest is the
/// counterexample the search found (a Scenario of the same configuration), if any.
/// </summary>
public sealed record MinimumResult(int Length, int? Minimum, int DepthCleared, long States, TimeSpan Elapsed, string? Invariant, Scenario? Shortest)
{
    /// <summary>Whether the given counterexample is as short as any: the minimum was found and equals it, or every shorter path was checked.</summary>
    public bool LengthIsMinimal => Minimum == Length || (Minimum is null && DepthCleared == Length - 1);

    /// <summary>
    /// Whether this result says at least what a pinned verdict said (a larger state bound may
    /// strengthen "≥ k" to "≥ k+1" or to "= n", never weaken it): "= n" must be this verdict;
    /// "≥ k" is met by a minimal length or by every path of fewer than k operations checked.
    /// </summary>
    public bool AtLeast(string pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        if (!pinned.StartsWith('≥'))
            return pinned == Verdict;
        return LengthIsMinimal || (Minimum is null && DepthCleared + 1 >= int.Parse(pinned[1..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// "= 4" (minimal), "3 < 4" (a shorter one exists), "≥ 3" (every path up to 2 checked, the
    /// state bound reached), or "none in 4" (no violation on any path of the given length: the
    /// counterexample is not in the explored space, or fails on something the explorer does not check).
    /// </summary>
    public string Verdict =>
        Minimum is int m ? (m == Length ? $"= {m}" : $"{m} < {Length}")
        : DepthCleared == Length - 1 ? $"= {Length}"
        : DepthCleared >= Length ? $"none in {Length}" : $"≥ {DepthCleared + 1}";
}

/// <summary>
/// The yardstick for the shrinker: the shortest counterexample of a configuration, searched
/// breadth-first to the given counterexample's length and within a state bound. The search
/// stops at the first level that has a violation, so it never goes past the given length
/// (whose path is in the space, when every one of its steps is a move the alphabet offers:
/// StepsAreMoves says whether it is).
/// </summary>
public static class MinimumSearch
{
    /// <summary>
    /// Search the configuration of counterexample for a shorter one: of any violation, or (with
    /// invariant) of that invariant's, through states that keep every invariant (a recorded
    /// finding is about one invariant; another bug found sooner on the way is not a shorter
    /// counterexample of it).
    /// </summary>
    public static MinimumResult Run(Scenario counterexample, Func<Scenario, BuddySystem> make, ExhaustAlphabet alphabet, long maxStates, string? invariant = null, int jobs = 1)
    {
        ArgumentNullException.ThrowIfNull(counterexample);
        ArgumentNullException.ThrowIfNull(alphabet);
        int length = counterexample.Operations.Count;
        var config = new ExhaustConfig("minimum", counterexample with { Operations = [] }, alphabet.Covering(counterexample.Operations), length, maxStates)
        {
            Jobs = jobs,
            TargetInvariant = invariant,
        };
        var result = new StateExplorer(config, make).Run();
        int? minimum = result.Counterexample?.Operations.Count;
        // With a violation at level m, every level before it was cleared; with none, the levels
        // the explorer completed were (the state bound may end it inside the next).
        int cleared = minimum is int m ? m - 1 : result.DepthReached;
        return new MinimumResult(length, minimum, cleared, result.States, result.Elapsed, result.CounterexampleReport?.Violation?.Invariant, result.Counterexample);
    }

    /// <summary>
    /// Null when each step of the counterexample, in the state it is applied to, is one of the
    /// moves the alphabet (widened to cover it) offers there; otherwise the first step that is
    /// not, in words. A step that is not a move means the explorer's space lacks the path, and
    /// its minimum says nothing about this counterexample.
    /// </summary>
    public static string? StepsAreMoves(Scenario counterexample, Func<Scenario, BuddySystem> make, ExhaustAlphabet alphabet)
    {
        ArgumentNullException.ThrowIfNull(counterexample);
        var moves = alphabet.Covering(counterexample.Operations);
        var system = make(counterexample with { Operations = [] });
        for (int i = 0; i < counterexample.Operations.Count; i++)
        {
            var op = counterexample.Operations[i];
            if (!moves.Moves(system).Contains(op))
                return $"step {i + 1} ({op}) is not a move the explorer offers in that state";
            system.Apply(op);
        }
        return null;
    }
}
