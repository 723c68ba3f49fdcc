using Aeration;
using BuddyModel;
using Specs.Aeration;
using Specs.Guest;

namespace Specs.Incremental;

/// <summary>
/// The incremental check of the v1 design's own invariants (AerationInvariants, then the
/// guest's No data loss), asked once every zone's changes are verified (ZoneDelta, committed:
/// its Checked log is the changes this check covers). As ZoneDelta: true means "surely every one
/// holds", false hands over to the full check. Per invariant, why the changes are enough:
/// - Device lifetime, Refcount accounting, Well-formed hints: a few fields each; checked in
///   full every time.
/// - Aerated accounting: the aerated blocks per list are counted by the zone's walks (a list
///   with no changed node keeps its verified count, and a flag change is a changed node), and
///   compared with nr_free_aerated of every order in full; the per-page rule (PageAerated only
///   on free heads of order >= MIN_ORDER) depends on the page's own flags and order: checked on
///   every changed page.
/// - No raw block below the boundary: a list's verdict depends on its nodes, their flags, its
///   boundary and whether its zone is ACTIVE. Checked again: every list whose boundary moved
///   (the boundaries are compared with a copy), every list of an ACTIVE zone the zone's walks
///   touched, and every list of every ACTIVE zone when the set of ACTIVE zones changed.
/// - Aerated means hinted: depends on a free aerated head's flags and order and on the hint
///   ledger of its frames. Checked on every changed page, and on the head covering every frame
///   whose ledger changed (the guest records those frames, ChangedFrames).
/// - No data loss: depends on a live frame's content, backing and tag, and on which frames are
///   live. Checked on every frame whose content, backing or tag changed or that became live.
/// </summary>
public sealed class AerationDelta
{
    private readonly (Zone? Zone, int Node)[] _boundary;
    private readonly bool[] _active;
    private long _boundaryVersion = -1; // AeratorBoundary.Version when _boundary was copied
    private readonly DeviceLifetime _deviceLifetime = new();
    private readonly RefcountAccounting _refcount = new();
    private readonly WellFormedHints _wellFormed = new();
    private readonly NoRawBelowBoundary _noRaw = new();
    private bool _recorded;

    public AerationDelta(Aerator aerator)
    {
        ArgumentNullException.ThrowIfNull(aerator);
        int orders = aerator.Zones[0].Zone.MaxOrder - aerator.MinOrder;
        _boundary = new (Zone?, int)[Math.Max(0, orders) * MigrateTypes.Count];
        _active = new bool[aerator.Zones.Count];
    }

