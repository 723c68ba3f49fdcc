using BuddyModel;

namespace Specs.Oracle;

/// <summary>
/// The comparison after a step: every free list of the zone, head to tail, must be the
/// reference's sequence, and every pageblock must have the reference's migratetype. The first
/// difference is named: the list, both sequences around it, its position, and why the
/// reference put its block there.
/// </summary>
public sealed partial class ReferenceLists
{
    /// <summary>Most blocks of a sequence shown on either side of the first difference.</summary>
    private const int Shown = 6;

    /// <summary>The first failure the calls met, else the first list or pageblock that differs, else null.</summary>
    public Violation? Compare(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (_first is not null)
            return _first;
        for (int order = 0; order < MaxOrder; order++)
            for (int mt = 0; mt < MigrateTypes.Count; mt++)
                if (CompareList(zone, order, (MigrateType)mt) is { } v)
                    return v;
        for (int i = 0; i < _pageblock.Length; i++)
        {
            int start = StartPfn + (i << PageblockOrder);
            var actual = zone.GetPageblockMigratetype(start);
            if (actual != _pageblock[i])
                return new Violation(InvariantName, ZoneName,
                    Expected: $"pageblock {i} (pfn {start}) to be {MigrateTypes.Name(_pageblock[i])}",
                    Found: $"it is {MigrateTypes.Name(actual)}",
                    Migratetype: MigrateTypes.Name(_pageblock[i]), Pfn: start,
                    Where: $"after call #{_calls.Count - 1}: {_calls[^1]}");
        }
        return null;
    }

    private Violation? CompareList(Zone zone, int order, MigrateType mt)
    {
        var expected = ListOf(order, mt);
        var lists = zone.Lists;
        int head = zone.ListHead(order, mt);
        int n = lists.Next(head);
        int i = 0;
        for (; n != head; n = lists.Next(n), i++)
        {
            if (n < 0 || zone.IsListHead(n) || i > NrPages)
                return Differ(zone, order, mt, i, "corrupt links (a poisoned node, another list's head, or a cycle)");
            if (i >= expected.Count || expected[i] != n)
                return Differ(zone, order, mt, i, null);
        }
        return i == expected.Count ? null : Differ(zone, order, mt, i, null);
    }

    private Violation Differ(Zone zone, int order, MigrateType mt, int at, string? corrupt)
    {
        var expected = ListOf(order, mt);
        var actual = Walk(zone, order, mt, at + Shown + 1);
        string name = $"free_area[{order}].free_list[{MigrateTypes.Name(mt)}]";
        int? want = at < expected.Count ? expected[at] : null;
        int? got = at < actual.Count ? actual[at] : null;
        var why = new List<string>();
        if (want is int w && _placed.TryGetValue(w, out var p))
            why.Add($"the reference's pfn {w} was {Say(p.Rule)} by call #{p.Call} ({_calls[p.Call]})");
        if (got is int g)
            why.Add(expected.IndexOf(g) is int k and >= 0 && _placed.TryGetValue(g, out var q)
                ? $"the reference has pfn {g} at position {k}, {Say(q.Rule)} by call #{q.Call} ({_calls[q.Call]})"
                : $"the reference has {WhatIs(g)}");
        return new Violation(InvariantName, ZoneName,
            Expected: $"{name} head to tail: {Sequence(expected, at, expected.Count)}",
            Found: corrupt ?? $"{Sequence(actual, at, actual.Count >= at + Shown + 1 ? -1 : actual.Count)}; first difference at position {at}: expected {(want is int x ? $"pfn {x}" : "the end of the list")}, found {(got is int y ? $"pfn {y}" : "the end of the list")}",
            Order: order, Migratetype: MigrateTypes.Name(mt), Pfn: want ?? got,
            Where: string.Join("; ", [$"after call #{_calls.Count - 1} ({_calls[^1]})", .. why]));
    }

    /// <summary>The zone's list head to tail, at most limit blocks (the comparison already checked the links up to there).</summary>
    private static List<int> Walk(Zone zone, int order, MigrateType mt, int limit)
    {
        var seq = new List<int>();
        int head = zone.ListHead(order, mt);
        for (int n = zone.Lists.Next(head); n != head && n >= 0 && !zone.IsListHead(n) && seq.Count < limit; n = zone.Lists.Next(n))
            seq.Add(n);
        return seq;
    }

    /// <summary>"pfn a, b, c ... (n blocks)" around position at; total -1: the list goes on past what was read.</summary>
    private static string Sequence(List<int> seq, int at, int total)
    {
        if (seq.Count == 0)
            return "(empty)";
        int from = Math.Max(0, at - Shown);
        int to = Math.Min(seq.Count, at + Shown + 1);
        string items = string.Join(", ", seq.GetRange(from, to - from));
        string prefix = from > 0 ? $"... ({from} before) " : "";
        string suffix = to < seq.Count || total < 0 ? ", ..." : "";
        string count = total < 0 ? "" : $" ({total} block{(total == 1 ? "" : "s")})";
        return $"pfn {prefix}{items}{suffix}{count}";
    }
}
