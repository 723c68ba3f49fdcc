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
/// that keeps its second zone needs it.
/// </summary>
public static class ScenarioShrinker
{
    /// <summary>Candidates simpler than the scenario, most aggressive first.</summary>
    public static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var ops = scenario.Operations;
        int n = ops.Count;
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
