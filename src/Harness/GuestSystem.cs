using Aeration.Virtio;
using BuddyModel;
using Specs;
using Specs.Guest;

namespace Harness;

/// <summary>
/// The part of a hinting system that is the same for every design, written once: the guest and
/// its page contents, and the ledger of what the host was told. The guest writes a unique tag
/// into every frame it allocates and checks it when freeing (No data loss); with page poisoning
/// it writes the poison value on free and checks it on allocation (Content contract). The
/// ledger records, per frame, the step of its last allocation, free and hint, so that a design's
/// invariants can ask whether a block was hinted since it was last freed. A design's system
/// derives from this and adds its model, its device and its host.
///
/// The guest's memory is guest-physical frames 0 .. the highest zone_end_pfn of its zones,
/// indexed by absolute pfn as the host sees it (an address is pfn &lt;&lt; PAGE_SHIFT), so the
/// frames of different zones are different frames for the host too; frames in a hole between
/// zones belong to no zone and are never allocated, freed or hinted.
/// </summary>
public abstract class GuestSystem : BuddySystem, IGuest
{
    private readonly long[] _lastFreeSeq;
    private readonly long[] _lastAllocSeq;
    private readonly long[] _lastHintSeq;
    private readonly ulong[] _tag;
    private readonly SortedDictionary<string, int> _facts = new(StringComparer.Ordinal);
    private ulong _nextTag = 1;
    private readonly DirtySet _changedFrames;
    private readonly int[] _liveCount;

    /// <summary>A guest on the zone; memory is the design's guest memory (the host drops into it), or a new one.</summary>
    protected GuestSystem(Zone zone, bool pagePoisoning, ulong poisonValue, GuestMemory? memory = null)
        : this([zone], pagePoisoning, poisonValue, memory)
    {
    }

    /// <summary>A guest on its zones, lowest first; memory covers every frame of them (GuestMemoryPages).</summary>
    protected GuestSystem(IReadOnlyList<Zone> zones, bool pagePoisoning, ulong poisonValue, GuestMemory? memory = null)
        : base(zones)
    {
        PagePoisoning = pagePoisoning;
        PoisonValue = poisonValue;
        int frames = GuestMemoryPages(Zones.Select(z => z.Config).ToList());
        Memory = memory ?? new GuestMemory(frames);
        if (Memory.NrPages < frames)
            throw new ArgumentException($"guest memory of {Memory.NrPages} frames does not cover the zones (pfn 0..{frames - 1})", nameof(memory));
        _lastFreeSeq = new long[frames];
        _lastAllocSeq = new long[frames];
        _lastHintSeq = new long[frames];
        Array.Fill(_lastHintSeq, -1);
        _tag = new ulong[frames];
        _changedFrames = new DirtySet(frames);
        _liveCount = new int[frames];
        Memory.Changes = _changedFrames;
        if (PagePoisoning)
            foreach (var z in Zones)
                for (int p = z.StartPfn; p < z.EndPfn; p++)
                    Memory.Write(p, PoisonValue); // boot frees every page through the poisoning free path
    }

    /// <summary>The guest-physical frames a guest with these zones has: 0 .. the highest zone_end_pfn.</summary>
    public static int GuestMemoryPages(IReadOnlyList<ZoneConfig> zones) => ZoneLayout.EndPfn(zones);

    /// <inheritdoc/>
    public GuestMemory Memory { get; }

    /// <inheritdoc/>
    public bool PagePoisoning { get; }

    /// <inheritdoc/>
    public ulong PoisonValue { get; }

