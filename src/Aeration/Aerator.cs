using Kernel;
using BuddyModel;

namespace Aeration;

/// <summary>
/// The v1 aerator (mm/aeration.c and include/linux/memory_aeration.h of "mm / virtio: Provide
/// support for paravirtual waste page treatment", June 2019): the hooks into the buddy
/// allocator, notify, fill, drain, boundaries, startup and shutdown. The worker cycle is
/// AeratorWorker; shutdown's wait loop is AeratorShutdown.
///
/// Locking as in v1: the hooks, fill, drain and populate run under zone->lock; notify's
/// refcount and flag bits are atomics; a_dev_info is a plain global pointer (read once per use
/// here, so that a torn use after shutdown is visible).
/// </summary>
public class Aerator : IFreePageHinting
{
    private readonly Dictionary<Zone, AerationZone> _byZone = new(ReferenceEqualityComparer.Instance);
    private AeratorDevInfo? _aDevInfo;
    private System.Collections.Immutable.ImmutableList<string> _oopses = System.Collections.Immutable.ImmutableList<string>.Empty;

    public Aerator(IReadOnlyList<Zone> zones, AeratorConfig config)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(config);
        if (zones.Count == 0)
            throw new ArgumentException("the aerator needs at least one zone", nameof(zones));
        if (zones.Any(z => z is null))
            throw new ArgumentException("a zone in the list is null", nameof(zones));
        int maxOrder = zones[0].MaxOrder;
        int minOrder = config.MinOrder ?? zones[0].PageblockOrder;
        foreach (var z in zones)
        {
            if (z.MaxOrder != maxOrder)
                throw new ArgumentException($"zone {z.Config.Name} has MAX_ORDER {z.MaxOrder}, zone {zones[0].Config.Name} has {maxOrder}: MAX_ORDER is global", nameof(zones));
            if (z.PageblockOrder != zones[0].PageblockOrder)
                throw new ArgumentException($"zone {z.Config.Name} has pageblock_order {z.PageblockOrder}, zone {zones[0].Config.Name} has {zones[0].PageblockOrder}: pageblock_order (and so AERATOR_MIN_ORDER) is global", nameof(zones));
            if (z.Hinting is not NoHinting)
                throw new ArgumentException($"zone {z.Config.Name} already has a hinting design ({z.Hinting.GetType().Name}) plugged in", nameof(zones));
            config.Validate(z.MaxOrder);
        }
        if (zones.Distinct(ReferenceEqualityComparer.Instance).Count() != zones.Count)
            throw new ArgumentException("the same zone is listed twice", nameof(zones));
        Config = config;
        MinOrder = minOrder;
        Hwm = config.Hwm;
        Boundary = new AeratorBoundary(minOrder, maxOrder);
        Zones = zones.Select(z => new AerationZone(z)).ToList();
        Reach = zones[0].Reach;
        foreach (var az in Zones)
        {
            _byZone.Add(az.Zone, az);
            az.Zone.Hinting = this;
            az.Zone.Reach = Reach;
        }
    }

    /// <summary>The guarded-rule counter of the system, shared with every zone (reachability facts; not kernel state).</summary>
    public RuleReach Reach { get; }

    /// <summary>
    /// Whether fill keeps the zone above its low watermark (v1: no). A design that does may
    /// leave raw blocks unhinted while memory is low; the progress check excuses those.
    /// </summary>
    public virtual bool KeepsLowWatermark => false;

    /// <summary>The constants in force.</summary>
    public AeratorConfig Config { get; }

    /// <summary>AERATOR_MIN_ORDER.</summary>
    public int MinOrder { get; }

    /// <summary>AERATOR_HWM.</summary>
    public int Hwm { get; }

    /// <summary>The zones, in for_each_populated_zone order.</summary>
    public IReadOnlyList<AerationZone> Zones { get; }

    /// <summary>The global boundary array.</summary>
    public AeratorBoundary Boundary { get; }

    /// <summary>aerator_notify_enabled.</summary>
    public StaticKey NotifyEnabled { get; } = new();

    /// <summary>aerator_work (DECLARE_DELAYED_WORK(aerator_work, aerator_cycle)).</summary>
    public DelayedWork Work { get; } = new("aerator_cycle");

    /// <summary>a_dev_info: the published device, null when none.</summary>
    public AeratorDevInfo? DevInfo => Volatile.Read(ref _aDevInfo);

    /// <summary>Kernel oopses and WARN_ONs the model hit (a NULL a_dev_info, a non-empty batch where v1 warns).</summary>
    public IReadOnlyList<string> Oopses
    {
        get => Volatile.Read(ref _oopses);
    }

    /// <summary>Counters of interesting events, for reachability reports.</summary>
    public AeratorEvents Events { get; } = new();

    /// <summary>The aeration state of a buddy zone.</summary>
    public AerationZone Of(Zone zone) =>
        _byZone.TryGetValue(zone ?? throw new ArgumentNullException(nameof(zone)), out var az) ? az
        : throw new ArgumentException($"zone {zone.Config.Name} is not one of this aerator's zones", nameof(zone));

    /// <summary>Record an oops or WARN_ON: a check the kernel makes at run time and the model reports.</summary>
    public void Oops(string what)
    {
        Tracepoint.Emit("OOPS: " + what);
        // Lock-free (Interlocked), so that recording an oops never blocks a task holding zone->lock.
        var old = Volatile.Read(ref _oopses);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _oopses, old.Add(what), old);
            if (ReferenceEquals(seen, old))
                return;
            old = seen;
        }
    }

    /// <summary>
    /// Canonical state (exhaustive exploration). Kept: whether a_dev_info is published (the
    /// system has one device, so the pointer is that device or NULL), the number of oopses and
    /// WARN_ONs (Device lifetime fails on the first, so an explored state has none: the count
    /// only keeps a failed state apart), the static key's count, the work item, each zone's
    /// flags and nr_free_aerated (AerationZone), and the boundary array while some zone is
    /// ACTIVE. Dropped: the boundary array while no zone is ACTIVE, because every reader of it
    /// (GetTail, DelFromBoundary, No raw block below the boundary) asks only for an ACTIVE zone,
    /// and the one step that makes a zone ACTIVE (PopulateBoundaries) first resets every entry,
    /// so the old entries are never read again; the oopses' texts (messages); Events and Reach
    /// (reachability counters no operation or invariant reads: the harness turns some into
    /// facts); the configuration, MinOrder, Hwm and the zone map (the same in every state); the
    /// Worker reference (wiring). A subclass with state of its own extends this.
    /// </summary>
    public virtual void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(DevInfo is null ? 0 : 1);
        sink.Add(Oopses.Count);
        NotifyEnabled.WriteCanonicalState(sink);
        Work.WriteCanonicalState(sink);
        bool active = false;
        foreach (var az in Zones)
        {
            az.WriteCanonicalState(sink);
            active |= az.Flags.Peek(ZoneFlag.AerationActive);
        }
        sink.Add(active ? 1 : 0);
        if (active)
            Boundary.WriteCanonicalState(sink, Zones.Select(z => z.Zone).ToList());
    }

    // ---------------------------------------------------------------------------------------
    // Hooks into the buddy allocator (include/linux/mmzone.h and memory_aeration.h of v1).
    // All run under zone->lock.
    // ---------------------------------------------------------------------------------------

    /// <summary>
    /// aerator_get_tail(): while the zone is ACTIVE, a "tail" insertion of order >= MIN_ORDER goes
    /// in just above the boundary, so raw blocks never land among aerated ones.
    /// </summary>
    public virtual int GetTail(Zone zone, int order, MigrateType mt)
    {
        if (order >= MinOrder && Of(zone).Flags.Test(ZoneFlag.AerationActive))
        {
            var (bz, node) = Boundary.Get(order, mt);
            if (ReferenceEquals(bz, zone))
                return node;
            Oops($"aerator_get_tail: zone {zone.Config.Name} is ACTIVE but boundary[{order}][{MigrateTypes.Name(mt)}] points into zone {bz?.Config.Name ?? "(unset)"}");
        }
        return zone.ListHead(order, mt);
    }

    /// <summary>
    /// clear_page_aerated(), called from del_page_from_free_area() and move_to_free_area():
    /// an aerated block leaving its list loses the mark, pushes the boundary past itself, and
    /// leaves nr_free_aerated.
    /// </summary>
    public virtual void DelFromFreeList(Zone zone, int pfn, int order, MigrateType mt)
    {
        if ((zone.Flags(pfn) & PageFlags.Aerated) == 0)
            return;
        Reach.Hit(GuardedRule.AeratedBlockLeftList);
        var az = Of(zone);
        if (az.Flags.Test(ZoneFlag.AerationActive))
            DelFromBoundary(zone, pfn, order, mt);
        zone.ClearPageFlag(pfn, PageFlags.Aerated);
        az.NrFreeAerated[order]--;
    }

    /// <summary>aerator_del_from_boundary(): if the block is the boundary, move the boundary to the next node.</summary>
    protected virtual void DelFromBoundary(Zone zone, int pfn, int order, MigrateType mt)
    {
        if (Boundary.Del(zone, pfn, order, mt))
        {
            Events.BoundaryAdvancedOnDelete++;
            Reach.Hit(GuardedRule.BoundaryMovedOnDelete);
        }
    }

    /// <summary>
    /// The end of __free_one_page(): a block that came back from the device and did not merge
    /// (fully_aerated) is marked aerated; any other free may request a pass.
    /// </summary>
    public virtual void FreeOnePageDone(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags, bool merged)
    {
        var az = Of(zone);
        bool fullyAerated = (flags & FreeFlags.Hinted) != 0 && !merged;
        if ((flags & FreeFlags.Hinted) != 0 && merged)
            Reach.Hit(GuardedRule.AeratedDrainMergedStaysRaw);
        if (fullyAerated)
            SetPageAerated(az, pfn, order, mt);
        else if ((flags & FreeFlags.SkipNotify) == 0)
            NotifyFree(az, order);
    }

    /// <summary>v1 has no hook in expand(): raw halves split off a block are not noticed until a later free.</summary>
    public virtual void AddedByExpand(Zone zone, int pfn, int order, MigrateType mt) { }

    /// <summary>set_page_aerated(): count it, mark it, and make it the boundary.</summary>
    protected virtual void SetPageAerated(AerationZone az, int pfn, int order, MigrateType mt)
    {
        az.NrFreeAerated[order]++;
        az.Zone.SetPageFlag(pfn, PageFlags.Aerated);
        Boundary.Add(az.Zone, pfn, order, mt);
    }

    // ---------------------------------------------------------------------------------------
    // Notify.
    // ---------------------------------------------------------------------------------------

    /// <summary>
    /// aerator_notify_free(): the cheap screen on every free, in v1's order: static key, order,
    /// REQUESTED, then at least HWM raw blocks of this order.
    /// </summary>
    protected virtual void NotifyFree(AerationZone az, int order)
    {
        bool enabled = NotifyEnabled.Enabled;
        if (Tracepoint.On)
            Tracepoint.Emit($"static_key_false(&aerator_notify_enabled) answered {(enabled ? "true" : "false")}");
        // Each screen counts its rule only when it alone stopped the notification.
        bool lowOrder = order < MinOrder;
        if (!enabled)
        {
            if (!lowOrder && PassesLaterScreens(az, order))
                Reach.Hit(GuardedRule.AeratorNotifyKeyOff);
            return;
        }
        if (lowOrder)
        {
            if (PassesLaterScreens(az, order))
                Reach.Hit(GuardedRule.AeratorNotifyOrderBelowMin);
            return;
        }
        if (az.Flags.Test(ZoneFlag.AerationRequested))
        {
            if (az.RawBlocks(order) >= Hwm)
                Reach.Hit(GuardedRule.AeratorNotifyAlreadyRequested);
            return;
        }
        if (az.RawBlocks(order) < Hwm)
        {
            Reach.Hit(GuardedRule.AeratorNotifyBelowHwm);
            return;
        }
        Notify(az);
    }

    /// <summary>
    /// For the reachability counts: whether the screens after the one that stopped a
    /// notification would all have let it through (so that screen alone changed the outcome).
    /// Plain reads (Peek), so that counting adds no scheduling point under Coyote.
    /// </summary>
    private bool PassesLaterScreens(AerationZone az, int order) =>
        !az.Flags.Peek(ZoneFlag.AerationRequested) && az.RawBlocks(order) >= Hwm;

    /// <summary>
    /// __aerator_notify(): request a pass of this zone and take a reference for it; the 0 -> 1
    /// transition schedules the worker. a_dev_info is dereferenced without any protection: a
    /// free path that passed the static-key test before shutdown disabled it gets here after
    /// a_dev_info was cleared (the v1 shutdown race).
    /// </summary>
    public virtual void Notify(AerationZone az)
    {
        az.Flags.Set(ZoneFlag.AerationRequested);
        var dev = DevInfo;
        if (Tracepoint.On)
            Tracepoint.Emit($"__aerator_notify({az.Zone.Config.Name}): REQUESTED set, a_dev_info read: {(dev is null ? "NULL" : "the device")}");
        if (dev is null)
        {
            Oops($"__aerator_notify: NULL pointer dereference: a_dev_info is NULL (device shut down) while requesting zone {az}");
            return;
        }
        TakeReference(dev);
    }

    /// <summary>
    /// The rest of __aerator_notify(), after REQUESTED is set: take the zone's reference; the
    /// 0 -> 1 transition (no worker running) schedules the worker, and the batch must be empty then.
    /// </summary>
    protected void TakeReference(AeratorDevInfo dev)
    {
        int old = dev.Refcnt.FetchInc();
        if (Tracepoint.On)
            Tracepoint.Emit($"__aerator_notify: refcnt {old} -> {old + 1}{(old == 0 ? ", schedule_work(aerator_work)" : "")}");
        if (old != 0)
        {
            Reach.Hit(GuardedRule.AeratorNotifyNoSchedule);
            if (Worker?.Running == true)
                Events.RequestedDuringPass++;
            return;
        }
        if (dev.Batch.Count != 0)
            Oops($"__aerator_notify: WARN_ON(!list_empty(&a_dev_info->batch)): {dev.Batch.Count} blocks in the batch when the refcount went 0 -> 1");
        Work.Schedule();
    }

    // ---------------------------------------------------------------------------------------
    // Fill and drain (under zone->lock).
    // ---------------------------------------------------------------------------------------

    /// <summary>
    /// aerator_fill(): from the highest order down to MIN_ORDER, over every migratetype from the
    /// highest down, take raw blocks into the batch until capacity blocks are taken. If the
    /// budget was not used up the zone is done: clear REQUESTED and drop its reference.
    /// </summary>
    public virtual void Fill(AeratorDevInfo dev, AerationZone az)
    {
        int budget = dev.Capacity;
        for (int order = az.Zone.MaxOrder - 1; order >= MinOrder; order--)
        {
            for (int mt = MigrateTypes.Count - 1; mt >= 0; mt--)
            {
                if (!FillsFrom((MigrateType)mt))
                {
                    if (!az.Zone.Lists.IsEmpty(az.Zone.ListHead(order, (MigrateType)mt)))
                        Reach.Hit(GuardedRule.FillSkipsIsolate);
                    continue;
                }
                int pfn;
                while ((pfn = GetAerationPage(az, order, (MigrateType)mt)) >= 0)
                {
                    dev.Batch.Add(new BatchEntry(az, pfn, order, (MigrateType)mt));
                    if (--budget == 0)
                    {
                        Reach.Hit(GuardedRule.FillBudgetUsedUp);
                        return;
                    }
                }
            }
        }
        if (KeepRequested(dev, az))
        {
            Reach.Hit(GuardedRule.FillKeepsRequested);
            return;
        }
        az.Flags.Clear(ZoneFlag.AerationRequested);
        dev.Refcnt.Dec();
        Tracepoint.Emit("aerator_fill: zone done, REQUESTED cleared, refcnt--");
    }

    /// <summary>
    /// Whether a fill that did not use up its budget leaves the zone REQUESTED all the same.
    /// v1: never; the zone is done.
    /// </summary>
    protected virtual bool KeepRequested(AeratorDevInfo dev, AerationZone az) => false;

    /// <summary>
    /// Whether fill takes blocks from this migratetype's lists. v1 walks every list, ISOLATE
    /// included (for_each_aerate_migratetype_order).
    /// </summary>
    protected virtual bool FillsFrom(MigrateType mt) => true;

    /// <summary>
    /// get_aeration_page(): the last raw block above the boundary. If that one is aerated (a
    /// block left above the boundary by an earlier pass), take the list's first block instead;
    /// if that is aerated too, the whole list is aerated: make it the boundary and stop.
    /// The block leaves the list and NR_FREE_PAGES directly, with no watermark check (v1).
    /// Returns the pfn, or -1.
    /// </summary>
    protected virtual int GetAerationPage(AerationZone az, int order, MigrateType mt)
    {
        var zone = az.Zone;
        int page = AerationCandidate(az, order, mt, out bool tookFirst, out bool allAerated);
        if (allAerated)
        {
            Reach.Hit(GuardedRule.AerationPageListAllAerated);
            Boundary.Add(zone, zone.Lists.Next(zone.ListHead(order, mt)), order, mt);
            return -1;
        }
        if (page < 0)
            return -1;
        if (tookFirst)
            Reach.Hit(GuardedRule.AerationPageTakesFirst);
        zone.DetachFreeBlock(page, order);
        return page;
    }

    /// <summary>
    /// The choice of get_aeration_page without taking anything: the last raw block above the
    /// boundary, or (tookFirst) when that one is aerated the list's first block; -1 when the
    /// list is empty or (allAerated) its first block is aerated too.
    /// </summary>
    protected int AerationCandidate(AerationZone az, int order, MigrateType mt, out bool tookFirst, out bool allAerated)
    {
        var zone = az.Zone;
        tookFirst = false;
        allAerated = false;
        int list = zone.ListHead(order, mt);
        int page = zone.Lists.Prev(GetTail(zone, order, mt));
        if (page == list)
            return -1;
        if ((zone.Flags(page) & PageFlags.Aerated) != 0)
        {
            page = zone.Lists.Next(list);
            if ((zone.Flags(page) & PageFlags.Aerated) != 0)
            {
                allAerated = true;
                return -1;
            }
            tookFirst = true;
        }
        return page;
    }

    /// <summary>aerator_populate_boundaries(): first drain of a pass: every boundary at its list head, then ACTIVE.</summary>
    public virtual void PopulateBoundaries(AerationZone az)
    {
        if (az.Flags.Test(ZoneFlag.AerationActive))
        {
            if (AnyBoundaryAwayFromHead(az))
                Reach.Hit(GuardedRule.PopulateKeepsBoundaries);
            return;
        }
        for (int order = az.Zone.MaxOrder - 1; order >= MinOrder; order--)
            for (int mt = MigrateTypes.Count - 1; mt >= 0; mt--)
                Boundary.Reset(az.Zone, order, (MigrateType)mt);
        az.Flags.Set(ZoneFlag.AerationActive);
    }

    /// <summary>
    /// The end of aerator_scrub_zone(), under zone->lock: clear ACTIVE, so that the global
    /// boundary array is free for the next zone (only one zone may be ACTIVE at a time).
    /// Virtual only as a seam for deliberately broken aerators in tests.
    /// </summary>
    public virtual void EndScrub(AerationZone az)
    {
        ArgumentNullException.ThrowIfNull(az);
        az.Flags.Clear(ZoneFlag.AerationActive);
    }

    /// <summary>For the reachability counts: whether a reset would move some boundary of the zone (one not at its list head).</summary>
    private bool AnyBoundaryAwayFromHead(AerationZone az)
    {
        for (int order = MinOrder; order < az.Zone.MaxOrder; order++)
            for (int mt = 0; mt < MigrateTypes.Count; mt++)
                if (Boundary.Get(order, (MigrateType)mt) != (az.Zone, az.Zone.ListHead(order, (MigrateType)mt)))
                    return true;
        return false;
    }

    /// <summary>aerator_drain(): return every batch block through put_aeration_page().</summary>
    public virtual void Drain(AeratorDevInfo dev, AerationZone az)
    {
        while (true)
        {
            BatchEntry e;
            if (dev.Batch.Count == 0)
                return;
            e = dev.Batch[0];
            dev.Batch.RemoveAt(0);
            PutAerationPage(e);
        }
    }

    /// <summary>
    /// put_aeration_page(): free the block through __free_one_page(..., aerated = true) with the
    /// recorded migratetype, or the pageblock's when isolation is about.
    /// </summary>
    protected virtual void PutAerationPage(BatchEntry e)
    {
        var zone = e.Zone.Zone;
        var mt = e.Mt;
        if (zone.NrIsolatePageblock > 0 || mt == MigrateType.Isolate)
        {
            mt = zone.GetPageblockMigratetype(e.Pfn);
            if (mt != e.Mt)
                Reach.Hit(GuardedRule.DrainUsesPageblockType);
        }
        zone.PutbackHeldBlock(e.Pfn, e.Order, mt, FreeFlags.Hinted);
    }

    // ---------------------------------------------------------------------------------------
    // Startup and shutdown.
    // ---------------------------------------------------------------------------------------

    /// <summary>The worker that runs aerator_cycle (set by whoever executes the work).</summary>
    public AeratorWorker? Worker { get; set; }

    /// <summary>
    /// aerator_startup(): refuse a second device (-EBUSY); reset the batch and refcount; publish
    /// the device; request every populated zone once, under its lock; then enable notification.
    /// </summary>
    public virtual int Startup(AeratorDevInfo dev)
    {
        ArgumentNullException.ThrowIfNull(dev);
        if (DevInfo != null)
        {
            Reach.Hit(GuardedRule.AeratorStartupBusy);
            return -16; // -EBUSY
        }
        dev.Batch.Clear();
        dev.Refcnt.Set(0);
        Volatile.Write(ref _aDevInfo, dev);
        foreach (var az in Zones)
        {
            az.Lock.Lock();
            Notify(az);
            az.Lock.Unlock();
        }
        NotifyEnabled.SlowInc();
        return 0;
    }

    /// <summary>Unpublish the device: the last step of aerator_shutdown() (a_dev_info = NULL).</summary>
    public void Unpublish()
    {
        Volatile.Write(ref _aDevInfo, null);
        Tracepoint.Emit("a_dev_info = NULL");
    }
}
