using BuddyModel;

namespace Simulation;

/// <summary>Which kernel's per-cpu page lists: which orders they cache, how high and batch are set, how much a drain frees.</summary>
public enum PcpEra
{
    /// <summary>
    /// 5.7 to 5.13: order 0 only; high = 6 * batch; a free that makes count reach high frees
    /// batch pages (free_pcppages_bulk).
    /// </summary>
    Before5_14,

    /// <summary>
    /// 5.14 to 6.6 (44042b449872 "allow high-order pages to be stored on the per-cpu lists", and
    /// the pcp->high series of the same merge window): orders 0..PAGE_ALLOC_COSTLY_ORDER and
    /// the THP order (pageblock_order); high = max(low watermark / CPUs, 4 * batch); a drain
    /// frees nr_pcp_free() pages, which doubles (free_factor) with each drain since the last
    /// allocation from the lists.
    /// </summary>
    Since5_14,
}

/// <summary>
/// One CPU's per_cpu_pages of one zone (mm/page_alloc.c: free_unref_page, free_pcppages_bulk,
/// rmqueue_pcplist, rmqueue_bulk, zone_batchsize, zone_highsize, nr_pcp_free), in front of the
/// buddy allocator: a free of a cached order goes onto a list and never reaches
/// __free_one_page, so it notifies no hinting design, until a drain frees it into the buddy.
///
/// The model's departures, each written here:
/// - The lists hold blocks the zone still counts as allocated (Zone.Allocate handed them out,
///   as rmqueue_bulk took them off the free lists and out of NR_FREE_PAGES); the guest does
///   not. A drain is Zone.Free of each block, under the one zone->lock hold the caller takes.
/// - A block's list is the migratetype it was allocated with (the pcp migratetype the kernel
///   stores in the page at allocation), except that a free into an ISOLATE pageblock bypasses
///   the lists (free_unref_page's check) and goes to the buddy at once.
/// - One list per (order, migratetype) for orders 0..3 and one THP list per migratetype (the
///   kernel's exact THP list count changed between 5.14 and 6.1; it only matters for which
///   list a drain starts with).
/// - A drain takes from the tail of the lists, starting with the list the freed page was put
///   on (6.1's "ensure requested pindex is drained first"), emptying each before the next, in
///   every era; 5.7's round robin with its batch_free weighting is not modelled.
/// - A drained block is freed with its pageblock's migratetype (Zone.Free), where the kernel
///   uses the migratetype stored at allocation unless the zone has isolated pageblocks.
/// - Not modelled: 6.7's high auto-tuning and its time decay, the free_high rule (a whole
///   list freed for orders 1..3), the pcp trylock failing, drain_all_pages from reclaim or
///   offlining (the caller drains on its own events), remote-node drains (one node).
/// </summary>
public sealed class PerCpuPages
{
    /// <summary>PAGE_ALLOC_COSTLY_ORDER.</summary>
    public const int CostlyOrder = 3;

    private readonly Zone _zone;
    private readonly Dictionary<(int Order, MigrateType Mt), LinkedList<int>> _lists = new();
    private int _freeFactor;

