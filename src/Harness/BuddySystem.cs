using Specs;
using BuddyModel;
using Specs.Buddy;
using Harness.Operations;
using Specs.Oracle;
using Specs.Incremental;

namespace Harness;

/// <summary>
/// The buddy allocator under test together with its differential oracle and the blocks the
/// test holds (live allocations, isolated blocks). Applies buddy operations and checks every
/// invariant; knows nothing about test frameworks.
///
/// A guest may have several zones (ZoneLayout: ascending, disjoint pfn ranges); every pfn is
/// absolute, so a live or isolated block names its zone by its pfn (ZoneOf). Each zone has its
/// own oracle, and the invariants are checked zone by zone, each under its own zone->lock.
/// </summary>
public class BuddySystem
{
    private readonly List<(int Pfn, int Order)> _live = new();
    private readonly List<(int Pfn, int Order)> _isolated = new();
    private readonly List<(int Start, int End)> _isolatedRanges = new();
    private readonly ReferenceModel[] _oracles;
    private readonly ReferenceLists[] _placements;

    public BuddySystem(Zone zone)
        : this([zone ?? throw new ArgumentNullException(nameof(zone))])
    {
    }

    /// <summary>A guest of several zones, lowest first.</summary>
    public BuddySystem(IReadOnlyList<Zone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ZoneLayout.Validate(zones.Select(z => (z ?? throw new ArgumentException("a zone in the list is null", nameof(zones))).Config).ToList());
        Zones = zones.ToArray();
        Zone = Zones[0];
        _oracles = Zones.Select(z => new ReferenceModel(z.NrPages, z.StartPfn)).ToArray();
        _placements = Zones.Select(z =>
        {
            var reference = new ReferenceLists(z);
            z.Observer = reference;
            return reference;
        }).ToArray();
    }

    /// <summary>The zone under test (the first zone).</summary>
    public Zone Zone { get; }

    /// <summary>Every zone of the guest, lowest first.</summary>
    public IReadOnlyList<Zone> Zones { get; }

    /// <summary>The trivially correct reference of each zone (the frame oracle), in the order of Zones.</summary>
    public IReadOnlyList<ReferenceModel> Oracles => _oracles;

    /// <summary>page_zone(): the zone that spans pfn (the first zone when none does, so that the zone's own checks refuse the pfn).</summary>
    public Zone ZoneOf(int pfn)
    {
        for (int i = 0; i < Zones.Count; i++) // indexed: an enumerator of the list would be allocated on every step
            if (Zones[i].SpansPfn(pfn))
                return Zones[i];
        return Zone;
    }

    /// <summary>The reference of the zone that spans pfn.</summary>
    public ReferenceModel OracleOf(int pfn)
    {
        for (int i = 0; i < Zones.Count; i++)
            if (Zones[i].SpansPfn(pfn))
                return _oracles[i];
        return _oracles[0];
    }

    /// <summary>Zone number k of an operation, read modulo the number of zones.</summary>
    protected Zone PickZone(int k) => Zones[Index(k, Zones.Count)];

    /// <summary>
    /// The placement oracle of each zone, in the order of Zones: the free lists in plain form,
    /// fed every call the zone gets (the zone's Observer), compared list by list and pageblock
    /// by pageblock after every step.
    /// </summary>
    public IReadOnlyList<ReferenceLists> Placements => _placements;

