using BuddyModel;

namespace Specs.Oracle;

/// <summary>
/// The placement oracle: the kernel's free lists in their plainest form, fed the same calls as
/// the zone (through IZoneObserver) and compared with it after every step. One List&lt;int&gt; per
/// (order, migratetype), index 0 the head (the block __rmqueue_smallest takes first), a
/// dictionary of free blocks, one of allocated blocks, one of held blocks, and an array of
/// pageblock migratetypes. It shares no code with the zone's lists (FreeListNodes) and repeats
/// the placement rules of mm/page_alloc.c where they decide an order: which end a freed, merged,
/// split, moved or put-back block goes to, which block an allocation takes, and which pageblocks a
/// steal retypes (Placement, Allocation and Pageblocks files of this class).
///
/// What it takes from outside: the calls and their arguments (which block a hinting design
/// chose to take is the design's business), the pfn an allocation returned (compared with the
/// one it takes itself), and the design's "tail" (IFreePageHinting.GetTail) at the moment of a
/// tail insertion. The v1 contract is that tail insertions go in just above the boundary; where
/// the boundary stands is the design's state, checked by No raw block below the boundary, so the
/// oracle asks for it instead of keeping a second copy of v1's boundary rules. It does keep the
/// one list rule a pointer into a list obeys: when the block it points at leaves its list during
/// the same call, the insertion point is the block after it (v1's __aerator_del_from_boundary).
///
/// Adding an operation: the zone's new mutator calls a new IZoneObserver method with its
/// arguments before it acts (after, only when the outcome is the zone's choice, as for an
/// allocation), and this class replays it with the list primitives below (Insert*, Remove,
/// MoveToList, SetPageblock); Compare needs nothing new. One reference per zone: a system of
/// several zones gives each zone its own (the zone's Observer).
///
/// Eras: every era the zone has (KernelEra). The 6.0 and 6.10 rules (one pageblock per
/// set/unset_migratetype_isolate, split_free_page, the 6.10 split of a free block larger than a
/// pageblock when one of its pageblocks changes type or when its pageblocks differ at a free)
/// are written out in the Pageblocks and Placement files; an isolation walk reaches the
/// reference through its steps (IsolatingPageblock, UnisolatingPageblock, SplittingFreePage).
///
/// Not modelled: the same simplifications as the zone (no per-cpu lists, no CMA or highatomic,
/// movable pages counted per allocated head, none of 6.10's retyping on merge or in
/// move_freepages_block). Nothing here reads the zone's lists or flags except Compare.
/// </summary>
public sealed partial class ReferenceLists : IZoneObserver
{
    /// <summary>The invariant name in this oracle's violations.</summary>
    public const string InvariantName = "Placement oracle";

    private readonly List<int>[,] _lists;
    private readonly Dictionary<int, (int Order, MigrateType Mt)> _free = new();
    private readonly Dictionary<int, (int Order, MigrateType Mt)> _allocated = new();
    private readonly Dictionary<int, int> _held = new();
    private readonly MigrateType[] _pageblock;
    private readonly Random? _shuffle;
    private readonly Dictionary<int, int> _departed = new(); // blocks that left a list in this call -> the block after them (-1: the list head)
    private readonly Dictionary<int, Placed> _placed = new();   // why each free block is where it is
    private readonly List<string> _calls = new();
    private Violation? _first;

    /// <summary>A reference for a freshly booted zone (before any call reaches it).</summary>
    public ReferenceLists(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ZoneName = zone.Config.Name;
        NrPages = zone.NrPages;
        StartPfn = zone.StartPfn;
        MaxOrder = zone.MaxOrder;
        PageblockOrder = zone.PageblockOrder;
        Era = zone.Era;
        _lists = new List<int>[MaxOrder, MigrateTypes.Count];
        for (int o = 0; o < MaxOrder; o++)
            for (int mt = 0; mt < MigrateTypes.Count; mt++)
                _lists[o, mt] = new List<int>();
        _pageblock = new MigrateType[NrPages >> PageblockOrder];
        Array.Fill(_pageblock, MigrateType.Movable);
        _changedLists = new DirtySet(MaxOrder * MigrateTypes.Count);
        _changedPageblocks = new DirtySet(_pageblock.Length);
        if (zone.Config.ShuffleSeed is int seed)
            _shuffle = new Random(seed);
        Boot();
    }

    public string ZoneName { get; }
    public int NrPages { get; }

    /// <summary>zone_start_pfn: pfns are absolute, as the zone's are.</summary>
    public int StartPfn { get; }
    public int MaxOrder { get; }
    public int PageblockOrder { get; }
    public KernelEra Era { get; }

    /// <summary>The reference's free_area[order].free_list[mt], head first.</summary>
    public IReadOnlyList<int> List(int order, MigrateType mt) => _lists[order, (int)mt];

    /// <summary>The reference's migratetype of pageblock number index.</summary>
    public MigrateType Pageblock(int index) => _pageblock[index];