    /// <summary>The per-cpu lists of zone (managedPages of it managed), of the era, for a guest of cpus CPUs whose zone has the given low watermark.</summary>
    public PerCpuPages(Zone zone, PcpEra era, long managedPages, long lowWatermark, int cpus)
    {
        _zone = zone ?? throw new ArgumentNullException(nameof(zone));
        ArgumentOutOfRangeException.ThrowIfLessThan(cpus, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(managedPages);
        Era = era;
        int zoneBatch = ZoneBatchsize(managedPages);
        Batch = Math.Max(1, zoneBatch);
        High = era == PcpEra.Before5_14 ? 6L * zoneBatch : Math.Max(lowWatermark / cpus, (long)Batch << 2);
    }

    /// <summary>The era's rules.</summary>
    public PcpEra Era { get; }

    /// <summary>pcp->batch: how many pages a refill takes and (before 5.14) a drain frees.</summary>
    public int Batch { get; }

    /// <summary>pcp->high: a free that makes Count reach it drains.</summary>
    public long High { get; }

    /// <summary>pcp->count: pages (not blocks) on the lists.</summary>
    public long Count { get; private set; }

    /// <summary>Blocks freed into the buddy by drains so far (each one notified a hinting design there).</summary>
    public long Drained { get; private set; }

    /// <summary>zone_batchsize(): min(managed / 1024, 256) / 4 (at least 1), then rounddown_pow_of_two(b + b / 2) - 1; 0 for a zone under 4 MiB.</summary>
    public static int ZoneBatchsize(long managedPages)
    {
        long batch = Math.Min(managedPages >> 10, 256);
        batch = Math.Max(1, batch / 4);
        long b = batch + batch / 2;
        long pow = 1;
        while (pow * 2 <= b)
            pow *= 2;
        return (int)(pow - 1);
    }

    /// <summary>pcp_allowed_order(): whether a free or an allocation of this order goes through the lists in this era.</summary>
    public bool AllowedOrder(int order) =>
        Era == PcpEra.Before5_14 ? order == 0 : order <= CostlyOrder || order == _zone.PageblockOrder;

    /// <summary>
    /// rmqueue(): a cached order comes from the list of its migratetype, refilled from the
    /// buddy (rmqueue_bulk: batch pages of order 0; for order > 0 max(batch >> order, 2)
    /// blocks, 5.14+) when empty; another order straight from the buddy. The head pfn, or -1.
    /// </summary>
    public int Allocate(int order, MigrateType mt)
    {
        if (!AllowedOrder(order))
            return _zone.Allocate(order, mt);
        _freeFactor >>= 1;
        var list = List(order, mt);
        if (list.Count == 0)
        {
            int blocks = order == 0 ? Batch : Batch > 1 ? Math.Max(Batch >> order, 2) : 1;
            for (int i = 0; i < blocks; i++)
            {
                int pfn = _zone.Allocate(order, mt);
                if (pfn < 0)
                    break;
                list.AddLast(pfn);
                Count += 1L << order;
            }
            if (list.Count == 0)
                return -1;
        }
        int head = list.First!.Value;
        list.RemoveFirst();
        Count -= 1L << order;
        return head;
    }

    /// <summary>
    /// free_unref_page(): a cached order onto the head of its list, unless its pageblock is
    /// ISOLATE (then to the buddy); when Count reaches High, drain. Other orders go to the
    /// buddy at once (__free_pages_ok).
    /// </summary>
    public void Free(int pfn, int order)
    {
        var mt = _zone.BlockMigratetype(pfn);
        if (!AllowedOrder(order) || _zone.GetPageblockMigratetype(pfn) == MigrateType.Isolate)
        {
            _zone.Free(pfn, order);
            return;
        }
        List(order, mt).AddFirst(pfn);
        Count += 1L << order;
        if (Count >= High)
            FreeBulk(NrPcpFree(), (order, mt));
    }

    /// <summary>drain_zone_pages / drain_pages_zone: every block back to the buddy.</summary>
    public void DrainAll() => FreeBulk(Count, null);

    /// <summary>nr_pcp_free(): before 5.14 batch; since, batch &lt;&lt; free_factor clamped to batch .. high - batch (1 when high &lt; batch), free_factor growing while that is below high - batch.</summary>
    private long NrPcpFree()
    {
        if (Era == PcpEra.Before5_14)
            return Batch;
        if (High < Batch)
            return 1;
        long min = Batch, max = High - Batch;
        long n = Math.Clamp((long)Batch << _freeFactor, min, Math.Max(min, max));
        if (((long)Batch << _freeFactor) < max)
            _freeFactor++;
        return n;
    }

    /// <summary>
    /// free_pcppages_bulk() as 6.1 has it: the given list first, then the others in turn, each
    /// emptied from its tail before the next, until count pages (or all) are freed. A block of
    /// order n counts 2^n, so one THP ends a drain of 63 at once.
    /// </summary>
    private void FreeBulk(long count, (int Order, MigrateType Mt)? first)
    {
        var lists = _lists.Keys.OrderBy(k => k.Order).ThenBy(k => k.Mt).ToList();
        if (first is { } f)
        {
            lists.Remove(f);
            lists.Insert(0, f);
        }
        long freed = 0;
        foreach (var key in lists)
        {
            var list = _lists[key];
            while (freed < count && list.Count > 0)
            {
                int pfn = list.Last!.Value;
                list.RemoveLast();
                Count -= 1L << key.Order;
                freed += 1L << key.Order;
                _zone.Free(pfn, key.Order);
                Drained++;
            }
            if (freed >= count)
                return;
        }
    }

    private LinkedList<int> List(int order, MigrateType mt)
    {
        if (!_lists.TryGetValue((order, mt), out var list))
            _lists.Add((order, mt), list = new LinkedList<int>());
        return list;
    }
}
