using BuddyModel;
using Harness;
using Harness.Operations;

namespace Checks;

/// <summary>
/// Shrinks a failing scenario: first drop chunks of operations (halves, quarters, ... single
/// steps), then simplify single operations (smaller orders, Movable, block #0). Every candidate
/// is runnable because block-picking arguments are read modulo the candidates at run time.
/// A scenario of several zones also tries zone #0 for each operation and, last, fewer zones
/// (zone indexes are read modulo the zones, so every candidate still runs): a counterexample
/// that keeps its second zone needs it. The empty scenario is tried first (a model broken at
/// boot fails with no operation). Last of all, when nothing simpler fails, each operation is
/// dropped while one other is retargeted over its whole range (Retarget): dropping a step
/// often moves the block or pageblock the failure needs, and no single-step change follows it.
/// The breadth-first minimum (tests/Properties/Exhaust) found that gap.
/// </summary>
public static class ScenarioShrinker
{
    /// <summary>Candidates simpler than the scenario, most aggressive first.</summary>
    public static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var ops = scenario.Operations;
        int n = ops.Count;
        if (n > 0)
            yield return scenario with { Operations = [] };
        for (int chunk = n / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= n; start += chunk)
            {
                var shorter = new List<Operation>(n - chunk);
                for (int i = 0; i < n; i++)
                    if (i < start || i >= start + chunk)
                        shorter.Add(ops[i]);
                if (shorter.Count > 0)
                    yield return scenario with { Operations = shorter };
            }
        }
        for (int i = 0; i < n; i++)
        {
            foreach (var simpler in Simplify(ops[i]))
            {
                var copy = ops.ToList();
                copy[i] = simpler;
                yield return scenario with { Operations = copy };
            }
        }
        if (scenario.MoreZones is { Count: > 0 } more)
        {
            yield return scenario with { MoreZones = null };
            if (more.Count > 1)
                yield return scenario with { MoreZones = more.Take(more.Count - 1).ToArray() };
        }
        for (int drop = 0; drop < n; drop++)
            for (int j = 0; j < n; j++)
            {
                if (j == drop)
                    continue;
                foreach (var other in Retarget(ops[j], scenario))
                {
                    var shorter = new List<Operation>(n - 1);
                    for (int i = 0; i < n; i++)
                        if (i != drop)
                            shorter.Add(i == j ? other : ops[i]);
                    yield return scenario with { Operations = shorter };
                }
            }
        // Last, a step moved earlier: an order in which a later step comes first can let the
        // drops above remove more (the breadth-first minimum of v1-fixed's Progress finding puts
        // its allocations before startup; the random order had them after a hint round, and no
        // drop alone, nor a move with a drop, failed). Only a move that makes the list smaller
        // in OrderKey's lexicographic order is offered: with the length and the simplicity of
        // the steps, that measure decreases at every accepted candidate, so shrinking ends.
        for (int j = 1; j < n; j++)
            for (int i = 0; i < j; i++)
            {
                if (OrderKey(ops[j]).CompareTo(OrderKey(ops[i])) >= 0)
                    continue; // moving ops[j] before ops[i] would not make the list smaller
                var moved = new List<Operation>(ops);
                moved.RemoveAt(j);
                moved.Insert(i, ops[j]);
                yield return scenario with { Operations = moved };
            }
    }

    /// <summary>
    /// A total order on operations for the reordering stage: the allocator's operations before
    /// the walk's, and those before a design's, then by text. Moving a step before one with a
    /// larger key makes the list lexicographically smaller, a well-founded measure.
    /// </summary>
    private static (int Rank, string Text) OrderKey(Operation op) => (op switch
    {
        AllocPages => 0,
        FreePages => 1,
        SetPageblockMigratetype => 2,
        IsolateFreePage => 3,
        PutbackIsolatedPage => 4,
        StartIsolatePageRange or UndoIsolatePageRange or IsolationStep => 5,
        _ => 6,
    }, op.ToString());


    /// <summary>
    /// Every other value of the argument that picks where an operation acts: the pageblock of a
    /// pageblock change or an isolation range (over the largest zone's pageblocks), the block
    /// of a free, an isolation or a put-back (over the scenario's length: there are never more
    /// handles than steps; free blocks: the boot blocks and two more per step), the order of an allocation.
    /// </summary>
    private static IEnumerable<Operation> Retarget(Operation op, Scenario scenario)
    {
        int pageblocks = scenario.Zones.Max(z => z.NrPages >> z.PageblockOrder);
        int handles = Math.Max(1, scenario.Operations.Count);
        switch (op)
        {
            case SetPageblockMigratetype s:
                for (int pb = 0; pb < pageblocks; pb++)
                    if (pb != s.Pageblock) yield return s with { Pageblock = pb };
                break;
            case StartIsolatePageRange r:
                for (int pb = 0; pb < pageblocks; pb++)
                    if (pb != r.Pageblock) yield return r with { Pageblock = pb };
                break;
            case AllocPages a:
                for (int order = 0; order < scenario.Config.MaxOrder; order++)
                    if (order != a.Order) yield return a with { Order = order };
                break;
            case FreePages f:
                for (int b = 0; b < handles; b++)
                    if (b != f.Block) yield return f with { Block = b };
                break;
            case IsolateFreePage i:
                for (int b = 0; b < (scenario.Config.NrPages >> (scenario.Config.MaxOrder - 1)) + 2 * handles; b++)
                    if (b != i.Block) yield return i with { Block = b };
                break;
            case PutbackIsolatedPage p:
                for (int b = 0; b < handles; b++)
                    if (b != p.Block) yield return p with { Block = b };
                break;
        }
    }

    /// <summary>Simpler forms of one operation.</summary>
    public static IEnumerable<Operation> Simplify(Operation op)
    {
        switch (op)
        {
            case AllocPages a:
                if (a.Order > 0) yield return a with { Order = 0 };
                if (a.Order > 1) yield return a with { Order = a.Order - 1 };
                if (a.Mt != MigrateType.Movable) yield return a with { Mt = MigrateType.Movable };
                if (a.Zone != 0) yield return a with { Zone = 0 };
                break;
            case FreePages f when f.Block != 0:
                yield return new FreePages(0);
                break;
            case SetPageblockMigratetype s:
                if (s.Pageblock != 0) yield return s with { Pageblock = 0 };
                if (s.Pageblock > 1) yield return s with { Pageblock = s.Pageblock - 1 };
                if (s.Zone != 0) yield return s with { Zone = 0 };
                break;
            case IsolateFreePage i when i.Block != 0 || i.Zone != 0:
                if (i.Block != 0) yield return i with { Block = 0 };
                if (i.Zone != 0) yield return i with { Zone = 0 };
                break;
            case PutbackIsolatedPage p when p.Block != 0:
                yield return new PutbackIsolatedPage(0);
                break;
            case StartIsolatePageRange r:
                if (r.Pageblock != 0) yield return r with { Pageblock = 0 };
                if (r.Pageblock > 1) yield return r with { Pageblock = r.Pageblock - 1 };
                if (r.Pageblocks > 1) yield return r with { Pageblocks = 1 };
                break;
            case UndoIsolatePageRange u when u.Range != 0:
                yield return new UndoIsolatePageRange(0);
                break;
        }
    }
}