    /// <summary>
    /// The guest's part of the canonical state (exhaustive exploration), after the buddy
    /// system's (zones and handles); a design's system adds its own after this. Kept, and why
    /// it is enough:
    /// - The hint ledger, per frame, as the sign of (last hint - last free): -1, 0 or 1. The
    ///   step numbers grow without bound, but the only question asked of them about a free
    ///   frame is whether its last hint came after its last free (Aerated means hinted), and
    ///   every later update stamps the current step, greater than every stamp already written
    ///   (Seq advances before each step), so the sign after any later step depends on the sign
    ///   now and that step alone (0: freed and hinted in one step). Written as 0 for a frame
    ///   of a live block: it is not asked while the block is live, and the free that ends it
    ///   stamps its last free, which decides the sign from then on. The last allocation's step
    ///   is dropped: it feeds only the "hinted again without reuse" fact, a count.
    /// - The tags of live frames and the content of observable frames, each value replaced by
    ///   its class: values are numbered by first occurrence (tags of live frames in pfn order,
    ///   then contents), with the constants a later step writes or compares against (0, the
    ///   poison value, a design's drop fill: CanonicalContentConstants) numbered first, so they
    ///   keep their numbers in every state. Nothing compares contents but for equality, and a
    ///   tag written later is new (the tag counter only grows), so renaming the other values
    ///   changes no outcome. The counter itself is dropped.
    /// - Which frames are observable: a frame of a live block (No data loss reads its content
    ///   and whether its backing was dropped); with page poisoning, every zone frame's content
    ///   too (the allocation checks the poison), but not a free frame's backing (only messages
    ///   say it). Without poisoning a free frame's content is dead: the allocation that makes it
    ///   live again writes it before anything reads it. The tag of a frame not live is always 0.
    /// Dropped besides: the facts (reachability counts), the configuration (poisoning, poison
    /// value), and the step counter.
    /// </summary>
    public override void WriteCanonicalState(ICanonicalStateSink sink)
    {
        base.WriteCanonicalState(sink);
        int frames = _tag.Length;
        var live = new bool[frames];
        foreach (var (pfn, order) in Live)
            for (int p = pfn; p < pfn + (1 << order) && p < frames; p++)
                live[p] = true;
        for (int p = 0; p < frames; p++)
            sink.Add(live[p] ? 0 : Math.Sign(_lastHintSeq[p] - _lastFreeSeq[p]));
        var classes = new Dictionary<ulong, long>();
        foreach (ulong c in CanonicalContentConstants)
            classes.TryAdd(c, classes.Count);
        long Class(ulong v)
        {
            if (!classes.TryGetValue(v, out long k))
                classes.Add(v, k = classes.Count);
            return k;
        }
        for (int p = 0; p < frames; p++)
            if (live[p])
                sink.Add(Class(_tag[p]));
        var observable = new List<(int, bool)>();
        for (int p = 0; p < frames; p++)
            if (live[p])
                observable.Add((p, true));
            else if (PagePoisoning && Zones.Any(z => z.SpansPfn(p)))
                observable.Add((p, false));
        Memory.WriteCanonicalState(sink, observable, Class);
    }

    /// <summary>Content values a later step writes or compares against, numbered first in the canonical state (a design adds what its host writes).</summary>
    protected virtual IEnumerable<ulong> CanonicalContentConstants => [0UL, PoisonValue];

    /// <summary>Reachability facts: how often each interesting situation was reached.</summary>
    public IReadOnlyDictionary<string, int> Facts => _facts;

    /// <summary>The step counter of the ledger: advanced once per operation (and per recorded host step).</summary>
    protected long Seq { get; set; }

    /// <inheritdoc/>
    public ulong TagOf(int pfn) => _tag[pfn];

    /// <summary>Whether every frame of the block was hinted to the host after its last free by the guest.</summary>
    public bool HintedSinceLastFree(int pfn, int order)
    {
        for (int p = pfn; p < pfn + (1 << order); p++)
            if (_lastHintSeq[p] <= _lastFreeSeq[p])
                return false;
        return true;
    }

    /// <summary>
    /// The host was told about the block (a hint applied, a report acknowledged) at this step.
    /// Returns true when it is a waste: every frame had been told already and was neither
    /// allocated nor freed since.
    /// </summary>
    protected bool RecordHinted(int pfn, int order)
    {
        bool wasted = true;
        for (int p = pfn; p < pfn + (1 << order); p++)
        {
            if (_lastHintSeq[p] <= _lastAllocSeq[p] || _lastHintSeq[p] <= _lastFreeSeq[p])
                wasted = false;
            _lastHintSeq[p] = Seq;
            _changedFrames.Mark(p);
        }
        return wasted;
    }

    /// <summary>Count a reachability fact.</summary>
    protected void Fact(string name) => _facts[name] = _facts.TryGetValue(name, out int n) ? n + 1 : 1;

    /// <summary>
    /// Frames whose content, backing, tag or hint ledger changed, or that joined a live block,
    /// since the last verified check (the guest invariants' incremental checks read them; the
    /// system clears them once a check is verified).
    /// </summary>
    protected DirtySet ChangedFrames => _changedFrames;

    /// <summary>Whether the frame lies in a block of Live.</summary>
    protected bool InLiveBlock(int pfn) => _liveCount[pfn] > 0;

    protected override void DesignCheckVerified() => _changedFrames.Clear();

    protected override void LiveChanged(int pfn, int order, bool live)
    {
        for (int p = pfn; p < pfn + (1 << order) && p < _liveCount.Length; p++)
        {
            _liveCount[p] += live ? 1 : -1;
            if (live)
                _changedFrames.Mark(p);
        }
    }

    protected override Violation? OnAllocated(int pfn, int order)
    {
        var v = ContentContract.CheckHandedOut(this, pfn, order);
        for (int p = pfn; p < pfn + (1 << order); p++)
        {
            _lastAllocSeq[p] = Seq;
            ulong tag = (_nextTag << 20) | (uint)(p - pfn);
            Memory.Write(p, tag);
            _tag[p] = tag;
            _changedFrames.Mark(p);
        }
        _nextTag++;
        return v;
    }

    protected override Violation? OnFreeing(int pfn, int order)
    {
        var v = NoDataLoss.CheckReadBack(this, pfn, order);
        for (int p = pfn; p < pfn + (1 << order); p++)
        {
            _tag[p] = 0;
            _lastFreeSeq[p] = Seq;
            _changedFrames.Mark(p);
            if (PagePoisoning)
                Memory.Write(p, PoisonValue);
        }
        return v;
    }
}