    /// <summary>
    /// The system's canonical state for exhaustive exploration: every zone's
    /// (Zone.WriteCanonicalState), then the test's handles as sets, not lists: the live blocks,
    /// the held blocks and the isolated ranges, each sorted by pfn. An operation names a handle
    /// by its position in the list (oldest first), so two states that differ only in that order
    /// have the same successors up to renaming the operations; the explorer names each handle
    /// by its block when it enumerates the moves, so the order can be dropped. Whether a walk is
    /// under way is in its zone's state. A design's own state is written by its system
    /// (CanonicalStateMissing says when a system cannot be explored: a test-only part whose state is not written).
    /// </summary>
    public virtual void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        foreach (var z in Zones)
            z.WriteCanonicalState(sink);
        WriteSorted(sink, _live.Select(b => ((long)b.Pfn << 8) | (uint)b.Order));
        WriteSorted(sink, _isolated.Select(b => ((long)b.Pfn << 8) | (uint)b.Order));
        WriteSorted(sink, _isolatedRanges.Select(r => ((long)r.Start << 32) | (uint)r.End));
    }

    private static void WriteSorted(ICanonicalStateSink sink, IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        sink.Add(sorted.Length);
        foreach (long v in sorted)
            sink.Add(v);
    }

    /// <summary>
    /// Why this system's state cannot be written canonically (null: it can): a part of a type
    /// whose state Zone.WriteCanonicalState (or a design's writer) leaves out. A zone of a
    /// derived type (a deliberately broken allocator) is covered when it adds no state
    /// (CanonicalCoverage says what that means); a design adds its own parts.
    /// </summary>
    public virtual string? CanonicalStateMissing =>
        Zones.Select(z => CanonicalCoverage.Missing(z, typeof(Zone), "zone")).FirstOrDefault(m => m is not null);

    /// <summary>Blocks allocated by the test and not yet freed, oldest first.</summary>
    public IReadOnlyList<(int Pfn, int Order)> Live => _live;

    /// <summary>The start_isolate_page_range() or undo_isolate_page_range() under way, if any (one at a time: one caller of alloc_contig_range).</summary>
    public PageIsolationWalk? Walk { get; private set; }

    /// <summary>Ranges a finished start_isolate_page_range() isolated and no undo has begun on, oldest first.</summary>
    public IReadOnlyList<(int Start, int End)> IsolatedRanges => _isolatedRanges;

    /// <summary>Blocks taken off by __isolate_free_page and not yet put back, oldest first.</summary>
    public IReadOnlyList<(int Pfn, int Order)> Isolated => _isolated;

    /// <summary>
    /// Apply one buddy operation under zone->lock. Returns what happened (for the log) and a
    /// violation the oracle saw in the step's answer, if any. Returns null for an operation
    /// this system does not know (a subclass may).
    /// </summary>
    public virtual StepOutcome? Apply(Operation op)
    {
        // The zone the step works in: the one it names, or the one its block lies in.
        Zone zone = op switch
        {
            AllocPages a => PickZone(a.Zone),
            SetPageblockMigratetype s => PickZone(s.Zone),
            IsolateFreePage iso => PickZone(iso.Zone),
            FreePages f when _live.Count > 0 => ZoneOf(_live[Index(f.Block, _live.Count)].Pfn),
            PutbackIsolatedPage p when _isolated.Count > 0 => ZoneOf(_isolated[Index(p.Block, _isolated.Count)].Pfn),
            StartIsolatePageRange r when Walk is null => PickZone(r.Zone),
            UndoIsolatePageRange u when Walk is null && _isolatedRanges.Count > 0 => ZoneOf(_isolatedRanges[Index(u.Range, _isolatedRanges.Count)].Start),
            IsolationStep when Walk is { } w => w.Zone,
            _ => Zone,
        };
        var oracle = _oracles[IndexOfZone(zone)];
        string where = Zones.Count > 1 ? $" in {zone.Config.Name}" : "";
        lock (zone.Lock)
        {
            switch (op)
            {
                case AllocPages a:
                {
                    int pfn = zone.Allocate(a.Order, a.Mt);
                    if (pfn < 0)
                        return new StepOutcome($"no block{where}: allocation failed", oracle.OnAllocationFailed(zone, a.Order));
                    _live.Add((pfn, a.Order));
                    LiveChanged(pfn, a.Order, true);
                    return new StepOutcome($"pfn {pfn}{where}", oracle.OnAllocated(zone, pfn, a.Order, a.Mt) ?? OnAllocated(pfn, a.Order));
                }
                case FreePages f:
                {
                    if (_live.Count == 0)
                        return StepOutcome.Skipped("nothing allocated");
                    int i = Index(f.Block, _live.Count);
                    var (pfn, order) = _live[i];
                    _live.RemoveAt(i);
                    LiveChanged(pfn, order, false);
                    var before = OnFreeing(pfn, order);
                    zone.Free(pfn, order);
                    return new StepOutcome($"freed pfn {pfn} order {order}", before ?? oracle.OnFreed(pfn, order));
                }
                case SetPageblockMigratetype s:
                {
                    int nr = zone.NrPages >> zone.PageblockOrder;
                    int pfn = zone.StartPfn + (Index(s.Pageblock, nr) << zone.PageblockOrder);
                    if (TouchesWalkRange(zone, pfn, s.Mt) is { } owner)
                        return StepOutcome.Skipped($"pageblock at pfn {pfn} lies in {owner}, which only its walk isolates and gives back");
                    zone.SetPageblockMigratetype(pfn, s.Mt);
                    return new StepOutcome($"pageblock at pfn {pfn} is {MigrateTypes.Name(s.Mt)}", null);
                }
                case IsolateFreePage iso:
                {
                    var (pfn, order) = NthFreeBlock(zone, iso.Block);
                    if (pfn < 0)
                        return StepOutcome.Skipped($"no free block{where}");
                    if (!zone.IsolateFreePage(pfn, order))
                        return new StepOutcome($"refused pfn {pfn} order {order}: min watermark", null);
                    _isolated.Add((pfn, order));
                    return new StepOutcome($"isolated pfn {pfn} order {order}", oracle.OnHeld(pfn, order));
                }
                case PutbackIsolatedPage put:
                {
                    if (_isolated.Count == 0)
                        return StepOutcome.Skipped("nothing isolated");
                    int i = Index(put.Block, _isolated.Count);
                    var (pfn, order) = _isolated[i];
                    _isolated.RemoveAt(i);
                    zone.PutbackIsolatedPage(pfn, order);
                    return new StepOutcome($"put back pfn {pfn} order {order}", oracle.OnReturned(pfn, order));
                }
                case StartIsolatePageRange r:
                    return StartWalk(zone, r);
                case UndoIsolatePageRange u:
                    return UndoWalk(u);
                case IsolationStep:
                    return StepWalk();
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// Isolation has owners: in the kernel only the caller that isolated a range gives it back
    /// (undo_isolate_page_range), and a second isolator is refused by set_migratetype_isolate().
    /// The one-step SetPageblockMigratetype isolates or gives back a whole MAX_ORDER range with
    /// no such refusal, so it is kept off a range a walk is converting or has isolated (found
    /// when a "set to Movable" gave back pageblocks in the middle of another caller's walk).
    /// Changes between the allocatable types stay allowed everywhere.
    /// </summary>
    private string? TouchesWalkRange(Zone zone, int pfn, MigrateType mt)
    {
        if (mt != MigrateType.Isolate && zone.GetPageblockMigratetype(pfn) != MigrateType.Isolate)
            return null;
        int start = pfn & ~(zone.Config.MaxOrderNrPages - 1);
        int end = start + zone.Config.MaxOrderNrPages;
        if (Walk is { } w && w.StartPfn < end && start < w.EndPfn)
            return w.ToString();
        foreach (var (s, e) in _isolatedRanges)
            if (s < end && start < e)
                return $"the range pfn {s}..{e - 1} isolated by start_isolate_page_range";
        return null;
    }

    /// <summary>start_isolate_page_range() over pageblocks of the zone the step names (absolute pfns; the range stays inside that zone).</summary>
    private StepOutcome StartWalk(Zone zone, StartIsolatePageRange r)
    {
        if (Walk is not null)
            return StepOutcome.Skipped($"{Walk} is under way");
        int nr = zone.NrPages >> zone.PageblockOrder;
        int first = Index(r.Pageblock, nr);
        int count = Index(r.Pageblocks - 1, nr - first) + 1;
        Walk = PageIsolationWalk.Start(zone, zone.StartPfn + (first << zone.PageblockOrder), zone.StartPfn + ((first + count) << zone.PageblockOrder));
        return new StepOutcome($"{Walk} begins", null);
    }

    private StepOutcome UndoWalk(UndoIsolatePageRange u)
    {
        if (Walk is not null)
            return StepOutcome.Skipped($"{Walk} is under way");
        if (_isolatedRanges.Count == 0)
            return StepOutcome.Skipped("no isolated range");
        int i = Index(u.Range, _isolatedRanges.Count);
        var (start, end) = _isolatedRanges[i];
        _isolatedRanges.RemoveAt(i);
        Walk = PageIsolationWalk.Undo(ZoneOf(start), start, end);
        return new StepOutcome($"{Walk} begins", null);
    }

    private StepOutcome StepWalk()
    {
        if (Walk is not { } walk)
            return StepOutcome.Skipped("no isolation walk under way");
        string did = walk.Step();
        if (walk.Done)
        {
            if (walk.Direction == IsolationDirection.Isolating && walk.Result == 0)
                _isolatedRanges.Add((walk.StartPfn, walk.EndPfn));
            Walk = null;
        }
        return new StepOutcome(did, null);
    }

    private int IndexOfZone(Zone zone)
    {
        for (int i = 0; i < Zones.Count; i++)
            if (ReferenceEquals(Zones[i], zone))
                return i;
        return 0;
    }

    /// <summary>A block joined (live) or left the test's live blocks (Live): a hook for content models' incremental checks.</summary>
    protected virtual void LiveChanged(int pfn, int order, bool live)
    {
    }

    /// <summary>The guest got a block from the allocator (under zone->lock): a hook for content models.</summary>
    protected virtual Violation? OnAllocated(int pfn, int order) => null;

    /// <summary>The guest is about to free a block (under zone->lock): a hook for content models.</summary>
    protected virtual Violation? OnFreeing(int pfn, int order) => null;

    /// <summary>
    /// The end of a scenario: settle whatever is still running and check what must hold once
    /// nothing else happens. Appends what it did to the log. The buddy model has nothing to settle.
    /// </summary>
    public virtual Violation? Finish(List<string> log) => null;

    /// <summary>
    /// Whether CheckInvariants may check only what changed since its last verified check (the
    /// default). Off, every check is the full one. The incremental check answers exactly as the
    /// full one does, violation and message alike (Specs.Incremental.ZoneDelta says why, per
    /// invariant; IncrementalCheckTests compare the two over generated scenarios and every
    /// broken model): it only decides that nothing can have broken, and hands every other case
    /// to the full check.
    /// </summary>
    public bool IncrementalChecks { get; set; } = true;

    /// <summary>With incremental checks, every FullCheckInterval-th check is a full one anyway (default 256).</summary>
    public int FullCheckInterval
    {
        get => _fullCheckInterval;
        set => _fullCheckInterval = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1");
    }

    private int _fullCheckInterval = 256;
    private ZoneDelta[]? _deltas;
    private bool _verified;   // the last check passed, and every record of changes starts from its state
    private int _sinceFull;   // incremental checks since the last full one

    /// <summary>Full checks run (bookkeeping for tests and the bench: how often the incremental path handed over).</summary>
    public long FullChecks { get; private set; }

    /// <summary>
    /// Every invariant of this system, at a point where zone->lock is free: the first violation
    /// or null. The placement oracle is compared under the same hold of zone->lock as the
    /// allocator's invariants (one lock, as before it existed: the Coyote traces replay the same
    /// scheduling points) but reported last, so that a finding a design's own invariant names is
    /// reported by that invariant.
    ///
    /// Incrementally (IncrementalChecks): zone by zone, under the same one hold of its lock,
    /// the zone's changes are checked (buddy invariants, frame oracle, placement oracle); a zone
    /// whose changes cannot be shown harmless is checked in full, and so is every zone after it
    /// and the design. Then the design's changes, else its full invariants. The first check, and
    /// the one after a violation, runs the same incremental code over everything (an answer
    /// "holds" from it needs no earlier state) and the design in full. A full check is followed
    /// by a resync of the records (ZoneDelta.Resync), so that the next check can be incremental
    /// again.
    /// </summary>
    public Violation? CheckInvariants() => Check(inFull: false);

    /// <summary>
    /// CheckInvariants with the full check, whatever IncrementalChecks says (the end of a run:
    /// ScenarioRunner); the records of changes start afresh from here as after any full check.
    /// </summary>
    public Violation? CheckInvariantsInFull() => Check(inFull: true);

    private Violation? Check(bool inFull)
    {
        if (!IncrementalChecks)
        {
            _verified = false;
            FullChecks++;
            return CheckEveryInvariant();
        }
        _deltas ??= Zones.Select(z => new ZoneDelta(z)).ToArray();
        // Three ways to check a zone: from its changes (the last check was verified); from
        // everything, with the same code (after a construction or a failed check: an answer
        // true needs no earlier state); in full (every FullCheckInterval-th check, on request,
        // or when the other two cannot show the zone sound). The design goes from its changes
        // only when every zone did.
        bool inFullNow = inFull || (_verified && _sinceFull >= _fullCheckInterval);
        bool fromChanges = _verified && !inFullNow;
        bool anyFull = inFullNow;
        bool strict = true;
        _verified = false;
        Violation? placement = null;
        for (int i = 0; i < Zones.Count; i++)
        {
            var zone = Zones[i];
            lock (zone.Lock)
            {
                if (!anyFull && ZoneChangesHold(i, everything: !fromChanges))
                    continue;
                anyFull = true;
                fromChanges = false;
                if ((BuddyInvariants.CheckAll(zone) ?? _oracles[i].Compare(zone)) is { } v)
                    return v;
                placement ??= _placements[i].Compare(zone);
                strict &= placement is null && Resync(i);
            }
        }
        if (anyFull)
            FullChecks++;
        var result = (fromChanges && DesignChangesHold() ? null : CheckDesignInvariants()) ?? placement;
        if (result is not null)
            return result;
        DesignCheckVerified();
        _verified = strict;
        _sinceFull = anyFull ? 0 : _sinceFull + 1;
        return null;
    }

    /// <summary>The zone's changes since the last verified check, checked; on true the records move on (under zone->lock).</summary>
    private bool ZoneChangesHold(int i, bool everything)
    {
        var delta = _deltas![i];
        delta.Begin(everything);
        _oracles[i].MarkChanges(delta);
        if (!(delta.Holds() && _oracles[i].ChangesCompareEqual(delta) && _placements[i].ChangesCompareEqual(delta)))
        {
            delta.Abandon();
            return false;
        }
        delta.Commit();
        _oracles[i].ForgetChanges();
        _placements[i].ForgetChanges();
        return true;
    }

    /// <summary>After a full check of zone i passed: its records start from here (false: its shape is not strict, so stay with full checks).</summary>
    private bool Resync(int i)
    {
        _oracles[i].ForgetChanges();
        _placements[i].ForgetChanges();
        return _deltas![i].Resync();
    }

    /// <summary>The full check: every invariant of every zone, the design's, the placement oracle's last.</summary>
    private Violation? CheckEveryInvariant()
    {
        Violation? placement = null;
        for (int i = 0; i < Zones.Count; i++)
        {
            var zone = Zones[i];
            lock (zone.Lock)
            {
                if ((BuddyInvariants.CheckAll(zone) ?? _oracles[i].Compare(zone)) is { } v)
                    return v;
                placement ??= _placements[i].Compare(zone);
            }
        }
        return CheckDesignInvariants() ?? placement;
    }

    /// <summary>
    /// The incremental records of every zone, as of the last verified check (null before the
    /// first check with IncrementalChecks): a design's DesignChangesHold reads the changed pages
    /// and touched lists there.
    /// </summary>
    protected IReadOnlyList<ZoneDelta>? ZoneDeltas => _deltas;

    /// <summary>
    /// Whether the design's own invariants surely hold, judged from what changed since the last
    /// verified check (every zone's changes are verified and readable in ZoneDeltas when this
    /// is asked). false (the default): check them in full.
    /// </summary>
    protected virtual bool DesignChangesHold() => false;

    /// <summary>The check passed: a design's records of changes start from here.</summary>
    protected virtual void DesignCheckVerified()
    {
    }

    /// <summary>A design's own invariants, checked after the allocator's and the frame oracle's, before the placement oracle's.</summary>
    protected virtual Violation? CheckDesignInvariants() => null;

    /// <summary>The k-th free block of the zone (modulo their number) in pfn order, or (-1, 0) when none is free.</summary>
    private static (int Pfn, int Order) NthFreeBlock(Zone zone, int k)
    {
        int count = FreeBlocks(zone);
        if (count == 0)
            return (-1, 0);
        int target = Index(k, count);
        for (int pfn = zone.StartPfn; pfn < zone.EndPfn; pfn++)
        {
            if (!zone.PageBuddy(pfn))
                continue;
            if (target-- == 0)
                return (pfn, zone.PageOrder(pfn));
        }
        return (-1, 0);
    }

    /// <summary>The free blocks of the zone (the candidates an __isolate_free_page step picks among).</summary>
    public static int FreeBlocks(Zone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        int count = 0;
        for (int pfn = zone.StartPfn; pfn < zone.EndPfn; pfn++)
            if (zone.PageBuddy(pfn))
                count++;
        return count;
    }

    /// <summary>A block-picking argument read modulo the number of candidates (negative values count too).</summary>
    protected static int Index(int k, int count) => (int)(((long)k % count + count) % count);
}

/// <summary>What one step did: a short note for the log, and a violation seen in its answer.</summary>
public sealed record StepOutcome(string Note, Violation? Violation)
{
    /// <summary>The step had nothing to act on and changed nothing.</summary>
    public static StepOutcome Skipped(string why) => new($"skipped: {why}", null);
}