    /// <summary>
    /// Whether every aeration and guest invariant surely holds. zones: every zone's delta, in
    /// the order of s.Zones (and of the aerator's zones); changedFrames: the guest's frames
    /// that changed (ChangedFrames); inLiveBlock: whether a frame lies in a live block.
    /// </summary>
    public bool Holds(IAerationSubject s, IReadOnlyList<ZoneDelta> zones, DirtySet changedFrames, Func<int, bool> inLiveBlock)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(changedFrames);
        ArgumentNullException.ThrowIfNull(inLiveBlock);
        if (!_recorded || _deviceLifetime.Check(s) is not null || _refcount.Check(s) is not null || _wellFormed.Check(s) is not null)
            return false;
        var a = s.Aerator;
        if (a.Zones.Count != zones.Count)
            return false;
        for (int i = 0; i < zones.Count; i++)
            if (!ReferenceEquals(a.Zones[i].Zone, zones[i].Zone) || !ZoneHolds(s, a.Zones[i], zones[i]))
                return false;
        return BoundariesHold(a, zones) && FramesHold(s, changedFrames, inLiveBlock);
    }

    /// <summary>The design was checked in full and passed: copy the boundaries and the ACTIVE zones.</summary>
    public void Record(Aerator aerator)
    {
        ArgumentNullException.ThrowIfNull(aerator);
        for (int i = 0; i < _boundary.Length; i++)
            _boundary[i] = aerator.Boundary.Get(aerator.MinOrder + i / MigrateTypes.Count, (MigrateType)(i % MigrateTypes.Count));
        for (int i = 0; i < _active.Length; i++)
            _active[i] = aerator.Zones[i].Flags.Peek(ZoneFlag.AerationActive);
        _boundaryVersion = aerator.Boundary.Version;
        _recorded = true;
    }

    /// <summary>Aerated accounting's counts, and the per-page rules of Aerated accounting and Aerated means hinted on the changed pages.</summary>
    private static bool ZoneHolds(IAerationSubject s, AerationZone az, ZoneDelta delta)
    {
        var zone = az.Zone;
        for (int order = 0; order < zone.MaxOrder; order++)
        {
            if (delta.AeratedOn(order) != az.NrFreeAerated[order])
                return false;
        }
        var nodes = delta.Checked.Nodes;
        for (int k = 0; k < nodes.Count; k++)
        {
            int i = nodes[k];
            if (i >= zone.NrPages)
                continue;
            if (!AeratedPageHolds(s, zone, i + zone.StartPfn))
                return false;
        }
        return true;
    }

    private static bool AeratedPageHolds(IAerationSubject s, Zone zone, int pfn)
    {
        var f = zone.Flags(pfn);
        if ((f & PageFlags.Aerated) == 0)
            return true;
        if ((f & PageFlags.Buddy) == 0 || zone.PageOrder(pfn) < s.Aerator.MinOrder)
            return false;
        return s.HintedSinceLastFree(pfn, zone.PageOrder(pfn));
    }

    /// <summary>
    /// No raw block below the boundary, on the lists whose verdict may have changed. The copy
    /// of the boundaries and the ACTIVE bits moves on as it is compared (a check that answers
    /// false is followed by the full one and, if that passes, by Record).
    /// </summary>
    private bool BoundariesHold(Aerator a, IReadOnlyList<ZoneDelta> zones)
    {
        int active = 0;
        bool activeChanged = false;
        for (int i = 0; i < zones.Count; i++)
        {
            bool on = a.Zones[i].Flags.Peek(ZoneFlag.AerationActive);
            active += on ? 1 : 0;
            activeChanged |= on != _active[i];
            _active[i] = on;
        }
        if (active > 1)
            return false;
        if (active == 0 && !activeChanged)
            return true; // the rule is on ACTIVE zones only; when one becomes ACTIVE, every list of it is checked
        Span<bool> moved = stackalloc bool[_boundary.Length];
        if (a.Boundary.Version != _boundaryVersion)
        {
            for (int b = 0; b < _boundary.Length; b++)
            {
                var now = a.Boundary.Get(a.MinOrder + b / MigrateTypes.Count, (MigrateType)(b % MigrateTypes.Count));
                moved[b] = now != _boundary[b];
                _boundary[b] = now;
            }
            _boundaryVersion = a.Boundary.Version;
        }
        for (int i = 0; i < zones.Count; i++)
        {
            if (!_active[i])
                continue;
            var zone = zones[i].Zone;
            var touched = zones[i].TouchedLists;
            for (int b = 0; b < _boundary.Length; b++)
            {
                int order = a.MinOrder + b / MigrateTypes.Count;
                var mt = (MigrateType)(b % MigrateTypes.Count);
                bool again = activeChanged || moved[b] || touched.Contains(order * MigrateTypes.Count + (int)mt);
                if (again && _noRaw.CheckList(a, zone, order, mt) is not null)
                    return false;
            }
        }
        return true;
    }

    /// <summary>Aerated means hinted on the heads over frames whose ledger changed; No data loss on changed live frames.</summary>
    private static bool FramesHold(IAerationSubject s, DirtySet changedFrames, Func<int, bool> inLiveBlock)
    {
        Zone? lastZone = null;
        int lastHead = -1; // the frames of one block usually come one after another: check its head once
        for (int k = 0; k < changedFrames.Count; k++)
        {
            int p = changedFrames[k];
            if (inLiveBlock(p) && (s.Memory.Dropped(p) || s.Memory.Read(p) != s.TagOf(p)))
                return false;
            var zone = s.ZoneOf(p);
            if (!zone.SpansPfn(p))
                continue;
            if (ReferenceEquals(zone, lastZone) && lastHead >= 0 && p >= lastHead && p < lastHead + (1L << zone.PageOrder(lastHead)))
                continue;
            int head = CoveringHead(zone, p);
            if (head < 0 || !AeratedPageHolds(s, zone, head))
                return false; // -1: no block covers it, which the verified tiling rules out
            (lastZone, lastHead) = (zone, head);
        }
        return true;
    }

    /// <summary>The head of the block that covers pfn (pfn itself included), or -1.</summary>
    private static int CoveringHead(Zone zone, int pfn)
    {
        for (int o = 0; o < zone.MaxOrder; o++)
        {
            int head = pfn & ~((1 << o) - 1);
            if ((zone.Flags(head) & (PageFlags.Buddy | PageFlags.Allocated | PageFlags.Held)) != 0)
                return head + (1L << zone.PageOrder(head)) > pfn ? head : -1;
        }
        return -1;
    }
}