    /// <summary>
    /// How the oracle asks the design for its tail (default: the zone's IFreePageHinting.GetTail).
    /// A harness under Coyote wraps the question so that it adds no scheduling point (v1's
    /// aerator_get_tail reads the zone's ACTIVE bit with a Volatile read): the oracle is not
    /// kernel code and must not change the schedules a trace records.
    /// </summary>
    public Func<Zone, int, MigrateType, int> DesignTail { get; set; } = static (zone, order, mt) => zone.Hinting.GetTail(zone, order, mt);

    /// <summary>Tail insertions that went in before a block the design named (v1's boundary), not at the true tail.</summary>
    public int DesignTailInsertions { get; private set; }

    /// <summary>Isolation walk steps replayed: set_migratetype_isolate, unset_migratetype_isolate and split_free_page calls.</summary>
    public int WalkSteps { get; private set; }

    /// <summary>list_rotate_to_front calls replayed (the merged design's cycle).</summary>
    public int Rotations { get; private set; }

    /// <summary>The first call the reference found wrong (a free of a block it does not have, an allocation that took another block), or null.</summary>
    public Violation? FirstFailure => _first;

    /// <summary>
    /// memblock frees the zone as MAX_ORDER-1 blocks in ascending pfn order, each at the head
    /// (5.2, 5.7) or, with FPI_TO_TAIL (5.10+ __free_pages_core), at the tail. No design is
    /// plugged in yet at boot (whatever the zone has now), so a tail is the true tail.
    /// </summary>
    private void Boot()
    {
        _calls.Add("boot");
        var flags = Era >= KernelEra.V5_10 ? FreeFlags.ToTail : FreeFlags.None;
        for (int pfn = StartPfn; pfn < StartPfn + NrPages; pfn += 1 << (MaxOrder - 1))
            FreeOnePage(null, pfn, MaxOrder - 1, MigrateType.Movable, flags);
    }

    // ---- list primitives: the only code that touches _lists and _free ----

    private List<int> ListOf(int order, MigrateType mt) => _lists[order, (int)mt];

    private bool IsFreeHead(int pfn, int order) =>
        (uint)(pfn - StartPfn) < (uint)NrPages && _free.TryGetValue(pfn, out var b) && b.Order == order;

    private void Insert(int pfn, int order, MigrateType mt, int index, Rule rule)
    {
        ListOf(order, mt).Insert(index, pfn);
        _changedLists.Mark(order * MigrateTypes.Count + (int)mt);
        _free.Add(pfn, (order, mt));
        _placed[pfn] = new Placed(rule, _calls.Count - 1);
    }

    private void InsertHead(int pfn, int order, MigrateType mt, Rule rule) => Insert(pfn, order, mt, 0, rule);

    private void InsertTrueTail(int pfn, int order, MigrateType mt, Rule rule) => Insert(pfn, order, mt, ListOf(order, mt).Count, rule);

    /// <summary>Take the free block at pfn off its list; remember the block after it for this call.</summary>
    private void Remove(int pfn)
    {
        var (order, mt) = _free[pfn];
        var list = ListOf(order, mt);
        int i = list.IndexOf(pfn);
        _departed[pfn] = i + 1 < list.Count ? list[i + 1] : -1;
        list.RemoveAt(i);
        _changedLists.Mark(order * MigrateTypes.Count + (int)mt);
        _free.Remove(pfn);
        _placed.Remove(pfn);
    }

    /// <summary>Why a free block stands where it stands: the rule and the call that placed it.</summary>
    private readonly record struct Placed(Rule Rule, int Call);

    private enum Rule : byte
    {
        FreedAtHead,
        MergeLikelyTail,
        ShuffleHead,
        ShuffleTail,
        ToTail,
        HintedTail,
        ExpandHead,
        MovedHead,
        MovedTail,
        Rotated,
    }

    private static string Say(Rule rule) => rule switch
    {
        Rule.FreedAtHead => "freed at the head",
        Rule.MergeLikelyTail => "freed at the tail (buddy_merge_likely: its next-order buddy is free)",
        Rule.ShuffleHead => "freed at the head (shuffle_pick_tail said head)",
        Rule.ShuffleTail => "freed at the tail (shuffle_pick_tail said tail)",
        Rule.ToTail => "freed at the tail (FPI_TO_TAIL)",
        Rule.HintedTail => "put back at the design's tail (a hinted block)",
        Rule.ExpandHead => "split off by expand() at the head",
        Rule.MovedHead => "moved to the head of another migratetype's list",
        Rule.MovedTail => "moved to the tail of another migratetype's list (5.10 move_to_free_list)",
        Rule.Rotated => "moved to the tail by list_rotate_to_front",
        _ => rule.ToString(),
    };

    // ---- bookkeeping of calls and failures ----

    /// <summary>A new call begins: name it for messages and forget the departures of the last one.</summary>
    private bool Begin(string call)
    {
        if (_first is not null)
            return false; // the reference stopped agreeing: the run stops at that violation
        _calls.Add(call);
        _departed.Clear();
        return true;
    }

    private void Fail(string expected, string found, int? order = null, MigrateType? mt = null, long? pfn = null)
    {
        _first ??= new Violation(InvariantName, ZoneName, expected, found, order,
            mt is { } m ? MigrateTypes.Name(m) : null, pfn, $"call #{_calls.Count - 1}: {_calls[^1]}");
    }
}
