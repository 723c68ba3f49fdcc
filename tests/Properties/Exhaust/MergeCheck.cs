using Checks.Exhaust;
using Harness;
using Harness.Operations;
using Xunit;

namespace Properties.Exhaust;

/// <summary>
/// The canonical form checked against the model itself: breadth-first to a depth, every time a
/// path reaches a state another path reached first (a merge), the two systems must be
/// indistinguishable one step on: the same multiset of (successor hash, whether the step or an
/// invariant failed) over their moves, and the same settled state (hash after Finish) and settle
/// verdict. A canonical form that keeps too little (merges states a step tells apart) fails here.
/// </summary>
internal static class MergeCheck
{
    /// <summary>Explore from fresh() to depth and assert every merge; returns the distinct states and the merges checked.</summary>
    public static (int States, int Merges) Run(Func<BuddySystem> fresh, ExhaustAlphabet alphabet, int depth)
    {
        var hasher = new StateHasher();
        BuddySystem Replay(IReadOnlyList<Operation> path)
        {
            var s = fresh();
            foreach (var op in path)
                s.Apply(op);
            return s;
        }
        string Signature(IReadOnlyList<Operation> path)
        {
            var succ = new List<string>();
            foreach (var move in alphabet.Moves(Replay(path)).ToList())
            {
                var s = Replay(path);
                var outcome = s.Apply(move)!;
                bool failed = (outcome.Violation ?? s.CheckInvariants()) is not null;
                succ.Add($"{hasher.Of(s):x}/{failed}");
            }
            succ.Sort(StringComparer.Ordinal);
            var settled = Replay(path);
            var verdict = settled.Finish(new List<string>())?.Invariant ?? "-";
            return $"{string.Join(" ", succ)} | settled {hasher.Of(settled):x} {verdict}";
        }
        var first = new Dictionary<UInt128, List<Operation>>();
        var level = new List<List<Operation>> { new() };
        first[hasher.Of(Replay([]))] = [];
        int merges = 0;
        for (int d = 0; d < depth; d++)
        {
            var next = new List<List<Operation>>();
            foreach (var path in level)
                foreach (var move in alphabet.Moves(Replay(path)).ToList())
                {
                    List<Operation> p = [.. path, move];
                    var h = hasher.Of(Replay(p));
                    if (first.TryGetValue(h, out var other))
                    {
                        merges++;
                        Assert.True(Signature(other) == Signature(p), $"merged but different:\n{string.Join(", ", other)}\n{string.Join(", ", p)}");
                        continue;
                    }
                    first[h] = p;
                    next.Add(p);
                }
            level = next;
        }
        return (first.Count, merges);
    }
}
