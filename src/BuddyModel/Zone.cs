namespace BuddyModel;

/// <summary>
/// struct zone with its free_area[] (include/linux/mmzone.h): the frames
/// zone_start_pfn .. zone_end_pfn - 1 (ZoneConfig.StartPfn, aligned to MAX_ORDER_NR_PAGES).
/// Every pfn it takes or returns is absolute, and buddies are computed on absolute pfns
/// (pfn ^ (1 &lt;&lt; order)) as the kernel does; a guest has one Zone per zone (DMA32, Normal, ...).
/// State only; the algorithms of mm/page_alloc.c are in the other Zone.*.cs files.
///
/// Model simplifications, each a departure from the kernel written down here:
/// - No per-cpu page lists: every free goes straight to __free_one_page, as free_one_page() does.
/// - No guard pages, no highatomic reserve, no CMA, no watermark boosting, no ALLOC_NOFRAGMENT.
/// - struct page is a set of parallel arrays indexed by pfn - zone_start_pfn (flags, order,
///   list links): the zone's own slice of mem_map.
/// - The model remembers which blocks it handed out (PageFlags.Allocated, with order and
///   migratetype), which the kernel does not, so that misuse is refused with a clear error.
/// - The era (KernelEra) switches the few places where free page reporting changed the
///   allocator (5.7, 5.10) and page isolation (6.0: pageblock-granular alloc_contig_range with
///   split_free_page; 6.10: the split under zone->lock in move_freepages_block_isolate and the
///   split free, __free_one_page_maybe_split); everything else is 5.2's in every era: no 6.x
///   per-migratetype free accounting (NR_FREE_PAGES follows the pageblock as in 5.2, also in
///   eras 6.0 and 6.10), no freelist type warnings, no per-order free counts per migratetype.
/// </summary>
public partial class Zone
{
    private readonly PageFlags[] _flags;
    private readonly byte[] _order;       // page_private: order of a free, allocated or held head
    private readonly MigrateType[] _listMt; // which free_list a free head is on; allocation mt of an allocated head
    private readonly MigrateType[] _pageblockMt;
    private readonly int _start;            // zone_start_pfn
    private readonly int[] _nrFree;        // free_area[order].nr_free
    private readonly Random? _shuffle;
    private IFreePageHinting _hinting = NoHinting.Instance;
    private bool _hintingOff = true; // NoHinting plugged in: skip the hook calls on the hot paths
    private readonly PageFlags _keptOnDel;   // hinting flags that survive del_page_from_free_list
    private readonly bool _moveToTail;       // 5.10+: move_to_free_list uses list_move_tail

    /// <summary>A zone of the given configuration behaving like the given kernel (default 5.2).</summary>
    public Zone(ZoneConfig config, KernelEra era = KernelEra.V5_2)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (era > KernelEra.V6_10)
            throw new ArgumentOutOfRangeException(nameof(era), era, "unknown kernel era");
        Config = config;
        Era = era;
        _keptOnDel = era >= KernelEra.V5_7 ? PageFlags.Aerated : HintingFlags;
        _moveToTail = era >= KernelEra.V5_10;
        NrPages = config.NrPages;
        _start = config.StartPfn;
        StartPfn = config.StartPfn;
        EndPfn = config.EndPfn;
        MaxOrder = config.MaxOrder;
        PageblockOrder = config.PageblockOrder;
        Watermark = Watermarks.For(config);
        _flags = new PageFlags[NrPages];
        _order = new byte[NrPages];
        _listMt = new MigrateType[NrPages];
        _pageblockMt = new MigrateType[NrPages >> PageblockOrder];
        Array.Fill(_pageblockMt, MigrateType.Movable); // memmap_init_zone marks every pageblock MOVABLE
        _nrFree = new int[MaxOrder];
        Lists = new FreeListNodes(NrPages + MaxOrder * MigrateTypes.Count, _start);
        for (int order = 0; order < MaxOrder; order++)
            for (int mt = 0; mt < MigrateTypes.Count; mt++)
                Lists.InitHead(HeadOf(order, (MigrateType)mt));
        if (config.ShuffleSeed is int seed)
            _shuffle = new Random(seed);

