using BuddyModel;

namespace Specs.Buddy;

/// <summary>
/// The buddy-level invariants of DOMAIN 6.1 to 6.4, checked in that order. A later invariant
/// is only meaningful when the earlier ones hold (counters assume sane lists, merging assumes
/// correct orders), so CheckAll reports the first violation in that order.
/// </summary>
public static class BuddyInvariants
{
    [ThreadStatic]
    private static Invariant<Zone>[]? t_all;

    /// <summary>
    /// Exclusive location, Counters match contents, Maximal merging, Block shape, in that order.
    /// The instances keep scratch buffers, so each thread gets its own set.
    /// </summary>
    public static IReadOnlyList<Invariant<Zone>> All => Instances;

    private static Invariant<Zone>[] Instances =>
        t_all ??= [new ExclusiveLocation(), new CountersMatchContents(), new MaximalMerging(), new BlockShape()];

    /// <summary>The first violation of All, in order, or null when every buddy invariant holds.</summary>
    public static Violation? CheckAll(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        foreach (var invariant in Instances)
        {
            if (invariant.Check(zone) is { } violation)
                return violation;
        }
        return null;
    }

    // ---- Shared message helpers (internal: the wording every buddy invariant uses) ----

    /// <summary>The head, allocated and held flags: the ones that say which block a frame heads.</summary>
    internal const PageFlags StateFlags = PageFlags.Buddy | PageFlags.Allocated | PageFlags.Held;

    /// <summary>The hinting flags a design sets on free heads.</summary>
    internal const PageFlags HintingFlags = PageFlags.Aerated | PageFlags.Reported;

    /// <summary>"free_area[3].free_list[Movable]".</summary>
    internal static string ListName(int order, MigrateType mt) => $"free_area[{order}].free_list[{MigrateTypes.Name(mt)}]";

    /// <summary>A node id in words, relative to the list being walked (ownHead, or -1 for none).</summary>
    internal static string NodeName(Zone zone, int node, int ownHead)
    {
        if (node == FreeListNodes.Poison)
            return "LIST_POISON (on no list)";
        if (!zone.Lists.IsNode(node))
            return $"invalid node id {node}";
        if (node == ownHead)
            return "the list head";
        if (zone.IsListHead(node))
        {
            var (order, mt) = zone.ListOfHead(node);
            return $"the list head of {ListName(order, mt)}";
        }
        return $"pfn {node}";
    }

    /// <summary>"on free_area[o].free_list[mt], prev pfn 12, next the list head".</summary>
    internal static string Neighbours(Zone zone, int node, int order, MigrateType mt)
    {
        int head = zone.ListHead(order, mt);
        return $"on {ListName(order, mt)}, prev {NodeName(zone, zone.Lists.Prev(node), head)}, next {NodeName(zone, zone.Lists.Next(node), head)}";
    }

    /// <summary>The links of a node that is on no list we walked: "list links prev X, next Y".</summary>
    internal static string Links(Zone zone, int node) =>
        $"list links prev {NodeName(zone, zone.Lists.Prev(node), -1)}, next {NodeName(zone, zone.Lists.Next(node), -1)}";

    /// <summary>What a frame is in words, with the block that covers it when it is a tail.</summary>
    internal static string FrameState(Zone zone, int pfn)
    {
        var f = zone.Flags(pfn);
        if ((f & StateFlags) != 0)
            return $"the head of the {HeadState(zone, pfn)}";
        int head = CoveringHead(zone, pfn);
        return head < 0
            ? "a page in no free, allocated or held block"
            : $"a tail page of the {HeadState(zone, head)} at pfn {head}";
    }

    /// <summary>"free order-3 block on free_list[Movable]", "allocated order-0 block", "held order-2 block".</summary>
    internal static string HeadState(Zone zone, int pfn)
    {
        var f = zone.Flags(pfn);
        int order = zone.PageOrder(pfn);
        var states = new List<string>(3);
        if ((f & PageFlags.Buddy) != 0)
            states.Add($"free order-{order} block (PageBuddy, recorded on free_list[{MigrateTypes.Name(zone.BlockMigratetype(pfn))}])");
        if ((f & PageFlags.Allocated) != 0)
            states.Add($"allocated order-{order} block ({MigrateTypes.Name(zone.BlockMigratetype(pfn))})");
        if ((f & PageFlags.Held) != 0)
            states.Add($"held order-{order} block (taken off the free lists)");
        return states.Count == 0 ? "page heading no block" : string.Join(" and at the same time ", states);
    }

    /// <summary>The nearest block head below pfn whose block covers pfn, or -1.</summary>
    internal static int CoveringHead(Zone zone, int pfn)
    {
        for (int o = 1; o <= 31 && o <= zone.MaxOrder + 1; o++)
        {
            int head = pfn & ~((1 << o) - 1);
            if (head == pfn)
                continue;
            int order = zone.PageOrder(head);
            if ((zone.Flags(head) & StateFlags) != 0 && order < 31 && head + (1L << order) > pfn)
                return head;
        }
        return -1;
    }

    /// <summary>
    /// The violation for a list that cannot be walked safely (a link that is poisoned, out of
    /// range, or a loop). Exclusive location explains the corruption in detail.
    /// </summary>
    internal static Violation UnwalkableList(string invariant, Zone zone, int order, MigrateType mt, int lastNode, int badNext) =>
        new(invariant, zone.Config.Name,
            Expected: $"{ListName(order, mt)} to be a well-formed circular list that can be walked",
            Found: $"after {NodeName(zone, lastNode, zone.ListHead(order, mt))} the walk reaches {NodeName(zone, badNext, zone.ListHead(order, mt))} (corrupt links; see Exclusive location)",
            Order: order,
            Migratetype: MigrateTypes.Name(mt),
            Pfn: zone.IsListHead(lastNode) ? null : lastNode,
            Where: $"walking {ListName(order, mt)}");
}
