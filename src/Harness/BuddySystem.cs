using Specs;
using BuddyModel;
using Specs.Buddy;
using Harness.Operations;
using Specs.Oracle;

namespace Harness;

/// <summary>
/// The buddy allocator under test together with its differential oracle and the blocks the
/// test holds (live allocations, isolated blocks). Applies buddy operations and checks every
/// invariant; knows nothing about test frameworks.
/// </summary>
public class BuddySystem
{
    private readonly List<(int Pfn, int Order)> _live = new();
    private readonly List<(int Pfn, int Order)> _isolated = new();

    public BuddySystem(Zone zone)
    {
        Zone = zone ?? throw new ArgumentNullException(nameof(zone));
        Oracle = new ReferenceModel(zone.NrPages);
        Placement = new ReferenceLists(zone);
        zone.Observer = Placement;
    }

    /// <summary>The zone under test.</summary>
    public Zone Zone { get; }

    /// <summary>The trivially correct reference the zone must agree with.</summary>
    public ReferenceModel Oracle { get; }

    /// <summary>
    /// The placement oracle: the free lists in plain form, fed every call the zone gets (the
    /// zone's Observer), compared list by list and pageblock by pageblock after every step.
    /// </summary>
    public ReferenceLists Placement { get; }

    /// <summary>Blocks allocated by the test and not yet freed, oldest first.</summary>
    public IReadOnlyList<(int Pfn, int Order)> Live => _live;

    /// <summary>Blocks taken off by __isolate_free_page and not yet put back, oldest first.</summary>
    public IReadOnlyList<(int Pfn, int Order)> Isolated => _isolated;

    /// <summary>
    /// Apply one buddy operation under zone->lock. Returns what happened (for the log) and a
    /// violation the oracle saw in the step's answer, if any. Returns null for an operation
    /// this system does not know (a subclass may).
    /// </summary>
    public virtual StepOutcome? Apply(Operation op)
    {
        lock (Zone.Lock)
        {
            switch (op)
            {
                case AllocPages a:
                {
                    int pfn = Zone.Allocate(a.Order, a.Mt);
                    if (pfn < 0)
                        return new StepOutcome("no block: allocation failed", Oracle.OnAllocationFailed(Zone, a.Order));
                    _live.Add((pfn, a.Order));
                    return new StepOutcome($"pfn {pfn}", Oracle.OnAllocated(Zone, pfn, a.Order, a.Mt) ?? OnAllocated(pfn, a.Order));
                }
                case FreePages f:
                {
                    if (_live.Count == 0)
                        return StepOutcome.Skipped("nothing allocated");
                    int i = Index(f.Block, _live.Count);
                    var (pfn, order) = _live[i];
                    _live.RemoveAt(i);
                    var before = OnFreeing(pfn, order);
                    Zone.Free(pfn, order);
                    return new StepOutcome($"freed pfn {pfn} order {order}", before ?? Oracle.OnFreed(pfn, order));
                }
                case SetPageblockMigratetype s:
                {
                    int nr = Zone.NrPages >> Zone.PageblockOrder;
                    int pfn = Index(s.Pageblock, nr) << Zone.PageblockOrder;
                    Zone.SetPageblockMigratetype(pfn, s.Mt);
                    return new StepOutcome($"pageblock at pfn {pfn} is {MigrateTypes.Name(s.Mt)}", null);
                }
                case IsolateFreePage iso:
                {
                    var (pfn, order) = NthFreeBlock(iso.Block);
                    if (pfn < 0)
                        return StepOutcome.Skipped("no free block");
                    if (!Zone.IsolateFreePage(pfn, order))
                        return new StepOutcome($"refused pfn {pfn} order {order}: min watermark", null);
                    _isolated.Add((pfn, order));
                    return new StepOutcome($"isolated pfn {pfn} order {order}", Oracle.OnHeld(pfn, order));
                }
                case PutbackIsolatedPage put:
                {
                    if (_isolated.Count == 0)
                        return StepOutcome.Skipped("nothing isolated");
                    int i = Index(put.Block, _isolated.Count);
                    var (pfn, order) = _isolated[i];
                    _isolated.RemoveAt(i);
                    Zone.PutbackIsolatedPage(pfn, order);
                    return new StepOutcome($"put back pfn {pfn} order {order}", Oracle.OnReturned(pfn, order));
                }
                default:
                    return null;
            }
        }
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
    /// Every invariant of this system, at a point where zone->lock is free: the first violation
    /// or null. The placement oracle is compared under the same hold of zone->lock as the
    /// allocator's invariants (one lock, as before it existed: the Coyote traces replay the same
    /// scheduling points) but reported last, so that a finding a design's own invariant names is
    /// reported by that invariant.
    /// </summary>
    public Violation? CheckInvariants()
    {
        Violation? first, placement;
        lock (Zone.Lock)
        {
            first = BuddyInvariants.CheckAll(Zone) ?? Oracle.Compare(Zone);
            placement = first is null ? Placement.Compare(Zone) : null;
        }
        return first ?? CheckDesignInvariants() ?? placement;
    }

    /// <summary>A design's own invariants, checked after the allocator's and the frame oracle's.</summary>
    protected virtual Violation? CheckDesignInvariants() => null;

    /// <summary>The k-th free block (modulo their number) in pfn order, or (-1, 0) when none is free.</summary>
    private (int Pfn, int Order) NthFreeBlock(int k)
    {
        int count = 0;
        for (int pfn = 0; pfn < Zone.NrPages; pfn++)
            if (Zone.PageBuddy(pfn))
                count++;
        if (count == 0)
            return (-1, 0);
        int target = Index(k, count);
        for (int pfn = 0; pfn < Zone.NrPages; pfn++)
        {
            if (!Zone.PageBuddy(pfn))
                continue;
            if (target-- == 0)
                return (pfn, Zone.PageOrder(pfn));
        }
        return (-1, 0);
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