        // Boot: memblock frees the whole zone as MAX_ORDER-1 blocks in ascending pfn order
        // (5.10+: __free_pages_core passes FPI_TO_TAIL, so the list ends up ascending too).
        var bootFlags = era >= KernelEra.V5_10 ? FreeFlags.SkipNotify | FreeFlags.ToTail : FreeFlags.SkipNotify;
        for (int pfn = StartPfn; pfn < EndPfn; pfn += config.MaxOrderNrPages)
            FreeOnePage(pfn, MaxOrder - 1, MigrateType.Movable, bootFlags);
        Reach.Clear(); // the rules boot reached are not a scenario's doing
    }

    /// <summary>
    /// How often each guarded rule of the model was reached with effect (reachability facts;
    /// not kernel state). A hinting design plugged into several zones makes them share one.
    /// </summary>
    public RuleReach Reach
    {
        get => _reach;
        set => _reach = value ?? throw new ArgumentNullException(nameof(value));
    }

    private RuleReach _reach = new();

    /// <summary>Which kernel's allocator this zone behaves like.</summary>
    public KernelEra Era { get; }

    /// <summary>The configuration this zone was built from.</summary>
    public ZoneConfig Config { get; }

    /// <summary>zone->lock. Every operation of this class expects its caller to hold it.</summary>
    public object Lock { get; } = new();

    /// <summary>Number of page frames (zone->spanned_pages).</summary>
    public int NrPages { get; }

    /// <summary>zone->zone_start_pfn: the zone's first frame.</summary>
    public int StartPfn { get; }

    /// <summary>zone_end_pfn(): one past the zone's last frame (StartPfn + NrPages).</summary>
    public int EndPfn { get; }

    /// <summary>zone_spans_pfn(): whether pfn is one of this zone's frames.</summary>
    public bool SpansPfn(int pfn) => (uint)(pfn - _start) < (uint)NrPages;

    /// <summary>MAX_ORDER.</summary>
    public int MaxOrder { get; }

    /// <summary>pageblock_order.</summary>
    public int PageblockOrder { get; }

    /// <summary>The min/low/high watermarks.</summary>
    public Watermarks Watermark { get; }

    /// <summary>The list_head links of every page and free list.</summary>
    public FreeListNodes Lists { get; }

    /// <summary>NR_FREE_PAGES: free pages on the lists, not counting MIGRATE_ISOLATE pageblocks.</summary>
    public long NrFreePages { get; protected set; }

    /// <summary>zone->nr_isolate_pageblock.</summary>
    public int NrIsolatePageblock { get; protected set; }

    /// <summary>The hinting design plugged into this zone (NoHinting by default).</summary>
    public IFreePageHinting Hinting
    {
        get => _hinting;
        set
        {
            _hinting = value ?? throw new ArgumentNullException(nameof(value));
            _hintingOff = value is NoHinting;
        }
    }

    /// <summary>
    /// Told of every call that changes the free lists or pageblock types (the differential
    /// oracle's feed); null by default. Set it right after construction: the boot frees are
    /// not reported.
    /// </summary>
    public IZoneObserver? Observer { get; set; }

    /// <summary>
    /// Where every store to the pages, the list links and the pageblock bits is recorded, for an
    /// incremental checker (ZoneChangeLog); null by default, which costs one test per store.
    /// </summary>
    public ZoneChangeLog? ChangeLog
    {
        get => _changes;
        set
        {
            _changes = value;
            Lists.Log = value;
        }
    }

    private ZoneChangeLog? _changes;

    /// <summary>Record a store to the page at pfn (flags, order or recorded migratetype): one test when no log is attached.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Touch(int pfn)
    {
        if (_changes is not null)
            TouchLogged(pfn);
    }

    /// <summary>Out of line, so that the allocator's hot paths stay as small as without a log.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void TouchLogged(int pfn) => _changes!.Node(pfn);

    /// <summary>Node id of the sentinel head of free_area[order].free_list[mt].</summary>
    public int ListHead(int order, MigrateType mt)
    {
        ValidateOrder(order);
        if ((uint)mt >= MigrateTypes.Count)
            throw new BadPageException(-1, $"migratetype {(int)mt} out of range");
        return HeadOf(order, mt);
    }

    /// <summary>ListHead without argument checks, for the allocator's own hot paths.</summary>
    private int HeadOf(int order, MigrateType mt) => EndPfn + order * MigrateTypes.Count + (int)mt;

    /// <summary>Whether a node id is a list head rather than a page (heads are numbered after the zone's last frame).</summary>
    public bool IsListHead(int node) => node >= EndPfn;

    /// <summary>The (order, migratetype) of a list head node.</summary>
    public (int Order, MigrateType Mt) ListOfHead(int head)
    {
        int i = head - EndPfn;
        return (i / MigrateTypes.Count, (MigrateType)(i % MigrateTypes.Count));
    }

    /// <summary>free_area[order].nr_free.</summary>
    public int NrFree(int order)
    {
        ValidateOrder(order);
        return _nrFree[order];
    }

    /// <summary>Flags of the page at pfn.</summary>
    public PageFlags Flags(int pfn) => _flags[CheckPfn(pfn) - _start];

    /// <summary>PageBuddy(page).</summary>
    public bool PageBuddy(int pfn) => (_flags[CheckPfn(pfn) - _start] & PageFlags.Buddy) != 0;

    /// <summary>page_order(): the order of a free, allocated or held head page.</summary>
    public int PageOrder(int pfn) => _order[CheckPfn(pfn) - _start];

    /// <summary>For a free head, the migratetype of the free_list it is on; for an allocated head, the migratetype it was allocated as.</summary>
    public MigrateType BlockMigratetype(int pfn) => _listMt[CheckPfn(pfn) - _start];

    /// <summary>get_pageblock_migratetype().</summary>
    public MigrateType GetPageblockMigratetype(int pfn) => _pageblockMt[(CheckPfn(pfn) - _start) >> PageblockOrder];

    /// <summary>Sets a hinting flag (Aerated or Reported) on a free head page. For hinting designs.</summary>
    public void SetPageFlag(int pfn, PageFlags flag)
    {
        if ((flag & ~(PageFlags.Aerated | PageFlags.Reported)) != 0)
            throw new ArgumentException($"only hinting flags may be set from outside the allocator, not {flag}", nameof(flag));
        _flags[CheckPfn(pfn) - _start] |= flag;
        Touch(pfn);
    }

    /// <summary>Clears a hinting flag (Aerated or Reported). For hinting designs.</summary>
    public void ClearPageFlag(int pfn, PageFlags flag)
    {
        if ((flag & ~(PageFlags.Aerated | PageFlags.Reported)) != 0)
            throw new ArgumentException($"only hinting flags may be cleared from outside the allocator, not {flag}", nameof(flag));
        _flags[CheckPfn(pfn) - _start] &= ~flag;
        Touch(pfn);
    }

    /// <summary>Direct access to nr_free for deliberately broken models in tests.</summary>
    protected int[] NrFreeArray => _nrFree;

    /// <summary>A short description of a pfn for messages: zone, pageblock, state.</summary>
    public string Describe(int pfn)
    {
        if (!SpansPfn(pfn))
            return $"pfn {pfn} (outside zone {Config.Name}, {StartPfn}..{EndPfn - 1})";
        var f = _flags[pfn - _start];
        string state = (f & PageFlags.Buddy) != 0 ? $"free order-{_order[pfn - _start]} on free_list[{MigrateTypes.Name(_listMt[pfn - _start])}]"
            : (f & PageFlags.Allocated) != 0 ? $"allocated order-{_order[pfn - _start]} {MigrateTypes.Name(_listMt[pfn - _start])}"
            : (f & PageFlags.Held) != 0 ? $"held order-{_order[pfn - _start]} (isolated from the free lists)"
            : "not a block head";
        return $"pfn {pfn} (zone {Config.Name}, pageblock {pfn >> PageblockOrder} {MigrateTypes.Name(GetPageblockMigratetype(pfn))}, {state})";
    }

    /// <summary>The flags a hinting design owns; the allocator never sets or clears them.</summary>
    private const PageFlags HintingFlags = PageFlags.Aerated | PageFlags.Reported;

    private void SetPageOrder(int pfn, int order, PageFlags state)
    {
        _flags[pfn - _start] = state | (_flags[pfn - _start] & HintingFlags);
        _order[pfn - _start] = (byte)order;
        Touch(pfn);
    }

    /// <summary>The pfn itself, or a BadPageException when it is outside the zone.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private int CheckPfn(int pfn)
    {
        if ((uint)(pfn - _start) >= (uint)NrPages)
            ThrowOutsideZone(pfn);
        return pfn;
    }

    /// <summary>Kept out of line so that the accessors above stay small enough to inline.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ThrowOutsideZone(int pfn) =>
        throw new BadPageException(pfn, OutsideZone);

    /// <summary>"outside zone Normal (pfn 0..255)": the refusal of a pfn this zone does not span.</summary>
    private string OutsideZone => $"outside zone {Config.Name} (pfn {StartPfn}..{EndPfn - 1})";

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void ValidateOrder(int order)
    {
        if ((uint)order >= (uint)MaxOrder)
            ThrowOrderOutOfRange(order);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ThrowOrderOutOfRange(int order) =>
        throw new BadPageException(-1, $"order {order} out of range 0..{MaxOrder - 1}");

    private void ValidateBlock(int pfn, int order)
    {
        ValidateOrder(order);
        if (!SpansPfn(pfn))
            throw new BadPageException(pfn, OutsideZone);
        if ((pfn & ((1 << order) - 1)) != 0)
            throw new BadPageException(pfn, $"not aligned to order {order} (a block of 2^{order} pages starts at a multiple of {1 << order})");
    }
}
